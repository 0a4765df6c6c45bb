"""How people name an area (走访区域) so that the 附件2 table shows who visits whom.

Always the village *and* its grids: ``高桥村（1、2网格）``; a whole village says so
(``杨桥村（全村）``). Where a grid is shared by several cadres, the part that is this
cadre's: the buildings (``6网格1—3号楼``), the streets and house numbers (``6网格5街12—28号``)
or, failing both, how many households. A sector area (enterprises, shops, schools …) says
how many of each kind in each village (``黄屯新村（5网格）企业 12 家``), which is what tells
two enterprise cadres of the same village apart.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from optimizer.domain.codes import TargetType
from optimizer.domain.model import Assignment, Campaign, Target

MAX_VILLAGES = 4
MAX_PARTS = 3  # streets or building runs shown for one shared grid
EXAMPLES = 2  # organisations named where a village's enterprises (shops …) are shared
BUILDING = re.compile(r"(\d+)号楼")
STREET = re.compile(r"([^\d\s号]*?(?:\d+街|街|路|巷))(\d+)号")
UNIT = {TargetType.HOUSEHOLD: "户"}


def _grid_number(grid: str) -> int | None:
    match = re.fullmatch(r"第?(\d+)网格", grid)
    return int(match[1]) if match else None


def _run(start: int, end: int) -> str:
    if start == end:
        return str(start)
    return f"{start}、{end}" if end == start + 1 else f"{start}—{end}"


def number_runs(numbers: list[int]) -> str:
    """[1, 2, 3, 5] → ``1—3、5``."""
    runs: list[str] = []
    start = prev = None
    for n in [*sorted(set(numbers)), None]:
        if n is not None and prev is not None and n == prev + 1:
            prev = n
            continue
        if start is not None:
            runs.append(_run(start, prev))
        start = prev = n
    return "、".join(runs)


def compress_grids(grids: list[str]) -> str:
    """``['1网格', '2网格', '3网格', '5网格']`` → ``1—3、5网格``; other names joined by 、."""
    numbers = [n for n in (_grid_number(g) for g in grids) if n is not None]
    others = sorted(g for g in grids if _grid_number(g) is None)
    text = number_runs(numbers) + ("网格" if numbers else "")
    return "、".join([t for t in [text, *others] if t])


def _part_of_grid(village: str, households: list[Target]) -> str:
    """Which households of a shared grid: buildings, streets and numbers, or a count."""
    addresses = [t.address.removeprefix(village) for t in households]
    buildings = [BUILDING.search(a) for a in addresses]
    if all(buildings):
        return number_runs([int(b[1]) for b in buildings if b]) + "号楼"
    streets = [STREET.search(a) for a in addresses]
    if all(streets):
        numbers: dict[str, list[int]] = defaultdict(list)
        for s in streets:
            if s:
                numbers[s[1]].append(int(s[2]))
        parts = [
            f"{st}{min(ns)}—{max(ns)}号" if len(ns) > 1 else f"{st}{ns[0]}号"
            for st, ns in sorted(numbers.items())
        ]
        if len(parts) <= MAX_PARTS:
            return "、".join(parts)
    return f"{len(households)}户"


class AreaNamer:
    """Names every area of an assignment, knowing which grids each area shares."""

    def __init__(self, campaign: Campaign, assignment: Assignment):
        self.targets = campaign.target_index()
        self.grids: dict[str, set[str]] = defaultdict(set)
        self.households: Counter = Counter()
        for t in campaign.targets:
            self.grids[t.village].add(t.grid)
            if t.type is TargetType.HOUSEHOLD:
                self.households[t.grid_key] += 1
        self.areas = assignment.area_of_cadre()
        # (village, kind) → the areas holding targets of that kind there
        self.sharing: dict[tuple[str, TargetType], set[str]] = defaultdict(set)
        for area in assignment.areas:
            for tid in area.target_ids:
                t = self.targets[tid]
                if t.type is not TargetType.HOUSEHOLD:
                    self.sharing[(t.village, t.type)].add(area.id)

    def label(self, cadre_id: str) -> str:
        area = self.areas.get(cadre_id)
        mine = [self.targets[t] for t in area.target_ids] if area else []
        if not mine:
            return "无可走访对象"
        by_village: dict[str, list[Target]] = defaultdict(list)
        for t in mine:
            by_village[t.village].append(t)
        parts = [
            self._village(village, by_village[village])
            for village in sorted(by_village, key=lambda v: -len(by_village[v]))
        ]
        if len(parts) > MAX_VILLAGES:
            return "；".join(parts[: MAX_VILLAGES - 1]) + f"等 {len(parts)} 个村/社区"
        return "；".join(parts)

    def _village(self, village: str, members: list[Target]) -> str:
        """``村（households' grids and buildings；the other kinds, counted）``."""
        homes = [t for t in members if t.type is TargetType.HOUSEHOLD]
        others = [t for t in members if t.type is not TargetType.HOUSEHOLD]
        items = [self._households(village, homes)] if homes else []
        if others:
            items.append(self._others(village, others))
        return f"{village}（{'；'.join(items)}）"

    def _households(self, village: str, homes: list[Target]) -> str:
        grids: dict[str, list[Target]] = defaultdict(list)
        for t in homes:
            grids[t.grid].append(t)
        whole = [g for g, ts in grids.items() if len(ts) == self.households[(village, g)]]
        named = {g for g in self.grids[village] if g}
        if len(whole) == len(grids) and set(grids) >= named:
            return "全村"
        items = [compress_grids(sorted(g for g in whole if g))] if any(whole) else []
        for grid in sorted(set(grids) - set(whole), key=lambda g: (_grid_number(g) or 0, g)):
            items.append(f"{grid}{_part_of_grid(village, grids[grid])}")
        return "，".join(i for i in items if i)

    def _others(self, village: str, others: list[Target]) -> str:
        grids = {t.grid for t in others if t.grid}
        where = ""
        if grids and grids != {g for g in self.grids[village] if g}:
            where = compress_grids(sorted(grids))
        kinds = Counter(t.type for t in others)
        order = list(TargetType)
        counts = "、".join(
            f"{k.zh} {n} {UNIT.get(k, '家')}"
            for k, n in sorted(kinds.items(), key=lambda kv: order.index(kv[0]))
        )
        shared = [t for t in others if len(self.sharing[(village, t.type)]) > 1]
        if shared:  # another cadre has this kind here too: name two of this cadre's
            names = sorted({t.name or t.id for t in shared})[:EXAMPLES]
            counts += f"，如{'、'.join(n.removeprefix(village) for n in names)}等"
        return f"{where}的{counts}" if where else counts


def area_label(targets: list[Target], campaign: Campaign, assignment: Assignment) -> str:
    """The 走访区域 text of the area holding ``targets`` (by its cadre)."""
    if not targets:
        return "无可走访对象"
    owner = assignment.cadre_of()[targets[0].id]
    return AreaNamer(campaign, assignment).label(owner)
