"""The store, on SQLite and on PostgreSQL: snapshots, the locked assignment, keyed writes."""

from __future__ import annotations

import dataclasses
import json

import pytest

from optimizer.assign.solve import assign_areas
from optimizer.domain.codes import OutcomeStatus
from optimizer.domain.defaults import NOT_HOME_RATE
from optimizer.domain.errors import PairingError as PlanLockedError
from optimizer.domain.model import CadrePlan, DayRoute, Outcome, RequestCategory, Stop
from optimizer.inputs import read_campaign
from workers.store import Store
from workers.store.snapshot import dump_campaign, load_campaign_json


@pytest.fixture
def stored(db_url, tiny):
    campaign = read_campaign(tiny)
    store = Store(db_url)
    campaign_id = store.ensure_campaign(campaign)
    yield store, campaign_id, campaign
    store.engine.dispose()


def test_snapshot_round_trip(stored):
    """What is stored is the campaign that was read, settings and all."""
    store, campaign_id, campaign = stored
    assert store.load_campaign(campaign_id) == dataclasses.replace(campaign, warnings=())
    assert store.ensure_campaign(campaign) == campaign_id


def test_snapshot_of_an_older_version_reads(tiny):
    """A snapshot stored before [policy].not_home_rate existed reads with its default."""
    campaign = dataclasses.replace(read_campaign(tiny), warnings=())
    data = json.loads(dump_campaign(campaign))
    assert data["settings"]["policy"][-1] == campaign.settings.policy.not_home_rate
    data["settings"]["policy"] = data["settings"]["policy"][:3]
    back = load_campaign_json(json.dumps(data, ensure_ascii=False))
    assert back.settings.policy.not_home_rate == NOT_HOME_RATE
    assert back == campaign


def test_published_assignment_is_locked(stored):
    """Publishing again without a reason is refused; with one it is a new, audited revision."""
    store, campaign_id, campaign = stored
    assignment = assign_areas(campaign)
    assert store.publish_assignment(campaign_id, assignment, None) == 1
    with pytest.raises(PlanLockedError):
        store.publish_assignment(campaign_id, assignment, None)
    assert store.publish_assignment(campaign_id, assignment, "C1 住院") == 2
    assert store.assignment(campaign_id).cadre_of() == assignment.cadre_of()


def test_outcomes_recorded_once(stored):
    """The same outcome twice is stored once; a request opens in the ledger."""
    store, campaign_id, campaign = stored
    owner = {t.id: "C1" for t in campaign.targets}
    rows = [
        Outcome(
            "T1", 1, OutcomeStatus.VISITED, 600, category=RequestCategory(1, 2), request="路灯"
        ),
        Outcome("T2", 1, OutcomeStatus.NOT_HOME, None),
    ]
    due = campaign.settings.ledger_due
    assert store.record_outcomes(campaign_id, rows, owner, "b1", due) == 2
    assert store.record_outcomes(campaign_id, rows, owner, "b2", due) == 0
    back = store.outcomes(campaign_id)
    assert [(o.target_id, o.status, o.time_min) for o in back] == [
        ("T1", OutcomeStatus.VISITED, 600),
        ("T2", OutcomeStatus.NOT_HOME, None),
    ]
    assert back[0].category == RequestCategory(1, 2) and store.last_night(campaign_id) == 1


def _plan(cadre_id: str, targets: list[str]) -> CadrePlan:
    stops = tuple(Stop(t, 540 + 20 * i, 555 + 20 * i, 2) for i, t in enumerate(targets))
    return CadrePlan(cadre_id, (DayRoute(cadre_id, 1, 530, 600, stops, 300),))


