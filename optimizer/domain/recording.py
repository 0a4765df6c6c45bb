"""Recording a file of outcomes against what is recorded already: new, the same, or changed.

An outcome's identity is (target, day, status, time): the same row again adds nothing. A
file that says something *else* about a (target, day) already recorded — another status,
another time, a 诉求 added to a visit — is a change: it is never added silently (that would
make a contradictory history) and never dropped (that would lose what a resident said). The
coordinator sees the differences and records the file with ``--replace`` (audited), whose rows
then stand for those (target, day) pairs, or not at all.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from optimizer.domain.model import Outcome, hhmm


@dataclass(frozen=True, slots=True)
class Change:
    """A (target, day) that a file describes differently from the store."""

    target_id: str
    day: int
    stored: tuple[Outcome, ...]
    incoming: tuple[Outcome, ...]
    rows: tuple[int, ...]  # positions of the incoming rows in the file's list

    def describe(self) -> str:
        """``已登记「已走访 10:00」，本文件「未遇 10:00；诉求 1-1 …」``."""
        return f"已登记「{_said(self.stored)}」，本文件「{_said(self.incoming)}」"


def _said(outcomes: Iterable[Outcome]) -> str:
    parts = []
    for o in outcomes:
        text = o.status.zh + (f" {hhmm(o.time_min)}" if o.time_min is not None else "")
        if o.category:
            request = o.request if len(o.request) <= 20 else o.request[:20] + "…"
            text += f"，诉求 {o.category} {request}".rstrip()
        if o.satisfied is not None:
            text += "，回访" + ("满意" if o.satisfied else "不满意")
        parts.append(text)
    return "；".join(parts) or "（无）"


def compare(
    stored: Iterable[Outcome], incoming: Sequence[Outcome]
) -> tuple[list[int], list[Change]]:
    """Positions of the incoming rows that are new, and the changes.

    ``incoming`` outcomes must carry the cadre the store would record (the target's own, or
    the taker of a return visit), so that equal facts compare equal. A row identical to a
    stored one is neither new nor a change; a (target, day) with no stored row is new."""
    known: dict[tuple[str, int], list[Outcome]] = defaultdict(list)
    for o in stored:
        known[(o.target_id, o.day)].append(o)
    groups: dict[tuple[str, int], list[int]] = defaultdict(list)
    for i, o in enumerate(incoming):
        groups[(o.target_id, o.day)].append(i)
    new: list[int] = []
    changes: list[Change] = []
    for key, positions in groups.items():
        before = known.get(key, [])
        if not before:
            new += positions
            continue
        rows = [incoming[i] for i in positions]
        if all(o in before for o in rows):
            continue  # recorded already, exactly
        changes.append(Change(key[0], key[1], tuple(before), tuple(rows), tuple(positions)))
    return sorted(new), changes
