"""Read a day's outcomes file; every bad row is reported and nothing is accepted then."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

from optimizer.domain.errors import InputProblem, InvalidInputError
from optimizer.domain.model import Campaign, Outcome
from optimizer.domain.pairing import outcome_cadre_problem, return_visit_problem
from optimizer.inputs.cells import parse_bool, parse_category, parse_int, parse_status, parse_time
from optimizer.inputs.columns import OUTCOME_COLUMNS
from optimizer.inputs.rows import RowReader
from optimizer.inputs.sheets import Sheet, read_sheet


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
    elif target_id in owner and (
        msg := outcome_cadre_problem(target_id, cadre_id, owner[target_id])
    ):
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
    day = r.get("day", _day_parser(last))
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


@functools.lru_cache(maxsize=64)
def _day_parser(last: int) -> Callable[[str], int]:
    """The day cell's parser for days 1 to ``last``: made once, not for every row (a
    closure and its message for each of a burst's 6,000 rows cost 3 ms)."""
    what = f"1 到 {last} 的天数"
    return lambda s: parse_int(s, what=what)


def _check_return_visit(r: RowReader, target_id: str, cadre_id: str | None, returnable) -> None:
    """A return visit needs a resolved request of that target, visited by the cadre who took it."""
    taker = returnable.get(target_id)
    msg = return_visit_problem(target_id, cadre_id, taker)
    if msg and taker is None:
        r.problem("satisfied", msg, "已办结诉求的对象")
    elif msg:
        r.problem("cadre_id", msg, taker)


def _same_visit_twice(sheet, outcomes: list[tuple[int, Outcome]]) -> list[InputProblem]:
    """Two rows of one file with one identity (target, day, status, time) must say the same."""
    seen: dict[tuple, tuple[int, Outcome]] = {}
    problems = []
    for row, o in outcomes:
        first = seen.setdefault(o.key, (row, o))
        if first[1] != o:
            column = sheet.headers.get("request", sheet.headers.get("status", "status"))
            msg = f"与第{first[0]}行是同一次走访（对象、天、结果、时间相同），但内容不同"
            problems.append(InputProblem(sheet.file, row, column, msg, "同一次走访只写一行"))
    return problems


def read_outcomes(
    path: str | Path,
    campaign: Campaign,
    owner: dict[str, str],
    *,
    last_day: int | None = None,
    return_last_day: int = 0,
    returnable: dict[str, str] | None = None,
) -> list[Outcome]:
    """Outcomes of one file (``read_outcome_rows`` without the row numbers)."""
    rows = read_outcome_rows(
        path,
        campaign,
        owner,
        last_day=last_day,
        return_last_day=return_last_day,
        returnable=returnable,
    )
    return [o for _, o in rows]


def read_outcome_rows(
    path: str | Path,
    campaign: Campaign,
    owner: dict[str, str],
    *,
    last_day: int | None = None,
    return_last_day: int = 0,
    returnable: dict[str, str] | None = None,
) -> list[tuple[int, Outcome]]:
    """Outcomes of one file with their rows, validated against the campaign and the published
    pairing.

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
            outcomes.append((row, outcome))
    problems += _same_visit_twice(sheet, outcomes)
    if not sheet.rows and not problems:
        problems.append(InputProblem(sheet.file, None, None, "没有走访结果", "至少一行"))
    if problems:
        raise InvalidInputError(problems)
    return outcomes


def check_outcome_rows(
    rows: list[dict[str, str]],
    campaign: Campaign,
    owner: dict[str, str],
    *,
    label: str,
    last_day: int | None = None,
    return_last_day: int = 0,
    returnable: dict[str, str] | None = None,
) -> list[Outcome | list[InputProblem]]:
    """Rows of text keyed by the outcome fields (``target_id``, ``day``, ``status``, …), as a
    client other than a file sends them (the field app), through the same checks as a file
    (``last_day`` and ``return_last_day`` as in ``read_outcome_rows``).

    Unlike a file, each row stands alone: the result holds, row by row, the outcome or that
    row's problems (row numbers count from 1 in the order given).
    """
    names = {c.name: c.name for c in OUTCOME_COLUMNS}
    sheet = Sheet(label, 0, names, [])
    days = campaign.settings.days
    limits = (days, min(days, last_day or days), return_last_day)
    checked: list[Outcome | list[InputProblem]] = []
    for number, values in enumerate(rows, start=1):
        r = RowReader(sheet, number, values)
        outcome = _outcome(r, owner, limits, returnable or {})
        checked.append(r.problems if outcome is None else outcome)
    return checked