def test_cadre_plan_saved_once_and_version_published_once(stored):
    """A duplicate save changes nothing; a version publishes exactly once."""
    store, campaign_id, _ = stored
    version = store.create_version(campaign_id, 0, None, ["C1", "C2"], [])
    assert store.save_cadre_plan(campaign_id, version, _plan("C1", ["T1", "T2"]))
    assert not store.save_cadre_plan(campaign_id, version, _plan("C1", ["T1"]))
    assert store.version_progress(campaign_id, version) == (1, 2, ["C2"])
    assert store.version_counts(campaign_id, version) == (1, 2)
    store.save_cadre_plan(campaign_id, version, _plan("C2", ["T4"]))
    assert store.publish_version(campaign_id, version, {"ok": 1})
    assert not store.publish_version(campaign_id, version, {"ok": 2})
    plan = store.plan(campaign_id, version)
    assert sorted(s.target_id for r in plan.routes for s in r.stops) == ["T1", "T2", "T4"]
    assert store.current_version(campaign_id) == (version, 0)


def test_carried_cadres_keep_their_routes(stored):
    """A new version copies unchanged cadres' remaining stops from its base."""
    store, campaign_id, _ = stored
    v1 = store.create_version(campaign_id, 0, None, ["C1"], [])
    store.save_cadre_plan(
        campaign_id,
        v1,
        CadrePlan(
            "C1",
            (
                DayRoute("C1", 1, 530, 600, (Stop("T1", 540, 555, 2),), 100),
                DayRoute("C1", 2, 530, 600, (Stop("T2", 540, 555, 2),), 100),
            ),
        ),
    )
    store.publish_version(campaign_id, v1, {})
    v2 = store.create_version(campaign_id, 1, v1, [], ["C1"])
    assert [r.day for r in store.plan(campaign_id, v2).routes] == [2]


def test_one_replan_lock_per_campaign(stored):
    """A second owner cannot take a live lock; it is free again after release."""
    store, campaign_id, _ = stored
    assert store.acquire_lock(campaign_id, "a")
    assert not store.acquire_lock(campaign_id, "b")
    store.release_lock(campaign_id, "a")
    assert store.acquire_lock(campaign_id, "b")


def test_override_is_audited(stored):
    """Moving a target to another cadre is recorded with who, why and from whom."""
    store, campaign_id, campaign = stored
    store.publish_assignment(campaign_id, assign_areas(campaign), None)
    before = store.owners(campaign_id)["T1"]
    assert store.override(campaign_id, "T1", "C3", "C1 住院", "coordinator") == before
    assert store.owners(campaign_id)["T1"] == "C3"
    (entry,) = store.overrides(campaign_id)
    assert (entry.from_cadre, entry.to_cadre, entry.reason) == (before, "C3", "C1 住院")


def test_ledger_moves_and_return_visits(stored):
    """A request opens as 登记, moves legally, is visited back once by its taker; recording the
    return visit again moves nothing; a return-visit plan re-planned keeps its number."""
    import datetime as dt

    from optimizer.domain.errors import LedgerError
    from optimizer.domain.ledger import IN_PROGRESS, REGISTERED, RESOLVED, RETURNED

    store, campaign_id, campaign = stored
    owner = {t.id: "C1" for t in campaign.targets}
    due = campaign.settings.ledger_due
    asked = Outcome("T1", 1, OutcomeStatus.VISITED, 600, category=RequestCategory(2, 1))
    store.record_outcomes(campaign_id, [asked], owner, "b1", due)
    (request,) = store.requests(campaign_id)
    assert request.state == REGISTERED and request.cadre_id == "C1"
    with pytest.raises(LedgerError):
        store.update_request(campaign_id, request.id, RETURNED, "t", "")
    store.update_request(campaign_id, request.id, IN_PROGRESS, "t", "转办", "区住建局")
    store.update_request(campaign_id, request.id, RESOLVED, "t", "")
    assert store.return_takers(campaign_id) == {"T1": "C1"}
    back = Outcome("T1", 9, OutcomeStatus.VISITED, 610, cadre_id="C1", satisfied=True)
    assert store.record_outcomes(campaign_id, [back], owner, "b2", due) == 1
    assert store.record_outcomes(campaign_id, [back], owner, "b2", due) == 0
    events = [e.to_state for e in store.request_events(request.id)]
    assert events == [REGISTERED, IN_PROGRESS, RESOLVED, RETURNED]
    assert store.requests(campaign_id)[0].unit == "区住建局"
    start = dt.date(2027, 4, 1)
    sheet = {"summary": {"days": 2}, "returns": {"T1": [(request.id, "路灯", "")]}}
    assert store.save_followup(campaign_id, start, 2, [], **sheet) == 1
    again = {"summary": {"days": 2, "visits": 1}, "returns": {"T1": [(request.id, "路灯", "修好")]}}
    assert store.save_followup(campaign_id, start, 2, [{"cadre_id": "C1"}], **again) == 1
    assert store.save_followup(campaign_id, start, 3, [], summary={}, returns={}) == 2
    first, second = store.followups(campaign_id)
    assert first.routes == [{"cadre_id": "C1"}]
    # the sheet replaced with the plan, the number first in its summary (as its file says)
    assert list(first.summary.items()) == [("followup", 1), ("days", 2), ("visits", 1)]
    assert first.returns == {"T1": [(request.id, "路灯", "修好")]}
    assert (second.summary, second.returns) == ({"followup": 2}, {})


