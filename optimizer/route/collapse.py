"""Targets at one point become one routing node (an apartment building's households).

Merging them keeps the routing model small: a building of 40 households is a handful of
nodes, each holding at most ``CHUNK_MIN`` minutes of service, visited in one go.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from optimizer.route.problem import RouteProblem

CHUNK_MIN = 30  # co-located targets merge into nodes of at most this much service


def _chunks(p: RouteProblem) -> list[list[int]] | None:
    """Per routing node, its targets' nodes; None when no two targets share a point."""
    groups: dict[tuple, list[int]] = {}
    for i, t in enumerate(p.targets, start=1):
        # A retry is dropped last (``ortools_model``): it never shares a node with first visits.
        key = (t.lat, t.lon, p.windows[i - 1], t.priority, t.id in p.retries)
        groups.setdefault(key, []).append(i)
    if len(groups) == p.size:
        return None
    chunks: list[list[int]] = []
    for members in groups.values():
        chunk: list[int] = []
        total = 0
        for i in members:
            service = p.targets[i - 1].service_minutes
            if chunk and total + service > CHUNK_MIN:
                chunks.append(chunk)
                chunk, total = [], 0
            chunk.append(i)
            total += service
        chunks.append(chunk)
    return chunks


def node_count(p: RouteProblem) -> int:
    """How many routing nodes ``collapse`` makes of ``p`` (without building the problem)."""
    chunks = _chunks(p)
    return p.size if chunks is None else len(chunks)


def collapse(p: RouteProblem) -> tuple[RouteProblem, list[list[int]]]:
    """Targets at one point with one window (an apartment building's households) become one
    node whose service is theirs summed, in chunks of at most half a day; returns the smaller
    problem and, per new node, the original nodes in visiting order."""
    chunks = _chunks(p)
    if chunks is None:
        return p, [[i] for i in range(1, p.size + 1)]
    heads = [c[0] for c in chunks]
    index = np.array([0, *heads])
    targets = tuple(
        replace(
            p.targets[c[0] - 1], service_minutes=sum(p.targets[i - 1].service_minutes for i in c)
        )
        for c in chunks
    )
    head_of = {p.targets[i - 1].id: p.targets[c[0] - 1].id for c in chunks for i in c}
    announced = tuple(
        (day, tuple(dict.fromkeys(head_of[t] for t in ids if t in head_of)))
        for day, ids in p.announced
    )
    smaller = replace(
        p,
        targets=targets,
        windows=tuple(p.windows[h - 1] for h in heads),
        travel_s=p.travel_s[np.ix_(index, index)],
        travel_min=p.travel_min[np.ix_(index, index)],
        announced=announced,
    )
    return smaller, chunks


def expand(node_routes: list[list[int]], chunks: list[list[int]]) -> list[list[int]]:
    """Node routes of the merged problem as routes of the original targets."""
    return [[i for node in nodes for i in chunks[node - 1]] for nodes in node_routes]
