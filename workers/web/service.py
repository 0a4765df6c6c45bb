"""What the field app does with the store: a cadre's day, return visits, recording a sync.

Rows from phones pass ``optimizer.tables.outcomes.check_outcome_rows`` — the checks of
``zoufang record`` — with the cadre of the session as the row's ``cadre_id``, so a target of
another cadre is rejected (一访到底) and nothing of that row is stored.
"""

from __future__ import annotations

import gc
import re
import time
from dataclasses import dataclass
from pathlib import Path

from maps.coords import wgs84_to_gcj02
from maps.tiles import get_tiles
from optimizer.domain.codes import SUBJECT_ZH
from optimizer.domain.errors import InvalidInputError, ZoufangError
from optimizer.domain.ledger import RESOLVED
from optimizer.domain.model import Outcome, RequestCategory, hhmm
from optimizer.domain.privacy import display_name, mask_name
from optimizer.domain.revisits import target_states
from optimizer.inputs.columns import OUTCOME_COLUMNS
from optimizer.inputs.outcomes import check_outcome_rows
from optimizer.inputs.settings import read_settings
from optimizer.inputs.sheets import cells_problem
from workers.commands.campaign import followup_last_day
from workers.store import Store
from workers.store.field import Attempt, SyncWrite
from workers.tasks.config import current
from workers.web.config import MAX_REQUEST_CHARS, WebConfig, campaign_day

ATTEMPT_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")
CAMPAIGN_TTL_S = 30.0
NO_PLACE = (None, None, None)
FIELDS = ("target_id", "day", "status", "time", "category", "request", "satisfied")
FIELD_ZH = {c.name: c.aliases[0] for c in OUTCOME_COLUMNS}  # 对象编号, 天, 结果, …


