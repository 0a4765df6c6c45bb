"""Render the maps of a published version: a day map per cadre and day, and the overview.

After a re-plan only the changed cadres' day maps are re-rendered (and the overview).
"""

from __future__ import annotations

import itertools
import json
import re
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from maps import fetch_assets, get_tiles, render_day_map, render_overview, to_html
from maps.tiles import Tiles
from optimizer.domain.defaults import default_workers
from optimizer.domain.model import MapOptions
from optimizer.domain.revisits import planned_times, target_states
from optimizer.inputs.settings import read_settings
from optimizer.outputs.files import file_slug, inside, write_text
from optimizer.travel import GreatCircleTravel, travel_model
from workers.store import Store
from workers.tasks.config import current

CADRES_PER_JOB = 8  # day maps per pool job: small enough to balance, big enough to amortise

DAY_FILE = re.compile(r"^day-\d{2,3}\.html$")


def _render_job(job: tuple) -> int:
    """A pool job: a chunk of cadres' day maps, or (``cadre_ids`` None) the overview."""
    url, campaign_id, version, out, cadre_ids, tiles, offline, assets = job
    store = Store.shared(url)
    if cadre_ids is None:
        render_overview_file(store, campaign_id, version, Path(out), tiles, offline, assets)
        return 0
    return _render_days(store, campaign_id, version, Path(out), cadre_ids, tiles, offline, assets)


def _render_days(store, campaign_id, version, out: Path, cadre_ids, tiles, offline, assets) -> int:
    campaign = store.load_campaign(campaign_id)
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
            m = render_day_map(campaign, route, tiles=tiles, geometry=geometry, version=version)
            write_text(folder / f"day-{route.day:02d}.html", to_html(m, offline, assets))
            count += 1
    return count


def remove_stale_day_maps(maps_dir: Path, keep: dict[str, set[str]]) -> int:
    """Remove day maps (only files named as we name them) of days no longer planned: a
    cadre folder keeps ``keep[folder name]``. Returns how many were removed."""
    removed = 0
    if not Path(maps_dir).is_dir():
        return 0
    for folder in Path(maps_dir).iterdir():
        if not folder.is_dir() or folder.is_symlink():
            continue
        wanted = keep.get(folder.name, set())
        for old in folder.iterdir():
            if DAY_FILE.match(old.name) and old.name not in wanted and old.is_file():
                old.unlink()
                removed += 1
    return removed


def cadre_folder(out: Path, cadre_id: str) -> Path:
    """``OUT/maps/<slug of the cadre id>``, created; never outside ``OUT/maps``."""
    maps = out / "maps"
    folder = maps / file_slug(cadre_id)
    if not inside(maps, folder) or folder.resolve() == maps.resolve():
        raise ValueError(f"unsafe map folder for cadre {cadre_id!r}")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def render_overview_file(
    store: Store,
    campaign_id: int,
    version: int,
    out: Path,
    tiles: Tiles,
    offline: bool,
    assets: Path | None = None,
) -> Path:
    campaign = store.load_campaign(campaign_id)
    plan = store.plan(campaign_id, version)
    outcomes = store.outcomes(campaign_id)
    states = target_states(campaign, outcomes, planned_times(plan.routes))
    keys = {tid: s.progress.value for tid, s in states.items()}
    requests = [
        (r.target_id, r.subject) for r in store.requests(campaign_id)
    ]  # 待分类 ones too (subject 0)
    summary = json.loads(store.version_info(campaign_id, version).summary or "{}")
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
        tiles=tiles,
        at_risk=summary.get("at_risk", []),
    )
    return write_text(Path(out) / "maps" / "overview.html", to_html(m, offline, assets))


def map_options(campaign_dir: Path) -> MapOptions:
    """The ``[maps]`` table of the campaign's own ``campaign.toml`` as it is now (tiles and
    offline are how maps are drawn, not part of the plan, so they need no re-plan)."""
    settings, _ = read_settings(Path(campaign_dir))
    return settings.maps if settings else MapOptions()


def maps_offline(campaign_dir: Path) -> bool:
    return map_options(campaign_dir).offline


def ensure_offline_assets(offline: bool) -> None:
    """Offline maps inline Leaflet: fetched once, at first use, from the npm registry
    (sha512 checked); a clear refusal when it cannot be fetched."""
    if offline:
        config = current()
        fetch_assets(config.npm_registry, config.assets_dir)


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
    config = current()
    source = get_tiles(tiles or campaign.settings.maps.tiles, config.tianditu_key)
    offline = campaign.settings.maps.offline if offline is None else offline
    ensure_offline_assets(offline)
    if cadre_ids is None:
        cadre_ids = [c.id for c in campaign.cadres]
    workers = workers or default_workers()
    # The overview first (the longest job), then small chunks of cadres, so both cores stay
    # busy to the end.
    chunks = [cadre_ids[i : i + CADRES_PER_JOB] for i in range(0, len(cadre_ids), CADRES_PER_JOB)]
    jobs = [
        (store.url, campaign_id, version, str(out), chunk, source, offline, config.assets_dir)
        for chunk in [None, *chunks]
    ]
    if workers > 1 and len(jobs) > 1:
        with ProcessPoolExecutor(max_workers=min(workers, len(jobs))) as pool:
            count = sum(pool.map(_render_job, jobs))
    else:
        count = sum(_render_job(j) for j in jobs)
    # Cadres not re-rendered keep their maps, but not those of days already past.
    keep: dict[str, set[str]] = {}
    for cadre_id, days in store.planned_days(campaign_id, version).items():
        keep[file_slug(cadre_id)] = {f"day-{d:02d}.html" for d in days}
    remove_stale_day_maps(Path(out) / "maps", keep)
    return count