def test_weekly_reports_are_kept_per_week_as_written(stored):
    """A week's report comes back as it was saved (tuples, floats, dicts), the last one of
    each week only, in week order."""
    from optimizer.reports.weekly import WeekReport

    store, campaign_id, _ = stored
    report = WeekReport(
        campaign="测试镇",
        week=2,
        first_day=8,
        last_day=10,
        data_day=9,
        report_date="2027年3月9日",
        coverage=2 / 3,
        targets=4,
        visits_by_day=(("3月8日", 3, 2), ("3月9日", 1, 1)),
        coverage_by_village=(("高桥村", 0.1 + 0.2, 3),),
        cadres=(("刘*（C1）", 3, 2, "67%", 2, 1, 1, 0),),
        requests_by_class=(("镇村解决", (1, 0, 0, 0, 0, 0, 0)),),
        subjects=("居住环境", "其他"),
        closing={"requests": 1, "done_rate": 1 / 3},
        overdue=((1, "高桥村", "居住环境", "路灯", "城建办", "2027-03-05", "登记"),),
        hot_groups=(("居民户", 1, 100 / 3),),
        spot_checks={"sampled": 0},
    )
    first = dataclasses.replace(report, week=1, coverage=0.5)
    store.save_week_report(campaign_id, report)
    store.save_week_report(campaign_id, dataclasses.replace(report, week=1))
    store.save_week_report(campaign_id, first)
    assert store.week_reports(campaign_id) == [first, report]


def test_an_older_store_gains_the_tables_of_printed_files(db_url):
    """A store made before return-visit sheets and weekly reports were kept gets their
    tables when it is opened; its return-visit plans have no sheet until planned again."""
    import datetime as dt

    from sqlalchemy import create_engine, inspect

    from workers.store import schema as t

    added = {"followup_sheets", "week_reports"}
    engine = create_engine(db_url)
    older = [table for table in t.metadata.sorted_tables if table.name not in added]
    t.metadata.create_all(engine, tables=older)
    when = dt.datetime(2027, 3, 1)
    values = dict(name="测试镇", folder="", snapshot="{}", snapshot_hash="", created_at=when)
    with engine.begin() as db:
        db.execute(t.campaigns.insert().values(id=1, key="测试镇|2027-03-01", **values))
        db.execute(
            t.followups.insert().values(
                campaign_id=1, number=1, start_date=when, days=2, routes="[]", created_at=when
            )
        )
    assert not added & set(inspect(engine).get_table_names())
    engine.dispose()
    store = Store(db_url)
    assert added <= set(inspect(store.engine).get_table_names())
    (old,) = store.followups(1)
    assert (old.number, old.summary, old.returns) == (1, None, None)
    assert store.week_reports(1) == []
    store.save_followup(1, when.date(), 2, [], summary={}, returns={"T1": [(1, "路灯", "")]})
    (again,) = store.followups(1)
    assert (again.number, again.returns) == (1, {"T1": [(1, "路灯", "")]})
    store.engine.dispose()


