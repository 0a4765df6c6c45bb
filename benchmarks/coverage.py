"""Why targets are not covered at the deadline: the closed loop of one zoo town, target by target.

Runs the closed loop of ``benchmarks/zoo.py`` (record → replan every night, the seeded field of
``optimizer.sample.field``) on one zoo town and sorts every target not covered at the deadline:
escalated (missed ``max_attempts`` times) or still pending with its attempts so far, by whether
its cadre works evenings; then, per cadre with losses, their load, the days they were absent
and the targets they lost. The figures behind benchmarks/README.md's zoo section.

Run: ``python benchmarks/coverage.py KIND [--seed 1] [--util 0.7] [--absent 0.05]``
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
import uuid
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from optimizer.domain.pairing import visit_window
from optimizer.domain.revisits import coverage, target_states
from optimizer.inputs import read_campaign
from optimizer.sample import write_sample
from optimizer.sample.field import Field, simulate_day
from optimizer.sample.zoo import ZOO_KINDS, generate_zoo_town
from workers.commands.simulation import _plan_into
from workers.store import Store
from workers.tasks import steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("kind", choices=list(ZOO_KINDS))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--util", type=float, default=0.0, help="override the kind's")
    parser.add_argument("--absent", type=float, default=0.05, help="absent cadre-days")
    parser.add_argument(
        "--list-only",
        action="store_true",
        help="cadres do the day's list only, a miss taking its whole visit (no work ahead)",
    )
    parser.add_argument("--why", action="store_true", help="each lost target's attempts")
    args = parser.parse_args()
    spec = ZOO_KINDS[args.kind]
    if args.util:
        spec = dataclasses.replace(spec, utilization=args.util)
    field = Field(
        not_home=0.2, evening_factor=0.25, absent=args.absent, work_ahead=not args.list_only
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_sample(Path(tmp) / args.kind, generate_zoo_town(spec, args.seed))
        campaign = read_campaign(folder)
        store = Store(f"sqlite:///{Path(tmp) / 'loop.db'}")
        plan = _plan_into(store, folder, args.seed, 2, 0.3)
        campaign_id = store.find_campaign(campaign)
        owners = store.owners(campaign_id)
        absent: set[tuple[str, int]] = set()
        for day in range(1, campaign.settings.days + 1):
            version, _ = store.current_version(campaign_id)
            today = simulate_day(campaign, store.plan(campaign_id, version), day, field, args.seed)
            reported = {o.cadre_id for o in today}
            for route in store.plan(campaign_id, version).routes:
                if route.day == day and route.stops and route.cadre_id not in reported:
                    absent.add((route.cadre_id, day))
            due = campaign.settings.ledger_due
            store.record_outcomes(campaign_id, today, owners, f"loop-{day}", due, night=day)
            job = steps.begin(store, campaign_id, day, owner=uuid.uuid4().hex)
            try:
                steps.run_local(store, job, 0.02, 2)
            finally:
                store.release_lock(campaign_id, job.owner)
        report(campaign, store.outcomes(campaign_id), owners, absent, plan.assignment)
        floor = escalation_floor(campaign, store.plan(campaign_id, 1), owners, field)
        print(
            f"escalation floor: {floor:.1f} targets ({floor / len(campaign.targets):.2%}) are "
            f"expected to be missed {campaign.settings.policy.max_attempts} times at these rates "
            "whatever the plan (retries at the times DESIGN §5 gives)"
        )
        if args.why:
            history(campaign, store, campaign_id, owners)


def report(campaign, outcomes, owners, absent, assignment) -> None:
    states = target_states(campaign, outcomes)
    cadres = campaign.cadre_index()
    evening = campaign.settings.window("evening")
    print(f"coverage {coverage(campaign, states):.2%} of {len(campaign.targets)} targets")
    kinds: Counter[str] = Counter()
    lost: Counter[str] = Counter()
    for target_id, state in states.items():
        if state.final is not None:
            continue
        cadre = cadres[owners[target_id]]
        works_evenings = evening is not None and evening.intersect(cadre.window) is not None
        what = "escalated" if state.escalated else f"pending after {state.attempts} attempts"
        kinds[f"{what}, {'evening' if works_evenings else 'day-only'} cadre"] += 1
        lost[cadre.id] += 1
    for what, count in sorted(kinds.items()):
        print(f"  {count:5d}  {what}")
    load = {
        c: w / max(1, m)
        for (c, w), (_, m) in zip(
            assignment.workload_minutes, assignment.capacity_minutes, strict=True
        )
    }
    print("cadre   lost  load  absent days")
    for cadre_id, count in lost.most_common():
        days = sorted(d for c, d in absent if c == cadre_id)
        print(f"{cadre_id:7s} {count:5d}  {load[cadre_id]:.2f}  {days or '—'}")


def escalation_floor(campaign, first_plan, owners, field: Field) -> float:
    """Targets expected to escalate under the not-home policy alone: the first attempt at its
    planned time, each retry at the other time this cadre works (``domain.revisits``: the
    evening after a daytime miss when the cadre and the target allow it, by day after an
    evening miss, by day again for a day-only cadre), each missed at the field's rate."""
    evening = campaign.settings.window("evening")
    cadres, targets = campaign.cadre_index(), campaign.target_index()
    first = {s.target_id: s.arrive_min for r in first_plan.routes for s in r.stops}
    total = 0.0
    for target_id, minute in first.items():
        cadre, target = cadres[owners[target_id]], targets[target_id]
        allowed = visit_window(cadre, target)
        can_day = allowed is not None and (evening is None or allowed.start_min < evening.start_min)
        can_evening = (
            allowed is not None and evening is not None and allowed.intersect(evening) is not None
        )
        at_night = evening is not None and evening.contains(minute)
        p = 1.0
        for _ in range(campaign.settings.policy.max_attempts):
            p *= field.not_home * (field.evening_factor if at_night else 1.0)
            at_night = (not at_night and can_evening) or not can_day
        total += p
    return total


