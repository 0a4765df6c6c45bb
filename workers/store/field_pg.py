"""A burst of phones' attempts written to PostgreSQL in one statement.

``FieldRepository.record_syncs`` on PostgreSQL: the attempts travel as one JSON parameter, and
one statement of data-modifying CTEs stores the new outcomes, the attempts (each marked
``accepted`` or ``duplicate`` as it is inserted, no second pass), the 登记 requests of the
outcomes that carry a category and their first events, and each phone's contact. The
statement's text never changes, so PostgreSQL parses and plans it once a connection; one
round trip, and nothing comes back but the attempt ids and their results.

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
SQL = text(
    """
WITH x AS (
  SELECT * FROM json_to_recordset(CAST(:rows AS json)) AS x(
    attempt_id text, cadre_id text, target_id text, day integer, status text,
    time_key integer, lat double precision, lon double precision, accuracy_m double precision,
    device_id text, taker text, category text, request text, satisfied boolean, n integer)
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
SELECT attempt_id, result FROM a
"""
)


def attempt_json(n: int, a, cadre_id: str, device_id: str, taker: str) -> dict:
    """The ``n``-th attempt of a burst as the statement reads it; absent keys are NULL, so
    empty ones are left out.

    ``taker``: the cadre the outcome is recorded for (the target's own; for a return visit,
    the cadre who took the request)."""
    o = a.outcome
    row = {
        "n": n,
        "attempt_id": a.attempt_id,
        "cadre_id": cadre_id,
        "target_id": o.target_id,
        "day": o.day,
        "status": o.status.value,
        "time_key": -1 if o.time_min is None else o.time_min,
        "device_id": device_id,
        "taker": taker,
    }
    if a.lat is not None:
        row |= {"lat": a.lat, "lon": a.lon, "accuracy_m": a.accuracy_m}
    if o.category:
        row["category"] = str(o.category)
    if o.request:
        row["request"] = o.request
    if o.satisfied is not None:
        row["satisfied"] = o.satisfied
    return row


def write_attempts(
    db, campaign_id: int, rows: list[dict], phones: list[dict], due: dt.date, stamp: dt.datetime
) -> dict[str, str]:
    """Store ``rows`` (``attempt_json``, attempt ids unique) and note ``phones`` (``cadre_id,
    device_id, backlog, agent``, one each) in one statement: the attempt ids this transaction
    stored → ``accepted`` or ``duplicate``. An attempt id stored before is not among them
    (its resend is a duplicate)."""
    params = {
        "rows": json.dumps(rows, ensure_ascii=False),
        "phones": json.dumps(phones, ensure_ascii=False),
        "campaign_id": campaign_id,
        "stamp": stamp,
        "due": dt.datetime.combine(due, dt.time()),
        "registered": REGISTERED,
    }
    return dict(db.execute(SQL, params).all())
