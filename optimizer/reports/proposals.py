"""A concrete proposal for the cadres at risk: which targets, to whom, how many minutes.

A cadre is at risk when targets of their area fit in none of their remaining days (the plan's
``unscheduled`` for capacity). Each such target is proposed to the cadre who may visit it
(``pairing.may_visit``: type, village, grid) and has the minutes to spare, nearest first:
spare minutes are the remaining days' minutes not used by the plan, less the retry slack;
a target costs its service time plus the detour to reach it from the receiver's nearest
stop or base. Targets nobody can take are said so, with the minutes a day the owner lacks.

The proposal is computed from the stored plan alone, so the same store gives the same
proposal; its ``key`` (a digest of the moves) is what ``zoufang rebalance --apply`` checks
before it applies each move as an audited override (the one exception to 一访到底).
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from optimizer.domain.model import Campaign, Plan
from optimizer.domain.pairing import may_visit
from optimizer.route.problem import REASON_CAPACITY
from optimizer.travel import great_circle_m


@dataclass(frozen=True, slots=True)
class Move:
    target_id: str
    from_cadre: str
    to_cadre: str
    minutes: int  # service plus the detour, as the receiver's plan will need it


@dataclass(frozen=True, slots=True)
class Proposal:
    moves: tuple[Move, ...]
    stuck: tuple[tuple[str, str], ...]  # (target, cadre) nobody can take
    spare_minutes: tuple[tuple[str, int], ...]  # receivers' spare minutes before the moves

    @property
    def key(self) -> str:
        text = ";".join(f"{m.target_id}>{m.to_cadre}" for m in self.moves)
        return hashlib.sha256(text.encode()).hexdigest()[:8]


def spare_minutes(campaign: Campaign, plan: Plan) -> dict[str, int]:
    """Per cadre: minutes of the remaining work days the plan does not use, less the retry
    slack of those days."""
    settings = campaign.settings
    used: dict[tuple[str, int], int] = {(r.cadre_id, r.day): r.duration_min for r in plan.routes}
    spare = {}
    for cadre in campaign.cadres:
        days = cadre.work_days(settings.days, plan.after_day)
        free = sum(max(0, cadre.minutes_per_day - used.get((cadre.id, d), 0)) for d in days)
        keep = settings.policy.retry_slack * cadre.minutes_per_day * len(days)
        spare[cadre.id] = max(0, int(free - keep))
    return spare


def _detour_minutes(campaign: Campaign, metres: float) -> int:
    travel = campaign.settings.travel
    return math.ceil(2 * metres * travel.detour / (travel.speed_kmh * 1000 / 60))


def rebalance(campaign: Campaign, plan: Plan, owners: dict[str, str]) -> Proposal:
    """The moves that give the at-risk cadres' unschedulable targets to cadres with time."""
    late = [u for u in plan.unscheduled if u.reason == REASON_CAPACITY]
    if not late:
        return Proposal((), (), ())
    targets = campaign.target_index()
    at_risk = {u.cadre_id for u in late}
    spare = spare_minutes(campaign, plan)
    places: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for tid, cadre_id in owners.items():
        places[cadre_id].append((targets[tid].lat, targets[tid].lon))
    before = tuple(sorted((c, m) for c, m in spare.items() if c not in at_risk and m > 0))
    moves, stuck = [], []
    order = sorted(late, key=lambda u: (u.cadre_id, not targets[u.target_id].priority, u.target_id))
    for u in order:
        target = targets[u.target_id]
        best = None
        for cadre in campaign.cadres:
            if cadre.id in at_risk or not may_visit(cadre, target):
                continue
            points = np.array(places[cadre.id] + [(cadre.base_lat, cadre.base_lon)])
            metres = float(
                np.min(great_circle_m(points[:, 0], points[:, 1], target.lat, target.lon))
            )
            need = target.service_minutes + _detour_minutes(campaign, metres)
            if need <= spare[cadre.id] and (best is None or (need, cadre.id) < best[:2]):
                best = (need, cadre.id)
        if best is None:
            stuck.append((u.target_id, u.cadre_id))
            continue
        need, receiver = best
        spare[receiver] -= need
        places[receiver].append((target.lat, target.lon))
        moves.append(Move(u.target_id, u.cadre_id, receiver, need))
    return Proposal(tuple(moves), tuple(stuck), before)
