"""The retry-slack lines of ``plan`` and ``replan``: the town, then the cadres short of the goal.

The figures are summary.json's ``retry_slack`` (``optimizer.reports.slack``); names come masked
from the caller (张*明), never a full name or a phone number. Names and remedies are campaign
text, printed without Rich markup.
"""

from __future__ import annotations

from collections.abc import Mapping

from workers.cli.app import out
from workers.cli.text import t

#: Cadres short of the goal named on screen; summary.json lists them all.
SHOWN = 5


def _town_line(slack: dict) -> str:
    town = slack["town"]
    short = town["cadres_short"]
    absorbable, expected = town["retries_absorbable"], round(town["retries_expected"])
    tail_zh = f"{short} 名人员不足" if short else "每名人员都留足了余量"
    tail_en = f"{short} cadres short of it" if short else "every cadre keeps it"
    return t(
        f"重试余量：目标 {slack['goal_share']:.0%}，全镇剩余 {town['slack_share']:.0%}，"
        f"可吸收约 {absorbable} 次重访（预计 {expected} 次）；{tail_zh}",
        f"retry slack: goal {slack['goal_share']:.0%}, town {town['slack_share']:.0%} left, "
        f"room for about {absorbable} retries ({expected} expected); {tail_en}",
    )


def _cadre_line(c: dict, name: str) -> str:
    who = f"{c['cadre_id']} {name}".strip()
    expected = round(c["retries_expected"])
    slack = c["slack_minutes"]
    # Negative slack: targets did not fit in time (the cadre is at risk too).
    left_zh = (
        f"剩余 {slack} 分钟（{c['slack_share']:.0%}）"
        if slack >= 0
        else f"没有余量（尚缺 {-slack} 分钟才能排完）"
    )
    left_en = f"{slack} minutes left" if slack >= 0 else f"{-slack} minutes short of a full plan"
    return t(
        f"  余量不足 {who}：{left_zh}，目标 {c['goal_minutes']} 分钟；"
        f"可吸收约 {c['retries_absorbable']} 次重访（预计 {expected} 次）—— {c['remedy']}",
        f"  short of slack {who}: {left_en}, goal {c['goal_minutes']}; room for "
        f"{c['retries_absorbable']} retries ({expected} expected); remedy: {c['remedy']}",
    )


def print_slack(summary: dict, names: Mapping[str, str]) -> None:
    """The town's retry slack, and up to ``SHOWN`` cadres short of the goal, most short first.

    A summary without the section (an older version's, restored) prints nothing.
    """
    slack = summary.get("retry_slack")
    if not slack:
        return
    short = sorted(
        (c for c in slack["cadres"] if not c["kept"]),
        key=lambda c: (-c["missing_minutes"], c["cadre_id"]),
    )
    out.print(_town_line(slack), style="yellow" if short else None, markup=False)
    for c in short[:SHOWN]:
        out.print(_cadre_line(c, names.get(c["cadre_id"], "")), style="yellow", markup=False)
    if len(short) > SHOWN:
        out.print(
            t(
                f"  …等 {len(short)} 名，详见 summary.json",
                f"  … {len(short)} in all, see summary.json",
            )
        )