def test_an_older_store_loses_the_redundant_outcome_index(db_url):
    """ix_outcomes_target repeated the leading columns of the outcomes' unique key: a store
    that has it loses it when opened."""
    from sqlalchemy import create_engine, inspect

    from workers.store import schema as t

    engine = create_engine(db_url)
    t.metadata.create_all(engine)
    with engine.begin() as db:
        db.exec_driver_sql("CREATE INDEX ix_outcomes_target ON outcomes (campaign_id, target_id)")
    assert "ix_outcomes_target" in {i["name"] for i in inspect(engine).get_indexes("outcomes")}
    engine.dispose()
    store = Store(db_url)
    assert "ix_outcomes_target" not in {
        i["name"] for i in inspect(store.engine).get_indexes("outcomes")
    }
    store.engine.dispose()


def test_nights_are_kept_per_file_and_give_today(stored):
    """A file's night is stored once; "today" is the latest night, never a return visit's day
    (day 20) or the largest day of any row; the same file again keeps its first night."""
    store, campaign_id, campaign = stored
    owner = {t.id: "C1" for t in campaign.targets}
    due = campaign.settings.ledger_due
    visits = [Outcome("T1", 1, OutcomeStatus.VISITED), Outcome("T2", 2, OutcomeStatus.VISITED)]
    store.record_outcomes(campaign_id, visits[:1], owner, "f1", due, night=1)
    store.record_outcomes(campaign_id, visits[1:], owner, "f2", due, night=2)
    store.record_outcomes(campaign_id, visits[1:], owner, "f2", due, night=5)
    back = [Outcome("T1", 20, OutcomeStatus.VISITED, cadre_id="C1", satisfied=True)]
    store.record_outcomes(campaign_id, back, owner, "r1", due)
    assert store.last_night(campaign_id) == 2 and store.nights(campaign_id) == [1, 2]


def test_restore_withdraws_later_versions_and_is_audited(stored):
    """Rolling back to v1 withdraws v2 (kept), makes v1 current and records who and why; an
    override since v1 refuses a roll-back to it, a version never published too."""
    from workers.errors import RestoreRefused

    store, campaign_id, campaign = stored
    store.publish_assignment(campaign_id, assign_areas(campaign), None)
    for after in (0, 1):
        version = store.create_version(campaign_id, after, None, ["C1"], [])
        store.save_cadre_plan(campaign_id, version, _plan("C1", ["T1"]))
        store.publish_version(campaign_id, version, {"v": version})
    held = store.create_version(campaign_id, 1, 2, ["C1"], [])
    store.save_cadre_plan(campaign_id, held, _plan("C1", ["T1"]))
    assert store.hold_version(campaign_id, held, {"guard": {}})
    assert store.current_version(campaign_id) == (2, 1)
    assert store.restore_version(campaign_id, 1, "协调员", "回退") == [2]
    assert store.current_version(campaign_id) == (1, 0)
    assert store.version_info(campaign_id, 2).status == "withdrawn"
    assert [(r.to_version, r.withdrawn, r.actor) for r in store.restores(campaign_id)] == [
        (1, (2,), "协调员")
    ]
    with pytest.raises(RestoreRefused, match="未发布"):
        store.restore_version(campaign_id, held, "协调员", "")
    store.override(campaign_id, "T2", "C2", "测试", "协调员")
    with pytest.raises(RestoreRefused, match="调整"):
        store.restore_version(campaign_id, 2, "协调员", "")
