"""A burst of phones' attempts written to PostgreSQL in one statement.

``FieldRepository.record_syncs`` on PostgreSQL: the attempts travel as one JSON parameter, and
one statement of data-modifying CTEs stores the new outcomes, the attempts (each marked
``accepted`` or ``duplicate`` as it is inserted, no second pass), the 登记 requests of the
outcomes that carry a category and their first events, and each phone's contact. The
statement's text never changes, so PostgreSQL parses and plans it once a connection; one
round trip, and nothing comes back but the attempt ids and their results (one JSON object).

Outcomes go in before attempts so that an attempt's result can be decided by the database
while it is inserted: an outcome is new only for an attempt id not stored before, and of
several attempts of one outcome (target, day, status, time) in a burst the first counts. A
concurrent resend of the same attempt id from another server process blocks on our outcome's
and attempt's unique keys until we commit, then inserts nothing and reads ``duplicate``.
"""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import text

from optimizer.domain.ledger import REGISTERED

# x.n is the attempt's place in the burst: of several attempts of one outcome the first wins.
# Each column is a JSON array, all of one length (``attempt_columns``), read side by side by
# ROWS FROM; a column left out (NULL) gives no rows, and ROWS FROM pads it with NULLs.
COLUMNS = (
    "attempt_id",
    "cadre_id",
    "target_id",
    "day",
    "status",
    "time_key",
    "lat",
    "lon",
    "accuracy_m",
    "device_id",
    "taker",
    "category",
    "request",
    "satisfied",
)
#: The columns read as another type than text (``json_array_elements_text`` gives text).
CASTS = {
    "day": "integer",
    "time_key": "integer",
    "lat": "double precision",
    "lon": "double precision",
    "accuracy_m": "double precision",
    "satisfied": "boolean",
}
_SELECT = ", ".join(f"x.{c}::{CASTS[c]} AS {c}" if c in CASTS else f"x.{c}" for c in COLUMNS)
_ARRAYS = ",\n    ".join(f"json_array_elements_text(CAST(:x_{c} AS json))" for c in COLUMNS)
SQL = text(
    f"""
WITH x AS (
  SELECT {_SELECT}, x.n
  FROM ROWS FROM (
    {_ARRAYS}
  ) WITH ORDINALITY AS x({", ".join(COLUMNS)}, n)
), fresh AS (
  SELECT DISTINCT ON (x.target_id, x.day, x.status, x.time_key) x.* FROM x
  WHERE NOT EXISTS (
    SELECT 1 FROM field_attempts f
    WHERE f.campaign_id = :campaign_id AND f.attempt_id = x.attempt_id)
  ORDER BY x.target_id, x.day, x.status, x.time_key, x.n
), o AS (
  INSERT INTO outcomes (campaign_id, target_id, day, status, time_key, cadre_id, category,
                        request, satisfied, batch, recorded_at)
  SELECT :campaign_id, target_id, day, status, time_key, taker, category, request, satisfied,
         left('web:' || device_id, 64), :stamp
  FROM fresh
  ON CONFLICT (campaign_id, target_id, day, status, time_key) DO NOTHING
  RETURNING id, target_id, day, status, time_key, cadre_id, category, request
), won AS (
  SELECT fresh.attempt_id, o.* FROM fresh JOIN o USING (target_id, day, status, time_key)
), a AS (
  INSERT INTO field_attempts (campaign_id, attempt_id, cadre_id, target_id, day, status,
                              time_key, result, lat, lon, accuracy_m, device_id, received_at)
  SELECT :campaign_id, x.attempt_id, x.cadre_id, x.target_id, x.day, x.status, x.time_key,
         CASE WHEN won.id IS NULL THEN 'duplicate' ELSE 'accepted' END,
         x.lat, x.lon, x.accuracy_m, x.device_id, :stamp
  FROM x LEFT JOIN won USING (attempt_id)
  ON CONFLICT (campaign_id, attempt_id) DO NOTHING
  RETURNING attempt_id, result
), r AS (
  INSERT INTO requests (campaign_id, outcome_id, target_id, cadre_id, day, responsibility,
                        subject, text, state, unit, due, updated_at)
  SELECT :campaign_id, won.id, won.target_id, won.cadre_id, won.day,
         split_part(won.category, '-', 1)::integer, split_part(won.category, '-', 2)::integer,
         coalesce(won.request, ''), :registered, '', :due, :stamp
  FROM won JOIN a USING (attempt_id)
  WHERE won.category IS NOT NULL
  ON CONFLICT (outcome_id) DO NOTHING
  RETURNING id, cadre_id
), e AS (
  INSERT INTO request_events (request_id, from_state, to_state, actor, note, at)
  SELECT id, NULL, :registered, cadre_id, '走访记录登记', :stamp FROM r
), d AS (
  INSERT INTO device_syncs (campaign_id, cadre_id, device_id, last_sync_at, backlog, agent)
  SELECT :campaign_id, cadre_id, device_id, :stamp, backlog, agent
  FROM json_to_recordset(CAST(:phones AS json))
       AS p(cadre_id text, device_id text, backlog integer, agent text)
  ON CONFLICT (campaign_id, cadre_id, device_id) DO UPDATE
  SET last_sync_at = excluded.last_sync_at, backlog = excluded.backlog, agent = excluded.agent
)
SELECT json_object_agg(attempt_id, result) FROM a
"""
)


