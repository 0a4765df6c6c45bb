"""Read a day's outcomes file; every bad row is reported and nothing is accepted then."""

from __future__ import annotations

from pathlib import Path

from optimizer.domain.errors import InputProblem, InvalidInputError
from optimizer.domain.model import Campaign, Outcome
from optimizer.inputs.cells import parse_bool, parse_category, parse_int, parse_status, parse_time
from optimizer.inputs.columns import OUTCOME_COLUMNS
from optimizer.inputs.rows import RowReader
from optimizer.inputs.sheets import read_sheet


def _outcome(r: RowReader, owner: dict[str, str], limits: tuple[int, int, int], returnable):
    target_id = r.required("target_id", "对象编号")
    if target_id and target_id not in owner:
        r.problem("target_id", f"对象编号「{target_id}」不在已发布的分片中", "走访对象表中的编号")
    satisfied = r.get("satisfied", parse_bool)
    day = _day(r, satisfied is not None, limits)
    status = r.get("status", parse_status)
    if status is None and not r.text("status"):
        r.problem("status", "结果为空", "已走访/未遇/拒访/已搬离/信息有误")
    time_min = r.get("time", parse_time)
    cadre_id = r.text("cadre_id") or None
    if satisfied is not None:  # a return visit (回访) of a resolved request
        _check_return_visit(r, target_id, cadre_id, returnable)
        cadre_id = cadre_id or returnable.get(target_id)
    elif cadre_id and target_id in owner and owner[target_id] != cadre_id:
        own = owner[target_id]
        msg = f"走访人员 {cadre_id} 不是对象 {target_id} 的包干人员（应为 {own}，一访到底）"
        r.problem("cadre_id", msg, owner[target_id])
    category = r.get("category", parse_category)
    if r.problems:
        return None
    return Outcome(
        target_id, day, status, time_min, cadre_id, category, r.text("request"), satisfied
    )


def _day(r: RowReader, return_visit: bool, limits: tuple[int, int, int]) -> int | None:
    """The row's campaign day. A campaign visit keeps to the campaign and to days that have
    happened (at most the night being recorded); a return visit to the return-visit plans."""
    days, latest, returns_last = limits
    last = max(days, returns_last) if return_visit else min(days, latest)
    day = r.get("day", lambda s: parse_int(s, what=f"1 到 {last} 的天数"))
    if day is None:
        if not r.text("day"):
            r.problem("day", "天为空", f"1 到 {last}")
        return None
    if return_visit and not 1 <= day <= last:
        r.problem("day", f"回访的第 {day} 天不在活动期和回访安排（1–{last} 天）内", f"1 到 {last}")
    elif not return_visit and not 1 <= day <= days:
        r.problem(
            "day",
            f"第 {day} 天不在活动期 1–{days} 天内（回访结果须填“满意”一列）",
            f"1 到 {latest}",
        )
    elif not return_visit and day > latest:
        r.problem(
            "day",
            f"第 {day} 天还没有到：今晚最晚登记第 {latest} 天的结果",
            f"1 到 {latest}（确为第 {day} 天的结果请加 --day {day}）",
        )
    return day


def _check_return_visit(r: RowReader, target_id: str, cadre_id: str | None, returnable) -> None:
    """A return visit needs a resolved request of that target, visited by the cadre who took it."""
    if target_id not in returnable:
        r.problem("satisfied", f"对象 {target_id} 没有待回访（已办结）的诉求", "已办结诉求的对象")
    elif cadre_id and returnable[target_id] != cadre_id:
        taker = returnable[target_id]
        r.problem("cadre_id", f"回访须由受理人员 {taker} 进行，而不是 {cadre_id}", taker)


def read_outcomes(
    path: str | Path,
    campaign: Campaign,
    owner: dict[str, str],
    *,
    last_day: int | None = None,
    return_last_day: int = 0,
    returnable: dict[str, str] | None = None,
) -> list[Outcome]:
    """Outcomes of one file, validated against the campaign and the published pairing.

    ``last_day``: the latest campaign day a visit may be recorded for (the night being
    recorded; default the campaign's last day). ``return_last_day``: the last day of the
    return-visit plans. ``returnable`` maps targets with a resolved request to the cadre who
    took it: a row with ``satisfied`` (满意) is a return visit of such a target.

    Raises
    ------
    InvalidInputError
        Listing every bad row (unknown target or status, a day outside the campaign or not
        yet come, a cadre who is not the target's own, a malformed time or category).
    """
    path = Path(path)
    sheet = read_sheet(path, OUTCOME_COLUMNS)
    problems: list[InputProblem] = list(sheet.problems)
    days = campaign.settings.days
    limits = (days, min(days, last_day or days), return_last_day)
    outcomes = []
    for row, values in sheet.rows:
        r = RowReader(sheet, row, values)
        outcome = _outcome(r, owner, limits, returnable or {})
        problems += r.problems
        if outcome is not None:
            outcomes.append(outcome)
    if not sheet.rows and not problems:
        problems.append(InputProblem(sheet.file, None, None, "没有走访结果", "至少一行"))
    if problems:
        raise InvalidInputError(problems)
    return outcomes
