"""Return-visit plans (回访): every resolved request is visited by the cadre who took it.

The pairing is for the long term (一访到底): the routes come from the same routing engine,
one problem per cadre holding only that cadre's requests, so no other cadre can be planned.
Planning again with the same start date and number of days replaces that plan (same number).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

from optimizer.domain import defaults
from optimizer.domain.errors import ZoufangError
from optimizer.domain.ledger import RESOLVED
from optimizer.domain.model import Campaign, Plan
from optimizer.outputs.day_routes import ReturnItem
from optimizer.route.parallel import solve_all
from optimizer.route.problem import build_problem
from optimizer.travel import travel_model
from workers.commands.campaign import default_out, open_campaign
from workers.commands.followup_files import (
    folder_name,
    horizon,
    stored_routes,
    write_followup_files,
)
from workers.commands.maps import map_options
from workers.errors import OutputError


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
    planned = horizon(campaign, first, days)
    targets, cadres = campaign.target_index(), campaign.cadre_index()
    model = travel_model(campaign.settings.travel, campaign.folder or None)
    problems = [
        # A return visit is a short, agreed call: the cadre's off days do not apply.
        build_problem(
            replace(cadres[c], off_days=()),
            [targets[t] for t in ids],
            planned.settings,
            model,
            after_day=first - 1,
        )
        for c, ids in sorted(by_cadre.items())
    ]
    plans = solve_all(problems, time_limit_s=time_limit_s, workers=workers)
    return planned, plans


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

    Raises
    ------
    OutputError
        When a file cannot be written (the plan is stored: ``export`` writes its folder).
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
    details = {
        "start_date": start.isoformat(),
        "days": days,
        "first_campaign_day": first,
        "visits": sum(len(r.stops) for r in probe.routes),
        "unscheduled": [
            {"target_id": u.target_id, "cadre_id": u.cadre_id, "reason": u.reason}
            for u in probe.unscheduled
        ],
    }
    # The sheet is stored as printed (the requests move on once visited back): what
    # ``export`` prints this folder from again.
    returns = {t: [(i.request_id, i.text, i.notes) for i in found] for t, found in items.items()}
    number = store.save_followup(
        campaign_id, start, days, stored_routes(probe), summary=details, returns=returns
    )
    plan = replace(probe, version=number)
    folder = default_out(campaign_dir, out) / folder_name(number)
    try:
        write_followup_files(
            folder,
            horizon_campaign,
            plan,
            {"followup": number, **details},
            items,
            maps=maps,
            options=map_options(campaign_dir),
        )
    except OSError as e:
        raise OutputError.unwritten(e, f"第 {number} 次回访安排", "the return-visit plan") from e
    return number, folder, plan
