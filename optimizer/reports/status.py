"""Where the campaign stands: counts, coverage, and progress by village and by cadre."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from optimizer.domain.codes import OutcomeStatus, Progress
from optimizer.domain.model import Campaign, Outcome, Plan
from optimizer.domain.privacy import mask_name
from optimizer.domain.revisits import TargetState, coverage

#: The columns of a progress table, from a target's ``Progress``.
COLUMNS = ("total", "done", "pending", "not_home", "escalated")


@dataclass(frozen=True, slots=True)
class CampaignProgress:
    """Where the campaign stands (all zero before any outcome)."""

    coverage: float = 0.0
    escalated: tuple[str, ...] = ()
    corrections: tuple[str, ...] = ()
    refused: tuple[str, ...] = ()
    counts: dict[str, int] = field(default_factory=dict)


def campaign_progress(campaign: Campaign, states: dict[str, TargetState]) -> CampaignProgress:
    """Counts by outcome, coverage, and the escalated / correction / refused lists."""
    finals = Counter(s.final.value for s in states.values() if s.final)
    counts = {
        **{status.value: finals.get(status.value, 0) for status in OutcomeStatus},
        "not_home": sum(1 for s in states.values() if s.final is None and s.attempts),
        "escalated": sum(1 for s in states.values() if s.escalated),
        "pending": sum(1 for s in states.values() if s.pending),
    }
    progress = {t: s.progress for t, s in states.items()}
    return CampaignProgress(
        coverage=coverage(campaign, states),
        escalated=tuple(sorted(t for t, p in progress.items() if p is Progress.ESCALATED)),
        corrections=tuple(sorted(t for t, p in progress.items() if p is Progress.CORRECTION)),
        refused=tuple(sorted(t for t, p in progress.items() if p is Progress.REFUSED)),
        counts=counts,
    )


def _column(progress: Progress) -> str:
    if progress in (Progress.VISITED, Progress.REFUSED, Progress.CORRECTION):
        return "done"
    return progress.value  # pending, not_home, escalated


def progress_tables(
    campaign: Campaign, states: dict[str, TargetState], owner: dict[str, str]
) -> tuple[dict[str, dict[str, int]], dict[str, dict[str, int]]]:
    """(by village, by cadre): total, done, pending, not home, escalated."""
    targets = campaign.target_index()
    by_village: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COLUMNS, 0))
    by_cadre: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COLUMNS, 0))
    for tid, s in states.items():
        key = _column(s.progress)
        for group in (by_village[targets[tid].village], by_cadre[owner[tid]]):
            group[key] += 1
            group["total"] += 1
    return (
        {v: dict(c) for v, c in sorted(by_village.items())},
        {c: dict(n) for c, n in sorted(by_cadre.items())},
    )


def silent_cadres(
    campaign: Campaign,
    planned: dict[int, dict[str, int]],
    outcomes: list[Outcome],
    owner: dict[str, str],
) -> list[dict]:
    """Per day, the cadres who had stops planned and reported nothing at all that day
    (JSON-ready, names masked): a cadre absent, or a sheet never handed in.

    ``planned`` maps a day to the stops each cadre had on it in the plan of that day.
    """
    reported: dict[int, set[str]] = defaultdict(set)
    for o in outcomes:
        if not o.return_visit and o.target_id in owner:
            reported[o.day].add(owner[o.target_id])
    cadres = campaign.cadre_index()
    days = []
    for day in sorted(planned):
        quiet = [
            {"cadre_id": c, "name": mask_name(cadres[c].name), "planned": n}
            for c, n in sorted(planned[day].items())
            if n and c not in reported[day] and c in cadres
        ]
        if quiet:
            days.append(
                {"day": day, "date": campaign.settings.date_of(day).isoformat(), "cadres": quiet}
            )
    return days


def finish_states(
    cadre_ids: list[str], plan: Plan, by_cadre: dict[str, dict[str, int]]
) -> dict[str, dict]:
    """预计完成, honestly, per cadre: ``done`` (nothing left), ``late`` (targets that no
    remaining day can hold: how many), else ``on_track`` with the last planned day."""
    unscheduled = Counter(u.cadre_id for u in plan.unscheduled)
    finish = {cp.cadre_id: cp.finish_day for cp in plan.cadre_plans}
    return finish_of(cadre_ids, finish, unscheduled, by_cadre)


def finish_of(
    cadre_ids: list[str],
    finish: dict[str, int],
    unscheduled: Counter[str],
    by_cadre: dict[str, dict[str, int]],
) -> dict[str, dict]:
    """``finish_states`` from a plan's last day per cadre and its unscheduled targets per
    cadre (what summary.json keeps, so the board need not load the plan)."""
    states = {}
    for c in cadre_ids:
        counts = by_cadre.get(c, {})
        left = counts.get("pending", 0) + counts.get("not_home", 0)
        if unscheduled[c]:
            states[c] = {"state": "late", "day": finish.get(c, 0), "unscheduled": unscheduled[c]}
        elif not left and not finish.get(c):
            states[c] = {"state": "done", "day": 0, "unscheduled": 0}
        else:
            states[c] = {"state": "on_track", "day": finish.get(c, 0), "unscheduled": 0}
    return states
