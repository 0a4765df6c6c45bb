"""The files of a return-visit plan (回访-NN/): routes.csv, the 回访 day sheets, a map per cadre
and day with stops, summary.json — written when it is planned, and by ``export`` again from
what the store kept of it (its routes and its sheet), with no new number and no re-solve.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from optimizer.domain.model import (
    CadrePlan,
    Campaign,
    DayRoute,
    MapOptions,
    Plan,
    Stop,
    Unscheduled,
)
from optimizer.outputs.day_routes import ReturnItem, write_day_routes
from optimizer.outputs.files import file_slug, write_json, write_text
from optimizer.outputs.routes import write_routes_csv
from workers.store.records import FollowupPlan
from workers.tasks.config import current


def folder_name(number: int) -> str:
    return f"回访-{number:02d}"


def horizon(campaign: Campaign, first: int, days: int) -> Campaign:
    """The campaign as far as the return visits' last day, with no priority days (a return
    visit has no 重点 deadline): campaign days ``first``..``first + days - 1``."""
    settings = replace(
        campaign.settings,
        days=first + days - 1,
        policy=replace(campaign.settings.policy, priority_days=0),
    )
    return replace(campaign, settings=settings)


def first_day(campaign: Campaign, followup: FollowupPlan) -> int:
    """The campaign day number of the plan's first day."""
    return (followup.start_date - campaign.settings.start_date).days + 1


def stored_routes(plan: Plan) -> list[dict]:
    """The routes with stops, as the store keeps them (``plan_of`` reads them back)."""
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


def plan_of(followup: FollowupPlan, first: int) -> Plan:
    """The stored plan, numbered as it was, its cadres in their stored order (days without
    stops were never stored: no file shows them)."""
    routes: dict[str, list[DayRoute]] = {}
    for r in followup.routes:
        stops = tuple(Stop(*stop) for stop in r["stops"])
        route = DayRoute(r["cadre_id"], r["day"], r["start"], r["end"], stops, r["travel_s"])
        routes.setdefault(r["cadre_id"], []).append(route)
    late: dict[str, list[Unscheduled]] = {}
    for u in (followup.summary or {}).get("unscheduled", []):
        late.setdefault(u["cadre_id"], []).append(Unscheduled(**u))
    cadres = list(routes) + [c for c in late if c not in routes]
    cadre_plans = tuple(
        CadrePlan(c, tuple(routes.get(c, ())), tuple(late.get(c, ()))) for c in cadres
    )
    return Plan(followup.number, cadre_plans, after_day=first - 1)


def write_followup_files(
    folder: Path,
    campaign: Campaign,
    plan: Plan,
    summary: dict,
    items: dict[str, list[ReturnItem]],
    *,
    maps: bool,
    options: MapOptions,
) -> None:
    """routes.csv, the 回访 day sheets and a map per cadre and day with stops (a day
    without any gets no map); summary.json last. ``campaign``: as far as its ``horizon``."""
    folder.mkdir(parents=True, exist_ok=True)
    write_routes_csv(folder / "routes.csv", campaign, plan)
    write_day_routes(folder, campaign, plan, returns=items)
    if maps:
        from maps import get_tiles, render_day_map, to_html  # folium: only when drawing
        from workers.commands.maps import ensure_offline_assets, remove_stale_day_maps

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


def _unknown(campaign: Campaign, followup: FollowupPlan) -> set[str]:
    """Cadres and targets of the plan that the campaign no longer has (``plan --reassign``
    with new inputs): such a plan cannot be printed again."""
    targets, cadres = campaign.target_index(), campaign.cadre_index()
    named = {r["cadre_id"] for r in followup.routes} - cadres.keys()
    return named | {s[0] for r in followup.routes for s in r["stops"] if s[0] not in targets}


def export_followups(
    store, campaign_id: int, out: Path, *, maps: bool, options: MapOptions
) -> list[str]:
    """Every stored return-visit plan's folder again, as it was written; returns what was
    written, and says which plans could not be (stored before their sheets were kept)."""
    campaign = store.load_campaign(campaign_id)
    written = []
    for followup in store.followups(campaign_id):
        name = folder_name(followup.number)
        again = f"zoufang followup CAMPAIGN plan --from {followup.start_date}"
        again += f" --days {followup.days}"
        if followup.summary is None or followup.returns is None:
            written.append(f"{name}（库中未保存其清单，未重新生成；可运行 {again}）")
            continue
        if _unknown(campaign, followup):
            written.append(f"{name}（其人员或对象已不在本活动中，未重新生成）")
            continue
        first = first_day(campaign, followup)
        items = {
            target: [ReturnItem(*item) for item in found]
            for target, found in followup.returns.items()
        }
        write_followup_files(
            Path(out) / name,
            horizon(campaign, first, followup.days),
            plan_of(followup, first),
            followup.summary,
            items,
            maps=maps,
            options=options,
        )
        written.append(f"{name}/")
    return written