@dataclass(frozen=True, slots=True)
class RowResult:
    attempt_id: str
    result: str  # accepted | duplicate | rejected
    reason: str = ""

    def as_json(self) -> dict:
        return {"attempt_id": self.attempt_id, "result": self.result, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class Sync:
    """A phone's POST as received: its credential (a link secret whose signature was checked,
    or a session id), which phone, its rows, how many it still holds unsent."""

    secret: str | None
    session_id: str | None
    device_id: str
    rows: list
    backlog: int = 0
    agent: str = ""


def settle_heap() -> None:
    """Collect once, then move every object alive now out of the garbage collector's sight.

    A server holds a whole campaign (tens of thousands of targets) for hours; each full
    collection would walk it again, and a burst of syncs triggers many. Measured, 300 phones
    of 20 outcomes on PostgreSQL: 0.69–1.17 s of checking and writing before, 0.36 s after.
    Called when the campaign held changes (a new snapshot), not per request.

    The youngest generation is collected after 10,000 allocations rather than 700: a burst
    allocates hundreds of thousands of short-lived rows, results and messages, and the
    collector kept walking them: a tenth of the server's processor time in a profile (perf)
    of 300 syncs; paired runs, 0.245 s of processor time a burst against 0.29 s."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)


class FieldService:
    """One campaign's field app over one store (shared by every request of the process)."""

    def __init__(self, config: WebConfig, store: Store | None = None):
        settings, problems = read_settings(Path(config.campaign_dir))
        if problems:
            raise InvalidInputError(problems)
        self.config, self.settings = config, settings
        self.store = store or Store.for_campaign(config.campaign_dir, current().db_url)
        campaign_id = self.store.find_campaign_key(settings)
        if campaign_id is None or self.store.current_version(campaign_id) is None:
            raise ZoufangError("这个活动还没有发布计划，请先运行 zoufang plan / plan it first")
        self.campaign_id = campaign_id
        self.key = self.store.web_key()
        self._held = None
        self._frozen = None  # the campaign object the heap was last settled with
        self._recording_campaign()  # parsed once at start, not by the first burst of syncs
        self.tiles = get_tiles(settings.maps.tiles, current().tianditu_key)

    def campaign(self):
        campaign = self.store.load_campaign(self.campaign_id)
        if campaign is not self._frozen:
            self._frozen = campaign
            settle_heap()
        return campaign

    def current_version(self) -> int:
        return self.store.current_version(self.campaign_id)[0]

    def day_route(self, cadre_id: str, day: int) -> dict:
        """The cadre's stops of ``day`` as told (JSON-ready), with attempts so far.

        ``today`` is the campaign day of today's date (it may lie outside the campaign): an
        outcome is recorded on it, or on the page's day when that is earlier (a late entry)."""
        campaign = self.campaign()
        targets, cadre = campaign.target_index(), campaign.cadre_index()[cadre_id]
        version = self.store.version_for_day(self.campaign_id, day)
        route = None
        if version is not None:
            routes = self.store.cadre_routes(self.campaign_id, version, cadre_id)
            route = next((r for r in routes if r.day == day), None)
        stops = route.stops if route else ()
        ids = [s.target_id for s in stops]
        states = target_states(campaign, self.store.outcomes(self.campaign_id, ids), only=set(ids))
        evening = campaign.settings.window("evening")
        lats, lons = wgs84_to_gcj02([targets[i].lat for i in ids], [targets[i].lon for i in ids])
        rows = []
        for seq, stop in enumerate(stops, start=1):
            target, state = targets[stop.target_id], states[stop.target_id]
            today = [o.status.value for o in state.history if o.day == day]
            rows.append(
                {
                    "seq": seq,
                    "target_id": target.id,
                    "type": target.type.value,
                    "type_zh": target.type.zh,
                    "name": display_name(target),
                    "village": target.village,
                    "grid": target.grid,
                    "address": target.address,
                    "lat": target.lat,
                    "lon": target.lon,
                    "gcj_lat": round(float(lats[seq - 1]), 6),
                    "gcj_lon": round(float(lons[seq - 1]), 6),
                    "arrive": hhmm(stop.arrive_min),
                    "depart": hhmm(stop.depart_min),
                    "window": str(target.window or cadre.window),
                    "priority": target.priority,
                    "evening": bool(evening and evening.contains(stop.arrive_min)),
                    "attempts": state.attempts,
                    "final": state.final.value if state.final else None,
                    "today": today,
                    "phone": target.phone,  # the cadre's own target: the page offers a call
                }
            )
        return {
            "plan_version": version,
            "current_version": self.current_version(),
            "day": day,
            "date": campaign.settings.date_of(day).isoformat(),
            "days": campaign.settings.days,
            "today": campaign_day(campaign.settings, self.config.now().date()),
            "cadre": {"id": cadre.id, "name": mask_name(cadre.name)},
            "stops": rows,
            "returns": self.return_visits(cadre_id),
        }

    def return_visits(self, cadre_id: str) -> list[dict]:
        """The cadre's resolved requests, waiting for their return visit (回访)."""
        targets = self.campaign().target_index()
        rows = []
        for r in self.store.requests(self.campaign_id, RESOLVED):
            if r.cadre_id != cadre_id:
                continue
            target = targets[r.target_id]
            category = RequestCategory(r.responsibility, r.subject)
            rows.append(
                {
                    "request_id": r.id,
                    "target_id": target.id,
                    "name": display_name(target),
                    "address": target.address,
                    "category": str(category),
                    "category_zh": category.zh,
                    "subject_zh": SUBJECT_ZH[r.subject],
                    "text": r.text,
                    "phone": target.phone,
                }
            )
        return rows

    def record_many(self, syncs: list[Sync]) -> list[list[RowResult] | None]:
        """Validate and store the rows of several phones' syncs together; per sync, one
        result per row in order, or None when its credential is not (or no longer) valid."""
        links, sessions = self.store.cadres_of(
            self.campaign_id,
            [s.secret for s in syncs if s.secret],
            [s.session_id for s in syncs if s.session_id],
        )
        cadres = [links.get(s.secret) if s.secret else sessions.get(s.session_id) for s in syncs]
        shaped = [
            [_shape(row, cadre) for row in sync.rows] if cadre else []
            for sync, cadre in zip(syncs, cadres, strict=True)
        ]
        values = [x[1] for rows in shaped for x in rows if isinstance(x, tuple)]
        owner = self.store.owners_of(self.campaign_id, [v["target_id"] for v in values])
        context = {
            "campaign": self._recording_campaign(),
            "owner": owner,
            "label": "同步",
            # A visit of a day to come is refused, as `zoufang record` refuses it.
            "last_day": max(1, campaign_day(self.settings, self.config.now().date())),
            "return_last_day": self._return_last_day(values),
            "returnable": self.store.return_takers(self.campaign_id)
            if any(v["satisfied"] for v in values)
            else {},
        }
        results: list[list[RowResult | None] | None] = []
        writes: list[SyncWrite] = []
        for sync, cadre, rows in zip(syncs, cadres, shaped, strict=True):
            if cadre is None:
                results.append(None)
                continue
            results.append(self._check(rows, context))
            attempts = tuple(
                Attempt(x[0], outcome, *x[2])
                for x, outcome in zip(rows, results[-1], strict=True)
                if isinstance(outcome, Outcome)
            )
            writes.append(SyncWrite(cadre, sync.device_id, attempts, sync.backlog, sync.agent))
            results[-1] = [None if isinstance(r, Outcome) else r for r in results[-1]]
        stored = iter(
            self.store.record_syncs(
                self.campaign_id, writes, owner, context["campaign"].settings.ledger_due
            )
        )
        for sync_results, rows in zip(results, shaped, strict=True):
            if sync_results is None:
                continue
            done = next(stored)
            for i, x in enumerate(rows):
                if sync_results[i] is None:
                    sync_results[i] = RowResult(x[0], done[x[0]])
        return results

    def _recording_campaign(self):
        """The campaign for recording, re-read at most every ``CAMPAIGN_TTL_S``: the checks
        take targets and cadres from the live assignment, the campaign only gives the
        ledger's due date, so a sync need not ask for the snapshot's hash."""
        now = time.monotonic()
        if self._held is None or now - self._held[0] > CAMPAIGN_TTL_S:
            self._held = (now, self.campaign())
        return self._held[1]

    @staticmethod
    def _check(rows: list, context: dict) -> list:
        """Per row: a rejection, or the Outcome that passed the checks of ``zoufang record``."""
        good = [x for x in rows if isinstance(x, tuple)]
        checked = iter(check_outcome_rows([x[1] for x in good], **context))
        out = []
        for x in rows:
            if isinstance(x, RowResult):
                out.append(x)
                continue
            outcome = next(checked)
            if isinstance(outcome, list):
                out.append(RowResult(x[0], "rejected", "；".join(p.message for p in outcome)))
            else:
                out.append(outcome)
        return out

    def _return_last_day(self, values: list[dict]) -> int:
        """The last day of the return-visit plans (asked only when a row is a return visit)."""
        if not any(v["satisfied"] for v in values):
            return 0
        followups = self.store.followups(self.campaign_id)
        return max(
            [0, *(followup_last_day(self.settings, f.start_date, f.days) for f in followups)]
        )


def _text(value) -> str:
    if type(value) is str:  # nearly every cell: first, and without a call
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value).strip()


