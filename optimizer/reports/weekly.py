"""The figures of the weekly dispatch report (周调度), from stored facts; no I/O here.

A week is one of the campaign's visiting weeks (day 1 opens week 1; the last week may be
short) that has begun: its first day is no later than the last night recorded. The report
says what is known up to the last day with data in the week (``截至``), never a day not yet
come: days after it are not shown as zeros. The close-out after the visits is followed with
the ledger's lists and exports (附件6 with 办理情况), whose state at report time is in the
report as 办结率.

``requests`` are the ledger's ``Request`` records; ``checks`` its ``SpotCheck`` records.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from optimizer.domain.codes import RESPONSIBILITY_ZH, SUBJECT_ZH, OutcomeStatus, TargetType
from optimizer.domain.errors import InputProblem, InvalidInputError
from optimizer.domain.ledger import (
    CLOSED,
    RESOLVED,
    RETURNED,
    UNCLASSIFIED,
    UNCLASSIFIED_ZH,
    Request,
    SpotCheck,
    subject_zh,
)
from optimizer.domain.model import Campaign, Outcome
from optimizer.domain.privacy import mask_free_text, mask_name
from optimizer.domain.revisits import target_states

PRIORITY_GROUP = "重点人群"
DONE_STATES = (RESOLVED, RETURNED, CLOSED)


@dataclass(frozen=True, slots=True)
class WeekReport:
    campaign: str
    week: int
    first_day: int
    last_day: int  # the week's last day
    data_day: int  # the last day with data in the week (截至)
    report_date: str  # 截至, as 2027年3月1日
    coverage: float
    targets: int
    visits_by_day: tuple[tuple[str, int, int], ...]  # (date, planned, visited) up to data_day
    coverage_by_village: tuple[tuple[str, float, int], ...]  # (village, coverage, targets)
    cadres: tuple[tuple, ...]  # see CADRE_HEADERS
    requests_by_class: tuple[tuple[str, tuple[int, ...]], ...]  # (class, counts per subject)
    subjects: tuple[str, ...]
    closing: dict = field(default_factory=dict)  # requests / done / closed / rates
    overdue: tuple[tuple, ...] = ()  # (id, village, subject, text, unit, due, state)
    at_risk: tuple[tuple[str, int, str], ...] = ()  # (cadre, missing minutes, remedy)
    silent: tuple[tuple[str, str], ...] = ()  # (date, cadres who reported nothing)
    hot_places: tuple[tuple[str, int, str], ...] = ()  # (village grid, requests, top subject)
    hot_groups: tuple[tuple[str, int, float], ...] = ()  # (group, requests, per 100 visited)
    spot_checks: dict = field(default_factory=dict)  # sampled / confirmed / … / pending


CADRE_HEADERS = (
    "走访人员",
    "对象数",
    "已完成",
    "完成率",
    "本周走访",
    "未遇待重访",
    "收集诉求",
    "未报告天数",
)


def chinese_date(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def visiting_weeks(campaign: Campaign) -> int:
    return (campaign.settings.days + 6) // 7


def week_days(campaign: Campaign, week: int, last_night: int | None = None) -> tuple[int, int]:
    """First and last campaign day of ``week``; refused (as bad input, ``--week``) outside
    the visiting weeks, or when the week has not begun by ``last_night``."""
    settings = campaign.settings
    weeks = visiting_weeks(campaign)
    first = 7 * (week - 1) + 1
    if week < 1 or week > weeks:
        raise _refuse(f"第 {week} 周不在走访期内（共 {settings.days} 天，{weeks} 周）", weeks)
    if last_night is not None and first > last_night:
        said = f"最后登记的是第 {last_night} 天" if last_night else "还没有登记任何结果"
        raise _refuse(f"第 {week} 周（第 {first} 天起）还没有开始：{said}", weeks)
    return first, min(7 * week, settings.days)


def _refuse(message: str, weeks: int) -> InvalidInputError:
    return InvalidInputError([InputProblem("--week", None, None, message, f"1 到 {weeks}")])


def _group(campaign: Campaign, target_id: str) -> str:
    target = campaign.target_index()[target_id]
    if target.priority:
        return PRIORITY_GROUP
    return "居民户" if target.type is TargetType.HOUSEHOLD else target.type.zh


def _place(campaign: Campaign, target_id: str) -> str:
    target = campaign.target_index()[target_id]
    return f"{target.village}·{target.grid}"


def _coverage_by_village(campaign: Campaign, states) -> tuple:
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for tid, s in states.items():
        village = campaign.target_index()[tid].village
        counts[village][0] += s.final is not None
        counts[village][1] += 1
    return tuple((v, done / n, n) for v, (done, n) in sorted(counts.items()))


def _overdue(campaign: Campaign, requests: list[Request], report_date) -> tuple:
    """Requests past their due date and not closed."""
    targets = campaign.target_index()
    return tuple(
        (
            r.id,
            targets[r.target_id].village,
            subject_zh(r.subject),
            mask_free_text(r.text),  # the report goes to a meeting: no phone numbers
            mask_free_text(r.answering_unit),
            r.due.isoformat(),
            r.state,
        )
        for r in requests
        if r.state != CLOSED and r.due < report_date
    )


def _hot_places(campaign: Campaign, requests: list[Request], top: int = 10) -> tuple:
    """Village·grid with the most requests, and the commonest subject there."""
    subjects: dict[str, Counter] = defaultdict(Counter)
    for r in requests:
        subjects[_place(campaign, r.target_id)][r.subject] += 1
    ranked = sorted(subjects.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))[:top]
    return tuple(
        (place, sum(c.values()), subject_zh(c.most_common(1)[0][0])) for place, c in ranked
    )


def _hot_groups(campaign: Campaign, requests: list[Request], states) -> tuple:
    """Requests per group (target type, or 重点人群) and per 100 of that group visited."""
    raised = Counter(_group(campaign, r.target_id) for r in requests)
    visited = Counter(
        _group(campaign, t) for t, s in states.items() if s.final is OutcomeStatus.VISITED
    )
    return tuple((g, n, 100 * n / max(1, visited[g])) for g, n in raised.most_common())


def _spot_check_counts(checks: list[SpotCheck]) -> dict[str, int]:
    results = Counter(c.result or "pending" for c in checks)
    return {
        "sampled": len(checks),
        "confirmed": results["confirmed"],
        "not_confirmed": results["not_confirmed"],
        "no_answer": results["no_answer"],
        "pending": results["pending"],
    }


def _by_class(requests: list[Request]) -> tuple:
    counts = Counter((r.responsibility, r.subject) for r in requests)
    rows = [(RESPONSIBILITY_ZH[k], tuple(counts[(k, s)] for s in range(1, 8))) for k in (1, 2, 3)]
    unclassified = counts[(UNCLASSIFIED, UNCLASSIFIED)]
    if unclassified:
        rows.append((UNCLASSIFIED_ZH, (0,) * 6 + (unclassified,)))
    return tuple(rows)


def _closing(requests: list[Request]) -> dict:
    """办结率: requests resolved (办结, returned or closed) of all raised; 销号率 likewise."""
    done = sum(1 for r in requests if r.state in DONE_STATES)
    closed = sum(1 for r in requests if r.state == CLOSED)
    n = len(requests)
    return {
        "requests": n,
        "done": done,
        "closed": closed,
        "done_rate": done / n if n else 0.0,
        "closed_rate": closed / n if n else 0.0,
    }


def _cadre_rows(campaign, owner, states, outcomes, requests, silent, days) -> tuple:
    """Per cadre: area size, done, rate, visits this week, misses to retry, requests taken,
    days this week with nothing reported."""
    first, last = days
    area = Counter(owner.values())
    done = Counter(owner[t] for t, s in states.items() if s.final is not None)
    waiting = Counter(owner[t] for t, s in states.items() if s.pending and s.attempts)
    week = Counter(
        owner[o.target_id]
        for o in outcomes
        if first <= o.day <= last and o.status is OutcomeStatus.VISITED and o.target_id in owner
    )
    raised = Counter(r.cadre_id for r in requests)
    quiet = Counter(
        c["cadre_id"] for night in silent if first <= night["day"] <= last for c in night["cadres"]
    )
    rows = []
    for cadre in campaign.cadres:
        n = area[cadre.id]
        rows.append(
            (
                f"{mask_name(cadre.name)}（{cadre.id}）",
                n,
                done[cadre.id],
                f"{done[cadre.id] / n:.0%}" if n else "—",
                week[cadre.id],
                waiting[cadre.id],
                raised[cadre.id],
                quiet[cadre.id],
            )
        )
    return tuple(rows)


def build_week_report(
    campaign: Campaign,
    week: int,
    *,
    last_night: int,
    planned: dict[int, dict[str, int]],
    outcomes: list[Outcome],
    requests: list[Request],
    owner: dict[str, str],
    at_risk: list[dict],
    checks: list[SpotCheck],
    silent: list[dict] | None = None,
) -> WeekReport:
    """Everything known by the last day with data in ``week`` (``last_night`` at most):
    visits against the plan in force each day, coverage, per cadre, the requests by class
    and subject and their 办结率, overdue items, at-risk and silent cadres."""
    settings = campaign.settings
    silent = silent or []
    first, last = week_days(campaign, week, last_night)
    data_day = min(last, last_night)
    outcomes = [o for o in outcomes if not o.return_visit and o.day <= data_day]
    requests = [r for r in requests if r.day <= data_day]
    states = target_states(campaign, outcomes)
    visited = Counter(o.day for o in outcomes if o.status is OutcomeStatus.VISITED)
    report_date = settings.date_of(data_day)
    quiet = tuple(
        (
            chinese_date(settings.date_of(n["day"])),
            "、".join(f"{c['name']}（{c['cadre_id']}）" for c in n["cadres"]),
        )
        for n in silent
        if first <= n["day"] <= data_day
    )
    return WeekReport(
        campaign=settings.name,
        week=week,
        first_day=first,
        last_day=last,
        data_day=data_day,
        report_date=chinese_date(report_date),
        coverage=sum(1 for s in states.values() if s.final) / max(1, len(states)),
        targets=len(states),
        visits_by_day=tuple(
            (
                f"{settings.date_of(d).month}月{settings.date_of(d).day}日",
                sum(planned.get(d, {}).values()),
                visited[d],
            )
            for d in range(first, data_day + 1)
        ),
        coverage_by_village=_coverage_by_village(campaign, states),
        cadres=_cadre_rows(campaign, owner, states, outcomes, requests, silent, (first, data_day)),
        requests_by_class=_by_class(requests),
        subjects=tuple(SUBJECT_ZH[s] for s in range(1, 8)),
        closing=_closing(requests),
        overdue=_overdue(campaign, requests, report_date),
        at_risk=tuple((a["cadre_id"], a["missing_minutes"], a["remedy"]) for a in at_risk),
        silent=quiet,
        hot_places=_hot_places(campaign, requests),
        hot_groups=_hot_groups(campaign, requests, states),
        spot_checks=_spot_check_counts(checks),
    )
