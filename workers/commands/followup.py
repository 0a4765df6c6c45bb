"""Return-visit plans (回访): every resolved request is visited by the cadre who took it.

The pairing is for the long term (一访到底): the routes come from the same routing engine,
one problem per cadre holding only that cadre's requests, so no other cadre can be planned.
Planning again with the same start date and number of days replaces that plan (same number).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

from maps import get_tiles, render_day_map, to_html
from optimizer.domain import defaults
from optimizer.domain.errors import ZoufangError
from optimizer.domain.ledger import RESOLVED
from optimizer.domain.model import Campaign, Plan
from optimizer.outputs.day_routes import ReturnItem, write_day_routes
from optimizer.outputs.files import file_slug, write_json, write_text
from optimizer.outputs.routes import write_routes_csv
from optimizer.route.parallel import solve_all
from optimizer.route.problem import build_problem
from optimizer.travel import travel_model
from workers.commands.campaign import default_out, open_campaign
from workers.commands.maps import ensure_offline_assets, map_options, remove_stale_day_maps
from workers.tasks.config import current


def _pending_by_cadre(store, campaign_id: int):
    """Targets with a resolved request, under the cadre who took it, and each target's
    requests to report back on."""
    by_cadre: dict[str, list[str]] = {}
    items: dict[str, list[ReturnItem]] = {}
    for r in store.requests(campaign_id, RESOLVED):
        ids = by_cadre.setdefault(r.cadre_id, [])
        if r.target_id not in ids:
            ids.append(r.target_id)
        items.setdefault(r.target_id, []).append(ReturnItem(r.id, r.text, r.notes))
    return by_cadre, items


def _solve(campaign: Campaign, first: int, days: int, by_cadre, time_limit_s, workers):
    """One routing problem per cadre over campaign days ``first``..``first + days - 1``."""
    horizon = replace(
        campaign.settings,
        days=first + days - 1,
        policy=replace(campaign.settings.policy, priority_days=0),
    )
    targets, cadres = campaign.target_index(), campaign.cadre_index()
    model = travel_model(campaign.settings.travel, campaign.folder or None)
    problems = [
        # A return visit is a short, agreed call: the cadre's off days do not apply.
        build_problem(
            replace(cadres[c], off_days=()),
            [targets[t] for t in ids],
            horizon,
            model,
            after_day=first - 1,
        )
        for c, ids in sorted(by_cadre.items())
    ]
    plans = solve_all(problems, time_limit_s=time_limit_s, workers=workers)
    return replace(campaign, settings=horizon), plans


def _stored_routes(plan: Plan) -> list[dict]:
    return [
        {
            "cadre_id": r.cadre_id,
            "day": r.day,
            "stops": [[s.target_id, s.arrive_min, s.depart_min, s.travel_min] for s in r.stops],
            "start": r.start_min,
            "end": r.end_min,
            "travel_s": r.travel_s,
        }
        for r in plan.routes
        if r.stops
    ]


def _write_outputs(
    folder: Path, campaign: Campaign, plan: Plan, summary: dict, maps: bool, items, options
):
    """routes.csv, the 回访 day sheets and a map per cadre and day with stops (a day
    without any gets no map)."""
    folder.mkdir(parents=True, exist_ok=True)
    write_routes_csv(folder / "routes.csv", campaign, plan)
    write_day_routes(folder, campaign, plan, returns=items)
    if maps:
        config = current()
        ensure_offline_assets(options.offline)
        tiles = get_tiles(options.tiles, config.tianditu_key)
        notes = {
            target: "；".join(f"回访诉求 #{i.request_id}：{i.text}" for i in found)
            for target, found in items.items()
        }
        keep: dict[str, set[str]] = {}
        for route in plan.routes:
            if not route.stops:
                continue
            name = f"day-{route.day:02d}.html"
            keep.setdefault(file_slug(route.cadre_id), set()).add(name)
            page = render_day_map(campaign, route, tiles=tiles, heading="回访", notes=notes)
            path = folder / "maps" / file_slug(route.cadre_id) / name
            write_text(path, to_html(page, options.offline, config.assets_dir))
        remove_stale_day_maps(folder / "maps", keep)  # a plan made again with fewer stops
    write_json(folder / "summary.json", summary)


def plan_followup(
    campaign_dir: Path,
    start: dt.date,
    days: int,
    *,
    out: Path | None = None,
    time_limit_s: float = defaults.FOLLOWUP_TIME_LIMIT_S,
    workers: int | None = None,
    maps: bool = True,
) -> tuple[int, Path, Plan] | None:
    """Plan the return visits of every resolved request over ``days`` days from ``start``.

    Returns (number, output folder, plan), or None when no request awaits its return visit
    (nothing is written then).
    """
    settings, store, campaign_id = open_campaign(campaign_dir)
    first = (start - settings.start_date).days + 1
    if first < 1:
        raise ZoufangError(f"回访开始日期 {start} 早于活动开始日期 {settings.start_date}")
    by_cadre, items = _pending_by_cadre(store, campaign_id)
    if not by_cadre:
        return None
    campaign = store.load_campaign(campaign_id)
    horizon_campaign, plans = _solve(campaign, first, days, by_cadre, time_limit_s, workers)
    probe = Plan(0, tuple(plans), after_day=first - 1)
    number = store.save_followup(campaign_id, start, days, _stored_routes(probe))
    plan = replace(probe, version=number)
    summary = {
        "followup": number,
        "start_date": start.isoformat(),
        "days": days,
        "first_campaign_day": first,
        "visits": sum(len(r.stops) for r in plan.routes),
        "unscheduled": [
            {"target_id": u.target_id, "cadre_id": u.cadre_id, "reason": u.reason}
            for u in plan.unscheduled
        ],
    }
    folder = default_out(campaign_dir, out) / f"回访-{number:02d}"
    options = map_options(campaign_dir)
    _write_outputs(folder, horizon_campaign, plan, summary, maps, items, options)
    return number, folder, plan
