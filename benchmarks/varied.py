"""Towns unlike our samples, for the route benchmark (issue 12, item 6): per-cadre problems.

A sample town is transformed the way the towns of issue 12 differ from ours: cadres work
180–300 minutes a day, about 40 % of them 08:30–17:30 only, bases given by village only (the
village's centre), 10–20 % of households at home only in the evening, cadres removed until the
estimated workload is 0.67–0.75 of all their minutes (no retry slack held back). Time windows
are part of the assignment in issue 12 (item 2): evening households go only to cadres who work
evenings, which is emulated here by drawing the evening households inside the areas of such
cadres after the assignment. Every cadre's problem has its full days.
"""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import numpy as np

from optimizer.assign.solve import assign_areas
from optimizer.domain.codes import TargetType
from optimizer.inputs import read_campaign
from optimizer.route.problem import RouteProblem, build_problem
from optimizer.sample import generate_sample, write_sample
from optimizer.travel import travel_model
from optimizer.workload import workload_minutes

DAY_ONLY_SHARE = 0.4
EVENING_SHARE = (0.10, 0.20)
MINUTES = (180, 300)
UTILIZATION = (0.67, 0.75)
LOCAL_MAX = 0.8


def _transform_rows(sample, rng):
    """Minutes a day redrawn, bases by village, no evening households yet, no retry slack."""
    for row in sample.targets:
        if row["type"] == TargetType.HOUSEHOLD.value:
            row["window"] = ""
    for row in sample.cadres:
        row["minutes_per_day"] = str(5 * int(rng.integers(MINUTES[0] // 5, MINUTES[1] // 5 + 1)))
        if row.get("village"):
            row.pop("base_lat", None)
            row.pop("base_lon", None)
    toml = sample.toml.replace("retry_slack = 0.15", "retry_slack = 0")
    return replace(sample, toml=toml)


def _utilization(campaign) -> float:
    work = float(workload_minutes(campaign.targets, campaign.settings).sum())
    days = campaign.settings.days
    capacity = sum(c.minutes_per_day * len(c.work_days(days)) for c in campaign.cadres)
    return work / capacity


def _remove_cadres(sample, campaign, rng, goal: float):
    """Drop cadres until the workload is ``goal`` of capacity: never a village's last cadre
    without a grid, never one that would leave its village (or sector) above
    ``LOCAL_MAX`` of its cadres' minutes."""
    rows = list(sample.cadres)
    by_id = {c.id: c for c in campaign.cadres}
    work = workload_minutes(campaign.targets, campaign.settings)
    local: dict[str, float] = {}
    for t, w in zip(campaign.targets, work, strict=True):
        local[t.village] = local.get(t.village, 0.0) + float(w)
    days = campaign.settings.days

    def capacity(rs):
        return sum(by_id[r["id"]].minutes_per_day * len(by_id[r["id"]].work_days(days)) for r in rs)

    for k in rng.permutation(len(sample.cadres)):
        if float(work.sum()) / capacity(rows) >= goal:
            break
        row = sample.cadres[int(k)]
        village = row.get("village")
        if not village:
            continue
        rest = [r for r in rows if r.get("village") == village and r is not row]
        if any(not r.get("grid") for r in rest) and local.get(village, 0.0) <= LOCAL_MAX * (
            capacity(rest)
        ):
            rows.remove(row)
    return replace(sample, cadres=rows)


def _relieve(sample, removed: list[dict], scopes: set[str]):
    """One removed cadre back in each village short of minutes, or (none left) longer days."""
    back = []
    for scope in scopes:
        mine = [r for r in removed if scope.startswith(r["village"] + "（")]
        if mine:
            back.append(mine[0])
            removed.remove(mine[0])
            continue
        for r in sample.cadres:
            if r.get("village") and scope.startswith(r["village"] + "（"):
                r["minutes_per_day"] = str(MINUTES[1])
    return replace(sample, cadres=[*sample.cadres, *back])


def varied_problems(town: str, targets: int, seed: int, folder: Path) -> list[RouteProblem]:
    """Every cadre's first-plan problem of a varied town built from sample ``town``."""
    rng = np.random.default_rng(seed + 1000)
    full = _transform_rows(generate_sample(town, targets, seed), rng)
    campaign = read_campaign(write_sample(folder / f"{town}{seed}-a", full))
    sample = _remove_cadres(full, campaign, rng, float(rng.uniform(*UTILIZATION)))
    removed = [r for r in full.cadres if r not in sample.cadres]
    for _ in range(10):  # put cadres back (or lengthen days) where the assignment finds too few
        campaign = read_campaign(write_sample(folder / f"{town}{seed}", sample))
        assignment = assign_areas(campaign, seed=seed)
        if assignment.feasible:
            break
        sample = _relieve(sample, removed, {s.scope for s in assignment.shortfalls})
    else:
        raise RuntimeError(f"varied town {town} {seed}: {len(assignment.shortfalls)} shortfalls")
    settings = campaign.settings
    day, evening = settings.window("day"), settings.window("evening")
    cadres = campaign.cadre_index()
    index = campaign.target_index()
    day_only = {a.cadre_id for a in assignment.areas if rng.random() < DAY_ONLY_SHARE}
    households = [t for a in assignment.areas if a.cadre_id not in day_only for t in a.target_ids]
    all_households = sum(t.type is TargetType.HOUSEHOLD for t in campaign.targets)
    share = float(rng.uniform(*EVENING_SHARE))
    chance = min(1.0, share * all_households / max(1, len(households)))
    model = travel_model(settings.travel)
    problems = []
    for area in assignment.areas:
        cadre = cadres[area.cadre_id]
        mine = [index[t] for t in area.target_ids]
        if area.cadre_id in day_only:
            cadre = replace(cadre, window=day)
        else:
            mine = [
                replace(t, window=evening)
                if t.type is TargetType.HOUSEHOLD and rng.random() < chance
                else t
                for t in mine
            ]
        problem = build_problem(cadre, mine, settings, model)
        if problem.size:
            problems.append(problem)
    return problems


def describe(problems: list[RouteProblem]) -> str:
    """A line of what the problems are like."""
    evening = sum(w.start_min >= 18 * 60 for p in problems for w in p.windows)
    targets = sum(p.size for p in problems)
    day_only = sum(p.cadre.window.end_min <= 17 * 60 + 30 for p in problems)
    minutes = [p.cadre.minutes_per_day for p in problems]
    work = sum(t.service_minutes for p in problems for t in p.targets)
    capacity = sum(p.cadre.minutes_per_day * len(p.days) for p in problems)
    aside = sum(len(p.set_aside) for p in problems)
    median = int(np.median([p.size for p in problems]))
    return (
        f"{len(problems)} cadres, {targets} targets ({evening} evening, {aside} set aside), "
        f"{day_only} day-only cadres, {min(minutes)}–{max(minutes)} min a day, service "
        f"{work / capacity:.2f} of capacity (median area {median} "
        f"targets, {math.fsum(len(p.days) for p in problems) / len(problems):.1f} days)"
    )
