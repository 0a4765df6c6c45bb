"""Where the campaign stands: counts, coverage, and progress by village and by cadre."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from optimizer.domain.codes import OutcomeStatus, Progress
from optimizer.domain.model import Campaign
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
