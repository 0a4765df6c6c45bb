"""The figures of the weekly dispatch report (周调度), from stored facts; no I/O here.

``requests`` are the ledger's ``Request`` records; ``checks`` its ``SpotCheck`` records.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from optimizer.domain.codes import RESPONSIBILITY_ZH, SUBJECT_ZH, OutcomeStatus
from optimizer.domain.errors import ZoufangError
from optimizer.domain.ledger import CLOSED, Request, SpotCheck
from optimizer.domain.model import Campaign, Outcome, Plan
from optimizer.domain.privacy import mask_free_text
from optimizer.domain.revisits import target_states

PRIORITY_GROUP = "重点人群"


@dataclass(frozen=True, slots=True)
class WeekReport:
    campaign: str
    week: int
    first_day: int
    last_day: int
    report_date: str
    coverage: float
    targets: int
    visits_by_day: tuple[tuple[str, int, int], ...]  # (date, planned, visited)
    coverage_by_village: tuple[tuple[str, float, int], ...]  # (village, coverage, targets)
    requests_by_class: tuple[tuple[str, tuple[int, ...]], ...]  # (class, counts per subject 1–7)
    subjects: tuple[str, ...]
    overdue: tuple[tuple, ...]  # (id, village, subject, text, unit, due, state)
    at_risk: tuple[tuple[str, int, str], ...]  # (cadre, missing minutes, remedy)
    hot_places: tuple[tuple[str, int, str], ...]  # (village grid, requests, commonest subject)
    hot_groups: tuple[tuple[str, int, float], ...]  # (group, requests, per 100 visited)
    spot_checks: dict = field(default_factory=dict)  # sampled / confirmed / not_confirmed / pending


def week_days(campaign: Campaign, week: int) -> tuple[int, int]:
    """First and last campaign day of ``week`` (day 1 opens week 1); weeks run until the
    ledger's 办结 date, so the close-out can be reported after the visits end."""
    settings = campaign.settings
    last_day = max(settings.days, (settings.ledger_due - settings.start_date).days + 1)
    first = 7 * (week - 1) + 1
    if week < 1 or first > last_day:
        weeks = (last_day + 6) // 7
        raise ZoufangError(f"第 {week} 周不在活动与办结期内（共 {weeks} 周）")
    return first, 7 * week


def _group(campaign: Campaign, target_id: str) -> str:
    target = campaign.target_index()[target_id]
    return PRIORITY_GROUP if target.priority else target.type.zh


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
            SUBJECT_ZH[r.subject],
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
        (place, sum(c.values()), SUBJECT_ZH[c.most_common(1)[0][0]]) for place, c in ranked
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
        "pending": results["pending"],
    }


def build_week_report(
    campaign: Campaign,
    week: int,
    *,
    first_plan: Plan,
    outcomes: list[Outcome],
    requests: list[Request],
    at_risk: list[dict],
    checks: list[SpotCheck],
) -> WeekReport:
    """Everything known by the end of ``week``: visits against the first published plan,
    coverage, the requests by class and subject, overdue items, at-risk cadres."""
    settings = campaign.settings
    first, last = week_days(campaign, week)
    outcomes = [o for o in outcomes if o.day <= last]
    requests = [r for r in requests if r.day <= last]
    states = target_states(campaign, outcomes)
    planned = Counter(r.day for r in first_plan.routes for _ in r.stops)
    visited = Counter(o.day for o in outcomes if o.status is OutcomeStatus.VISITED)
    by_class = Counter((r.responsibility, r.subject) for r in requests)
    report_date = settings.date_of(last)
    return WeekReport(
        campaign=settings.name,
        week=week,
        first_day=first,
        last_day=last,
        report_date=report_date.isoformat(),
        coverage=sum(1 for s in states.values() if s.final) / max(1, len(states)),
        targets=len(states),
        visits_by_day=tuple(
            (settings.date_of(d).strftime("%m-%d"), planned[d], visited[d])
            for d in range(first, min(last, settings.days) + 1)
        ),
        coverage_by_village=_coverage_by_village(campaign, states),
        requests_by_class=tuple(
            (RESPONSIBILITY_ZH[k], tuple(by_class[(k, s)] for s in range(1, 8))) for k in (1, 2, 3)
        ),
        subjects=tuple(SUBJECT_ZH[s] for s in range(1, 8)),
        overdue=_overdue(campaign, requests, report_date),
        at_risk=tuple((a["cadre_id"], a["missing_minutes"], a["remedy"]) for a in at_risk),
        hot_places=_hot_places(campaign, requests),
        hot_groups=_hot_groups(campaign, requests, states),
        spot_checks=_spot_check_counts(checks),
    )