def _shape(row, cadre_id: str):
    """(attempt id, text values, (lat, lon, accuracy)), or a rejection for a malformed row."""
    if not isinstance(row, dict):
        return RowResult("", "rejected", "每一行应为一个对象")
    attempt_id = row.get("attempt_id")
    if not isinstance(attempt_id, str) or not ATTEMPT_ID.fullmatch(attempt_id):
        return RowResult(str(attempt_id)[:64], "rejected", "attempt_id 应为 8–64 位字母、数字或 -")
    # Nearly every cell is a string: stripped without a call.
    values = {n: v.strip() if type(v := row.get(n)) is str else _text(v) for n in FIELDS}
    if len(values["request"]) > MAX_REQUEST_CHARS:
        return RowResult(attempt_id, "rejected", f"诉求内容超过 {MAX_REQUEST_CHARS} 字")
    bad = cells_problem(values)  # the text-cell rules of an outcomes file's cells
    if bad:
        return RowResult(attempt_id, "rejected", f"{FIELD_ZH[bad[0]]}：{bad[1]}")
    values["cadre_id"] = cadre_id
    # Most rows come without a location: no exception raised and caught for each of them.
    return attempt_id, values, _place(row) if "lat" in row else NO_PLACE


def _place(row: dict) -> tuple[float | None, float | None, float | None]:
    """Where the phone was, if it said so with plausible numbers."""
    try:
        lat, lon = float(row["lat"]), float(row["lon"])
        accuracy = float(row.get("accuracy") or 0) or None
    except (KeyError, TypeError, ValueError):
        return None, None, None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None, None, None
    return lat, lon, accuracy
