"""What the board shows, computed from the store: progress, outcome mix, risk, phones, the
ledger, quality flags. Recomputed only when something changed (and at most every few
seconds), so many coordinators polling cost one computation.

Quality flags are prompts for a spot check (抽查), never a ranking: many doors recorded in a
few minutes, or an outcome saved far from its target when the phone offered a location.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import Counter, defaultdict
from dataclasses import asdict

from maps import get_tiles, render_overview, to_html
from optimizer.domain.codes import RESPONSIBILITY_ZH, STATUS_ZH, SUBJECT_ZH, OutcomeStatus
from optimizer.domain.errors import ZoufangError
from optimizer.domain.ledger import MANUAL, STATES
from optimizer.domain.model import hhmm
from optimizer.domain.privacy import mask_name
from optimizer.domain.revisits import target_states
from optimizer.reports.status import finish_of, progress_tables, silent_cadres
from optimizer.travel import great_circle_m
from workers.tasks.config import current
from workers.web.config import campaign_day

RUSH_WINDOW_MIN = 10  # "many doors in a few minutes": this many visits within this window
RUSH_DOORS = 5
FAR_M = 500  # saved farther than this from the target (beyond the phone's stated accuracy)
MIN_RECOMPUTE_S = 3.0
MAP_EVERY_S = 60.0
MOVES = {state: sorted(MANUAL.get(state, ())) for state in STATES}

_cache: dict[tuple[str, int], tuple[tuple[str, str], float, dict]] = {}
_map_cache: dict[tuple[str, int], tuple[tuple, float, str]] = {}
_lock = threading.Lock()


def state_key(field, runner) -> tuple[str, str]:
    """(what coordinators do: versions, ledger moves, re-plans; what phones do: outcomes and
    syncs). A change of the first shows at once; of the second, within a few seconds."""
    store, cid = field.store, field.campaign_id
    devices = store.devices(cid)
    last_sync = max((d["last_sync_at"] for d in devices), default=None)
    run = runner.last.at.isoformat() if runner.last else ""
    ours = [field.current_version(), store.ledger_mark(cid), bool(runner.running_since), run]
    theirs = [store.outcome_mark(cid), len(devices), str(last_sync)]
    return json.dumps(ours), json.dumps(theirs)


def board_state(field, runner) -> dict:
    key = state_key(field, runner)
    with _lock:
        hit = _cache.get((field.store.url, field.campaign_id))
        if hit and (
            hit[0] == key or (hit[0][0] == key[0] and time.monotonic() - hit[1] < MIN_RECOMPUTE_S)
        ):
            return hit[2]
        tag = hashlib.sha256("|".join(key).encode()).hexdigest()[:16]
        state = {**_compute(field, runner), "key": tag}
        _cache[(field.store.url, field.campaign_id)] = (key, time.monotonic(), state)
        return state


def _compute(field, runner) -> dict:
    store, cid = field.store, field.campaign_id
    campaign = store.load_campaign(cid)
    version, after_day = store.current_version(cid)
    summary = json.loads(store.version_info(cid, version).summary or "{}")
    outcomes = store.outcomes(cid)
    states = target_states(campaign, outcomes)
    owner = store.owners(cid)
    cadres = campaign.cadre_index()
    today = campaign_day(field.settings, field.config.now().date())
    progress = _progress(campaign, states, owner, summary)
    # The days that are over: before today, and every night recorded by an outcomes file.
    over = min(max(store.last_night(cid), today - 1), campaign.settings.days)
    return {
        "campaign": campaign.settings.name,
        "version": version,
        "after_day": after_day,
        "today": today,
        "days": campaign.settings.days,
        "coverage": progress["coverage"],
        "by_cadre": progress["by_cadre"],
        "by_village": progress["by_village"],
        "mix": _mix(outcomes, today),
        "at_risk": [
            {**r, "name": mask_name(cadres[r["cadre_id"]].name)}
            for r in summary.get("at_risk", [])
            if r["cadre_id"] in cadres
        ],
        "silent": silent_cadres(campaign, store.planned_by_day(cid, over), outcomes, owner),
        "hot_spots": _hot_spots(campaign, states),
        "devices": _devices(store.devices(cid), cadres, store.live_links(cid)),
        "ledger": _ledger(store.requests(cid)),
        "flags": _rush_flags(outcomes, cadres) + _far_flags(store.attempts(cid), campaign),
        "replan": {
            "at": hhmm(field.settings.replan_at_min) if field.settings.replan_at_min else None,
            "running": runner.running_since is not None,
            "last": runner.last,
            "runs": store.runs(cid),
        },
    }


def _progress(campaign, states, owner, summary) -> dict:
    by_village, by_cadre = progress_tables(campaign, states, owner)
    risk = {r["cadre_id"]: r for r in summary.get("at_risk", [])}
    cadres = campaign.cadre_index()
    finish = finish_of(
        list(by_cadre),
        summary.get("projected_finish_day", {}),
        Counter(u["cadre_id"] for u in summary.get("unscheduled", [])),
        by_cadre,
    )
    done = sum(1 for s in states.values() if s.final)
    return {
        "coverage": done / len(states) if states else 0.0,
        "by_village": [{"village": v, **n} for v, n in sorted(by_village.items())],
        "by_cadre": [
            {
                "cadre_id": c,
                "name": mask_name(cadres[c].name) if c in cadres else "",
                **n,
                "finish": finish_text(finish[c]),
                "risk": risk.get(c),
            }
            for c, n in sorted(by_cadre.items())
            if c
        ],
    }


def finish_text(finish: dict) -> str:
    """预计完成日 as the board shows it: finished, late (how many no day can hold), or the day."""
    if finish["state"] == "done":
        return "已完成"
    if finish["state"] == "late":
        return f"完不成（{finish['unscheduled']} 个排不下）"
    return f"第 {finish['day']} 天" if finish["day"] else "—"


def _mix(outcomes, today: int) -> list[dict]:
    total = Counter(o.status for o in outcomes)
    on_day = Counter(o.status for o in outcomes if o.day == today)
    return [
        {"status": s.value, "label": STATUS_ZH[s], "total": total[s], "today": on_day[s]}
        for s in OutcomeStatus
    ]


def _hot_spots(campaign, states, top: int = 10) -> list[dict]:
    """Where targets wait after a not-home (by village and grid), most first."""
    targets = campaign.target_index()
    counts = Counter(
        targets[t].grid_key for t, s in states.items() if s.final is None and s.attempts
    )
    return [{"village": v, "grid": g, "not_home": n} for (v, g), n in counts.most_common(top)]


def _devices(devices, cadres, linked) -> list[dict]:
    rows = [
        {
            "cadre_id": d["cadre_id"],
            "name": mask_name(cadres[d["cadre_id"]].name) if d["cadre_id"] in cadres else "",
            "device": d["device_id"][:8],
            "last_sync": d["last_sync_at"],
            "backlog": d["backlog"],
        }
        for d in devices
    ]
    synced = {d["cadre_id"] for d in devices}
    rows += [
        {
            "cadre_id": c,
            "name": mask_name(cadres[c].name),
            "device": "",
            "last_sync": None,
            "backlog": None,
        }
        for c in sorted(linked - synced)
        if c in cadres
    ]
    return rows


def _ledger(requests) -> dict:
    """Counts by class × subject and state, and the requests themselves (newest first)."""
    counts: dict[tuple[int, int], Counter] = defaultdict(Counter)
    for r in requests:
        counts[(r.responsibility, r.subject)][r.state] += 1
    rows = [
        {
            "class": RESPONSIBILITY_ZH[k[0]],
            "subject": SUBJECT_ZH[k[1]],
            "states": [c[s] for s in STATES],
            "total": sum(c.values()),
        }
        for k, c in sorted(counts.items())
    ]
    items = [
        {
            **asdict(r),
            "unit": r.answering_unit,
            "class": RESPONSIBILITY_ZH[r.responsibility],
            "subject_zh": SUBJECT_ZH[r.subject],
        }
        for r in sorted(requests, key=lambda r: -r.id)[:200]
    ]
    return {"states": STATES, "rows": rows, "requests": items, "total": len(requests)}


def _rush_flags(outcomes, cadres) -> list[dict]:
    times = defaultdict(list)
    for o in outcomes:
        if o.status is OutcomeStatus.VISITED and o.time_min is not None and o.satisfied is None:
            times[(o.cadre_id, o.day)].append(o.time_min)
    flags = []
    for (cadre_id, day), minutes in sorted(times.items()):
        minutes.sort()
        best, start, first = 0, 0, 0
        for end, minute in enumerate(minutes):
            while minute - minutes[start] > RUSH_WINDOW_MIN:
                start += 1
            if end - start + 1 > best:
                best, first = end - start + 1, start
        if best >= RUSH_DOORS:
            flags.append(
                {
                    "kind": "rush",
                    "cadre_id": cadre_id,
                    "name": mask_name(cadres[cadre_id].name) if cadre_id in cadres else "",
                    "day": day,
                    "text": f"第{day}天 {hhmm(minutes[first])}–{hhmm(minutes[first + best - 1])} "
                    f"{RUSH_WINDOW_MIN} 分钟内登记 {best} 户已走访",
                }
            )
    return flags


def _far_flags(attempts, campaign) -> list[dict]:
    targets, cadres = campaign.target_index(), campaign.cadre_index()
    flags = []
    for a in attempts:
        target = targets.get(a["target_id"])
        if a["lat"] is None or target is None:
            continue
        metres = float(great_circle_m(a["lat"], a["lon"], target.lat, target.lon))
        if metres - (a["accuracy_m"] or 0) > FAR_M:
            flags.append(
                {
                    "kind": "far",
                    "cadre_id": a["cadre_id"],
                    "name": mask_name(cadres[a["cadre_id"]].name)
                    if a["cadre_id"] in cadres
                    else "",
                    "day": a["day"],
                    "text": f"第{a['day']}天 对象 {target.id} 的结果"
                    f"在距其约 {metres / 1000:.1f} 公里处保存",
                }
            )
    return flags


def overview_html(field, runner) -> str:
    """The overview map (``maps.render_overview``) with the live state: targets coloured by
    where they stand now, requests, and the board's own figures in its box; re-rendered when
    outcomes changed, at most once a minute; Leaflet inlined when it is on disk."""
    store, cid = field.store, field.campaign_id
    config = current()
    mark = (field.current_version(), store.outcome_mark(cid))
    with _lock:
        hit = _map_cache.get((store.url, cid))
        if hit and (hit[0] == mark or time.monotonic() - hit[1] < MAP_EVERY_S):
            return hit[2]
    state = board_state(field, runner)
    campaign = store.load_campaign(cid)
    outcomes = store.outcomes(cid)
    keys = {tid: s.progress.value for tid, s in target_states(campaign, outcomes).items()}
    progress = {
        "plan_version": state["version"],
        "coverage": state["coverage"],
        "not_home": sum(1 for k in keys.values() if k == "not_home"),
        "escalated": sum(1 for k in keys.values() if k == "escalated"),
        "at_risk": len(state["at_risk"]),
    }
    m = render_overview(
        campaign,
        store.assignment(cid),
        states=keys,
        requests=[(o.target_id, o.category.subject) for o in outcomes if o.category],
        progress=progress,
        tiles=get_tiles(field.settings.maps.tiles, config.tianditu_key),
    )
    try:
        html = to_html(m, offline=True, assets_dir=config.assets_dir)
    except ZoufangError:  # Leaflet not downloaded (zoufang assets): load it online
        html = to_html(m, offline=False)
    with _lock:
        _map_cache[(store.url, cid)] = (mark, time.monotonic(), html)
    return html
