"""A shortfall in words, for the screen and ``summary.json``: where, by how much, the remedy.

Apart from ``diagnosis`` (which finds the shortfalls with the flow model), so a summary or
a command that only words them does not import the solvers.
"""

from __future__ import annotations

from optimizer.domain.model import Shortfall

SHOWN_IDS = 5  # target ids named on screen (all of them are in summary.json)


def remedy_text(s: Shortfall) -> str:
    """需要增派约 N 名走访人员 / 或延长 D 天 / 或每日增加 M 分钟 (for a window: more cadres
    who work in it, or longer hours in it)."""
    if s.window:
        return (
            f"需要增派约 {s.extra_cadres} 名可在 {s.window} 时段走访的人员"
            f" / 或让更多人员的每日可走访时段包含 {s.window}"
            + (f" / 或延长 {s.extra_days} 天" if s.extra_days >= 0 else "")
        )
    parts = [f"需要增派约 {s.extra_cadres} 名走访人员"]
    if s.extra_days >= 0:
        parts.append(f"或延长 {s.extra_days} 天")
    if s.extra_minutes_per_day >= 0:
        parts.append(f"或每日增加 {s.extra_minutes_per_day} 分钟")
    return " / ".join(parts)


def targets_text(ids: tuple[str, ...]) -> str:
    """对象 T1、T2、T3 等 N 个: the first few ids and the count."""
    shown = "、".join(ids[:SHOWN_IDS])
    return f"对象 {shown}" + (f" 等 {len(ids)} 个" if len(ids) > SHOWN_IDS else "")


def shortfall_text(s: Shortfall) -> str:
    if not s.cadre_ids:
        return (
            f"{s.scope}: {s.target_count} 个对象约需 {s.demand_minutes} 分钟，没有可走访这些对象的"
            f"人员（走访类型、包村/网格或可走访时段不符）—— {remedy_text(s)}；"
            f"{targets_text(s.target_ids)}"
        )
    if s.window:
        who = f"{len(s.cadre_ids)} 名可走访人员在 {s.window} 时段共"
    else:
        who = f"{len(s.cadre_ids)} 名可走访人员能力"
    return (
        f"{s.scope}: {s.target_count} 个对象约需 {s.demand_minutes} 分钟，{who} "
        f"{s.capacity_minutes} 分钟，缺 {s.missing_minutes} 分钟 —— {remedy_text(s)}；"
        f"{targets_text(s.target_ids)}"
    )
