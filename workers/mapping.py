"""Render the maps of a published version: a day map per cadre and day, and the overview.

After a re-plan only the changed cadres' day maps are re-rendered (and the overview).
"""

from __future__ import annotations

import itertools
import json
import re
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from maps import get_tiles, render_day_map, render_overview, to_html
from optimizer.model import OutcomeStatus
from optimizer.planning import default_workers
from optimizer.replan import target_states
from optimizer.tables.files import file_slug, inside, write_text
from optimizer.travel import GreatCircleTravel, travel_model
from workers.store import Store

CADRES_PER_JOB = 8  # day maps per pool job: small enough to balance, big enough to amortise

DAY_FILE = re.compile(r"^day-\d{2,3}\.html$")

FINAL_KEYS = {
    OutcomeStatus.VISITED: "visited",
    OutcomeStatus.REFUSED: "refused",
    OutcomeStatus.MOVED: "correction",
    OutcomeStatus.INVALID: "correction",
}


def _status_keys(states) -> dict[str, str]:
    keys = {}
    for tid, s in states.items():
        if s.final:
            keys[tid] = FINAL_KEYS[s.final]
        elif s.escalated:
            keys[tid] = "escalated"
        elif s.attempts:
            keys[tid] = "not_home"
        else:
            keys[tid] = "pending"
    return keys


def _render_job(job: tuple) -> int:
    """A pool job: a chunk of cadres' day maps, or (``cadre_ids`` None) the overview."""
    url, campaign_id, version, out, cadre_ids, tiles_name, offline = job
    if cadre_ids is None:
        render_overview_file(
            Store.shared(url), campaign_id, version, Path(out), tiles_name, offline
        )
        return 0
    return _render_days(job)


def _render_days(job: tuple) -> int:
    url, campaign_id, version, out, cadre_ids, tiles_name, offline = job
    store = Store.shared(url)
    campaign = store.load_campaign(campaign_id)
    tiles = get_tiles(tiles_name)
    model = travel_model(campaign.settings.travel, campaign.folder or None)
    roads = not isinstance(model, GreatCircleTravel)
    targets = campaign.target_index()
    count = 0
    for cadre_id in cadre_ids:
        folder = cadre_folder(Path(out), cadre_id)
        cadre = campaign.cadre_index()[cadre_id]
        routes = store.cadre_routes(campaign_id, version, cadre_id)
        keep = {f"day-{r.day:02d}.html" for r in routes}
        for old in folder.iterdir():  # only day maps we wrote, of days no longer planned
            if DAY_FILE.match(old.name) and old.name not in keep and old.is_file():
                old.unlink()
        for route in routes:
            geometry = None
            if roads:
                places = [
                    (cadre.base_lat, cadre.base_lon),
                    *((targets[s.target_id].lat, targets[s.target_id].lon) for s in route.stops),
                    (cadre.base_lat, cadre.base_lon),
                ]
                geometry = [model.path(a, b) for a, b in itertools.pairwise(places)]
            m = render_day_map(campaign, route, tiles=tiles, geometry=geometry)
            write_text(folder / f"day-{route.day:02d}.html", to_html(m, offline))
            count += 1
    return count


def cadre_folder(out: Path, cadre_id: str) -> Path:
    """``OUT/maps/<slug of the cadre id>``, created; never outside ``OUT/maps``."""
    maps = out / "maps"
    folder = maps / file_slug(cadre_id)
    if not inside(maps, folder) or folder.resolve() == maps.resolve():
        raise ValueError(f"unsafe map folder for cadre {cadre_id!r}")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def render_overview_file(
    store: Store, campaign_id: int, version: int, out: Path, tiles_name: str, offline: bool
) -> Path:
    campaign = store.load_campaign(campaign_id)
    plan = store.plan(campaign_id, version)
    planned = {(s.target_id, r.day): s.arrive_min for r in plan.routes for s in r.stops}
    outcomes = store.outcomes(campaign_id)
    keys = _status_keys(target_states(campaign, outcomes, planned))
    requests = [(o.target_id, o.category.subject) for o in outcomes if o.category]
    summary = json.loads(store.version_info(campaign_id, version)["summary"] or "{}")
    counts = summary.get("counts", {})
    progress = {
        "plan_version": version,
        "coverage": summary.get("coverage", 0.0),
        "not_home": counts.get("not_home", 0),
        "escalated": len(summary.get("escalated", [])),
        "at_risk": len(summary.get("at_risk", [])),
    }
    m = render_overview(
        campaign,
        store.assignment(campaign_id),
        states=keys,
        requests=requests,
        progress=progress,
        tiles=get_tiles(tiles_name),
    )
    return write_text(Path(out) / "maps" / "overview.html", to_html(m, offline))


def render_maps(
    store: Store,
    campaign_id: int,
    version: int,
    out: Path,
    cadre_ids: list[str] | None = None,
    *,
    tiles: str | None = None,
    offline: bool | None = None,
    workers: int | None = None,
) -> int:
    """Day maps of ``cadre_ids`` (all cadres when None) and the overview; returns the count."""
    campaign = store.load_campaign(campaign_id)
    tiles = tiles or campaign.settings.maps.tiles
    offline = campaign.settings.maps.offline if offline is None else offline
    get_tiles(tiles)  # fail early on a missing key
    if cadre_ids is None:
        cadre_ids = [c.id for c in campaign.cadres]
    workers = workers or default_workers()
    # The overview first (the longest job), then small chunks of cadres, so both cores stay
    # busy to the end.
    chunks = [cadre_ids[i : i + CADRES_PER_JOB] for i in range(0, len(cadre_ids), CADRES_PER_JOB)]
    jobs = [
        (store.url, campaign_id, version, str(out), chunk, tiles, offline)
        for chunk in [None, *chunks]
    ]
    if workers > 1 and len(jobs) > 1:
        with ProcessPoolExecutor(max_workers=min(workers, len(jobs))) as pool:
            return sum(pool.map(_render_job, jobs))
    return sum(_render_job(j) for j in jobs)


def render_all(store: Store, campaign_id: int, version: int, out: Path) -> int:
    return render_maps(store, campaign_id, version, out)


def render_changed(store: Store, campaign_id: int, version: int, out: Path, cadre_ids) -> int:
    return render_maps(store, campaign_id, version, out, list(cadre_ids))
