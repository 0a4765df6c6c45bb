"""Closed-loop simulation of a whole campaign through the real record → replan path.

Runs on a scratch store (never the campaign's own), beside a static plan that is never
re-planned, and reports coverage by day for both, and pairing changes (must be zero).
"""

from __future__ import annotations

import dataclasses
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

from optimizer.domain.defaults import PLAN_TIME_LIMIT_S, REPLAN_TIME_LIMIT_S
from optimizer.domain.model import Outcome
from optimizer.domain.pairing import pairing_changes
from optimizer.domain.revisits import coverage, target_states
from optimizer.inputs import read_campaign
from optimizer.route.parallel import Progress
from optimizer.sample.field import Field, simulate_day
from workers.commands.plan import plan_campaign
from workers.store import Store
from workers.tasks import steps


@dataclass(frozen=True, slots=True)
class DayFigures:
    day: int
    coverage: float
    static_coverage: float
    outcomes: int
    changed_cadres: int


@dataclass(frozen=True, slots=True)
class SimulationResult:
    days: tuple[DayFigures, ...]
    pairing_changes: int
    escalated: int
    versions: int


def _pairing_changes(store: Store, campaign_id: int, owners: dict[str, str]) -> int:
    """Stops planned for someone other than the target's own cadre, over every version."""
    version, _ = store.current_version(campaign_id)
    planned = [
        (s.target_id, route.cadre_id)
        for v in range(1, version + 1)
        for route in store.plan(campaign_id, v).routes
        for s in route.stops
    ]
    return pairing_changes(owners, planned) + pairing_changes(
        owners, [(t, c) for t, c in store.owners(campaign_id).items()]
    )


def simulate_campaign(
    campaign_dir: Path,
    field: Field,
    seed: int,
    *,
    workers: int = 1,
    time_limit_s: float = PLAN_TIME_LIMIT_S,
    replan_time_limit_s: float = REPLAN_TIME_LIMIT_S,
    on_day: Progress | None = None,
) -> SimulationResult:
    """Plan, then for every day: simulate the outcomes, record them, re-plan."""
    campaign = read_campaign(campaign_dir)
    with tempfile.TemporaryDirectory() as scratch:
        scratch_dir = Path(scratch)
        for name in ("campaign.toml", "targets.csv", "targets.xlsx", "cadres.csv", "cadres.xlsx"):
            if (Path(campaign_dir) / name).exists():
                (scratch_dir / name).write_bytes((Path(campaign_dir) / name).read_bytes())
        store = Store(f"sqlite:///{scratch_dir / 'simulation.db'}")
        plan_result = _plan_into(store, scratch_dir, seed, workers, time_limit_s)
        campaign_id = store.find_campaign(campaign)
        owners = store.owners(campaign_id)
        static = plan_result.plan
        list_only = dataclasses.replace(field, work_ahead=False)
        static_outcomes: list[Outcome] = []
        days = []
        for day in range(1, campaign.settings.days + 1):
            version, _ = store.current_version(campaign_id)
            today = simulate_day(campaign, store.plan(campaign_id, version), day, field, seed)
            store.record_outcomes(
                campaign_id, today, owners, f"sim-{day}", campaign.settings.ledger_due, night=day
            )
            # The static plan is followed as printed: its later days are never cleaned of what
            # was visited ahead, so its cadres do each day's list only.
            static_outcomes += simulate_day(campaign, static, day, list_only, seed)
            job = steps.begin(store, campaign_id, day, owner=uuid.uuid4().hex)
            try:
                steps.run_local(store, job, replan_time_limit_s, workers)
            finally:
                store.release_lock(campaign_id, job.owner)
            states = target_states(campaign, store.outcomes(campaign_id))
            days.append(
                DayFigures(
                    day,
                    coverage(campaign, states),
                    coverage(campaign, target_states(campaign, static_outcomes)),
                    len(today),
                    len(job.solve),
                )
            )
            if on_day:
                on_day(day, campaign.settings.days)
        final = target_states(campaign, store.outcomes(campaign_id))
        return SimulationResult(
            tuple(days),
            _pairing_changes(store, campaign_id, owners),
            sum(1 for s in final.values() if s.escalated),
            store.current_version(campaign_id)[0],
        )


def _plan_into(store: Store, folder: Path, seed: int, workers: int, time_limit_s: float):
    """``zoufang plan`` against the scratch store (no maps)."""
    return plan_campaign(
        folder,
        folder / "out",
        seed=seed,
        workers=workers,
        time_limit_s=time_limit_s,
        maps=False,
        store=store,
    )
