"""How people name an area: 高桥村（1、2网格）；杨桥村 — villages and their grids, compressed."""

from __future__ import annotations

import re
from collections import defaultdict

from optimizer.domain.codes import TargetType
from optimizer.domain.model import Target

MAX_VILLAGES = 4


def _grid_number(grid: str) -> int | None:
    match = re.fullmatch(r"第?(\d+)网格", grid)
    return int(match[1]) if match else None


def _run(start: int, end: int) -> str:
    if start == end:
        return str(start)
    return f"{start}、{end}" if end == start + 1 else f"{start}—{end}"


def compress_grids(grids: list[str]) -> str:
    """``['1网格', '2网格', '3网格', '5网格']`` → ``1—3、5网格``; other names joined by 、."""
    numbers = sorted(n for n in (_grid_number(g) for g in grids) if n is not None)
    others = sorted(g for g in grids if _grid_number(g) is None)
    runs: list[str] = []
    start = prev = None
    for n in [*numbers, None]:
        if n is not None and prev is not None and n == prev + 1:
            prev = n
            continue
        if start is not None:
            runs.append(_run(start, prev))
        start = prev = n
    text = "、".join(runs) + ("网格" if runs else "")
    return "、".join([t for t in [text, *others] if t])


def area_label(targets: list[Target], town_grids: dict[str, set[str]]) -> str:
    """The area as 走访区域 text; ``town_grids`` maps each village to all its grid names."""
    if not targets:
        return "无可走访对象"
    by_village: dict[str, set[str]] = defaultdict(set)
    for t in targets:
        by_village[t.village].add(t.grid)
    parts = []
    for village in sorted(by_village, key=lambda v: -sum(1 for t in targets if t.village == v)):
        grids = {g for g in by_village[village] if g}
        whole = not grids or grids >= town_grids.get(village, set())
        parts.append(village if whole else f"{village}（{compress_grids(sorted(grids))}）")
    if len(parts) > MAX_VILLAGES:
        parts = [*parts[: MAX_VILLAGES - 1], f"等{len(parts)}个村"]
        text = "、".join(parts[:-1]) + parts[-1]
    else:
        text = "；".join(parts)
    kinds = {t.type for t in targets}
    if TargetType.HOUSEHOLD not in kinds:
        order = list(TargetType)
        text += "的" + "、".join(k.zh for k in sorted(kinds, key=order.index))
    return text