def attempt_columns(attempts: list, cadres: list[str], devices: list[str], takers: list[str]):
    """The attempts of a burst, in order, as the statement reads them: one JSON array per
    column. ``cadres``, ``devices``: the phone's cadre and device of each attempt;
    ``takers``: the cadre each outcome is recorded for (the target's own; for a return
    visit, the cadre who took the request).

    Columns, not one object per attempt: the keys are not written 6,000 times over, and
    PostgreSQL reads each array straight through. An optional column that is empty in every
    attempt is left out (NULL throughout)."""
    outcomes = [a.outcome for a in attempts]
    columns = {
        "attempt_id": [a.attempt_id for a in attempts],
        "cadre_id": cadres,
        "target_id": [o.target_id for o in outcomes],
        "day": [o.day for o in outcomes],
        "status": [o.status for o in outcomes],  # a StrEnum: JSON writes its value
        "time_key": [-1 if o.time_min is None else o.time_min for o in outcomes],
        "device_id": devices,
        "taker": takers,
    }
    optional = {
        "lat": [a.lat for a in attempts],
        "lon": [a.lon for a in attempts],
        "accuracy_m": [a.accuracy_m for a in attempts],
        "category": [str(o.category) if o.category else None for o in outcomes],
        "request": [o.request or None for o in outcomes],
        "satisfied": [o.satisfied for o in outcomes],
    }
    columns |= {k: v for k, v in optional.items() if any(x is not None for x in v)}
    return columns


def write_attempts(
    db, campaign_id: int, rows: dict, phones: list[dict], due: dt.date, stamp: dt.datetime
) -> dict[str, str]:
    """Store ``rows`` (``attempt_columns``, attempt ids unique) and note ``phones`` (``cadre_id,
    device_id, backlog, agent``, one each) in one statement: the attempt ids this transaction
    stored → ``accepted`` or ``duplicate``. An attempt id stored before is not among them
    (its resend is a duplicate)."""
    params = {
        **{f"x_{name}": None for name in COLUMNS},  # a column left out: NULL in every row
        **{f"x_{name}": json.dumps(values, ensure_ascii=False) for name, values in rows.items()},
        "phones": json.dumps(phones, ensure_ascii=False),
        "campaign_id": campaign_id,
        "stamp": stamp,
        "due": dt.datetime.combine(due, dt.time()),
        "registered": REGISTERED,
    }
    # One JSON object back, not a row per attempt: 6,000 rows through the driver and
    # SQLAlchemy cost more processor time than the one parse.
    return db.execute(SQL, params).scalar() or {}
