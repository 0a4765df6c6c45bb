"""Minutes of a time window as a resource of their own in the flow models.

A cadre who works 08:30–20:30 for 240 minutes a day can give all 240 to daytime visits but at
most the evening's 150 to evening households: evening minutes are a separate, smaller
resource. For each cadre and each target window that is shorter, inside the cadre's day, than
the cadre's daily minutes, the flow gets a *window node*: the window's classes flow through it
to the cadre, capped at the window's minutes over the cadre's working days. Windows that cannot
bind (the day window of a 240-minute cadre) get no node.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from optimizer.domain.model import Cadre, Window

WORK_SCALE = 10  # work units per minute (as in ``instance``)


@dataclass(frozen=True, slots=True)
class WindowNodes:
    """The window nodes of a campaign, and which class → cadre arcs pass through them."""

    via: tuple[np.ndarray, ...]  # per class, aligned with ``eligible``: window node or -1
    cadre: np.ndarray  # (w,) the node's cadre
    capacity: np.ndarray  # (w,) work units
    window: tuple[Window, ...]  # (w,) the target window the node limits

    def __post_init__(self) -> None:
        if not len(self.cadre) == len(self.capacity) == len(self.window):
            raise ValueError("one cadre, capacity and window per window node")
        for array in (self.cadre, self.capacity, *self.via):
            array.flags.writeable = False

    @property
    def count(self) -> int:
        return len(self.cadre)


def binding_minutes(cadre: Cadre, window: Window) -> int | None:
    """Minutes a day the cadre can spend inside ``window``, or None when that does not limit
    the cadre (the window holds the cadre's whole day)."""
    overlap = window.intersect(cadre.window)
    minutes = overlap.length_min if overlap else 0
    return minutes if minutes < cadre.minutes_per_day else None


def window_nodes(
    cadres: tuple[Cadre, ...], keys, eligible: list[np.ndarray], days: int
) -> WindowNodes:
    """Window nodes for the (cadre, window) pairs that bind; ``keys[k][3]`` is class k's window."""
    index: dict[tuple[int, Window], int] = {}
    node_cadre: list[int] = []
    node_capacity: list[int] = []
    node_window: list[Window] = []
    via = []
    for key, cadres_of_class in zip(keys, eligible, strict=True):
        window = key[3]
        row = np.full(len(cadres_of_class), -1, dtype=np.int64)
        if window is not None:
            for j, c in enumerate(cadres_of_class.tolist()):
                minutes = binding_minutes(cadres[c], window)
                if minutes is None:
                    continue
                if (c, window) not in index:
                    index[(c, window)] = len(node_cadre)
                    node_cadre.append(c)
                    work_days = len(cadres[c].work_days(days))
                    node_capacity.append(minutes * work_days * WORK_SCALE)
                    node_window.append(window)
                row[j] = index[(c, window)]
        via.append(row)
    return WindowNodes(
        via=tuple(via),
        cadre=np.array(node_cadre, dtype=np.int64),
        capacity=np.array(node_capacity, dtype=np.int64),
        window=tuple(node_window),
    )