def _hhmm(minute: int | None) -> str:
    return "--:--" if minute is None else f"{minute // 60:02d}:{minute % 60:02d}"


def history(campaign, store, campaign_id, owners) -> None:
    """Each target not covered: type, window, attempts, and the last days the plans gave it."""
    states = target_states(campaign, store.outcomes(campaign_id))
    targets = campaign.target_index()
    version, _ = store.current_version(campaign_id)
    planned: dict[str, list[str]] = {}
    for v in range(1, version + 1):
        for route in store.plan(campaign_id, v).routes:
            for stop in route.stops:
                when = f"v{v}:d{route.day}@{_hhmm(stop.arrive_min)}"
                planned.setdefault(stop.target_id, []).append(when)
    for target_id, state in sorted(states.items()):
        if state.final is not None:
            continue
        t = targets[target_id]
        tried = "; ".join(f"d{o.day} {_hhmm(o.time_min)} {o.status.value}" for o in state.history)
        plans = " ".join(planned.get(target_id, [])[-4:])
        print(f"{target_id} {owners[target_id]} {t.type.value} {t.window or '-'}: ", end="")
        print(f"{tried or 'never'} | {plans}")
    cadres = campaign.cadre_index()
    lost = sorted({owners[t] for t, st in states.items() if st.final is None})
    for cadre_id in lost:
        cadre = cadres[cadre_id]
        days = []
        for v in range(1, version + 1):
            plan = store.plan(campaign_id, v)
            for route in plan.routes:
                if route.cadre_id == cadre_id and route.day == plan.after_day + 1 and route.stops:
                    used = route.end_min - route.start_min
                    days.append(
                        f"d{route.day} {len(route.stops)} stops {used}/{cadre.minutes_per_day}"
                    )
        print(f"{cadre_id} {cadre.window}: {'; '.join(days)}")


if __name__ == "__main__":
    main()
