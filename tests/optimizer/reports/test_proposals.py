"""The at-risk proposal and the honest finish, on hand-checkable towns."""

from __future__ import annotations

from optimizer.domain.model import CadrePlan, DayRoute, Plan, Stop, Unscheduled
from optimizer.inputs import read_campaign
from optimizer.reports.proposals import rebalance, spare_minutes
from optimizer.reports.status import finish_states, silent_cadres
from optimizer.route.problem import REASON_CAPACITY
from tests.helpers import write_folder

CADRES = (
    "id,name,village,types,minutes_per_day\n"
    "C1,刘一,高桥村,household,60\n"
    "C2,陈二,高桥村,household,240\n"
    "C3,周三,杨桥村,household,240\n"
)


def test_unschedulable_targets_go_to_the_eligible_cadre_with_time(tmp_path):
    """C1 cannot fit T2 in its days: it is proposed to C2 (same village, time to spare), never
    to C3 (another village); the minutes moved are service plus the detour; the key is stable."""
    campaign = read_campaign(write_folder(tmp_path / "c", cadres=CADRES))
    owners = {"T1": "C1", "T2": "C1", "T3": "C2", "T4": "C3"}
    stops = (Stop("T1", 540, 555, 2),)
    plan = Plan(
        2,
        (
            CadrePlan(
                "C1",
                (DayRoute("C1", 2, 530, 590, stops),),
                (Unscheduled("T2", "C1", REASON_CAPACITY),),
            ),
            CadrePlan("C2", (DayRoute("C2", 2, 530, 600, (Stop("T3", 540, 550, 2),)),)),
            CadrePlan("C3", ()),
        ),
        after_day=1,
    )
    proposal = rebalance(campaign, plan, owners)
    assert [(m.target_id, m.from_cadre, m.to_cadre) for m in proposal.moves] == [("T2", "C1", "C2")]
    assert proposal.moves[0].minutes >= campaign.target_index()["T2"].service_minutes
    assert proposal.stuck == () and proposal.key == rebalance(campaign, plan, owners).key
    # Days 2–5 remain: C1 has 3 × 60 free minutes (day 2 is full), C2 170 + 3 × 240; 15 % of
    # each cadre's remaining minutes stay free for retries.
    spare = spare_minutes(campaign, plan)
    assert spare["C1"] == 180 - 36 and spare["C2"] == 890 - 144


def test_nobody_eligible_means_stuck(tmp_path):
    """A target no other cadre may visit is said so, not given to anyone."""
    campaign = read_campaign(write_folder(tmp_path / "c", cadres=CADRES))
    plan = Plan(
        2,
        (CadrePlan("C3", (), (Unscheduled("T4", "C3", REASON_CAPACITY),)),),
        after_day=1,
    )
    proposal = rebalance(campaign, plan, {"T4": "C3"})
    assert proposal.moves == () and proposal.stuck == (("T4", "C3"),)


def test_finish_is_honest():
    """Nothing left → done; targets without a day → late with how many; else the last day."""
    plan = Plan(
        2,
        (
            CadrePlan("C1", ()),
            CadrePlan("C2", (DayRoute("C2", 4, 530, 600, (Stop("T3", 540, 550, 2),)),)),
            CadrePlan("C3", (), (Unscheduled("T4", "C3", REASON_CAPACITY),)),
        ),
    )
    counts = {"C1": {"pending": 0}, "C2": {"pending": 1}, "C3": {"pending": 1}}
    states = finish_states(["C1", "C2", "C3"], plan, counts)
    assert states["C1"]["state"] == "done"
    assert states["C2"] == {"state": "on_track", "day": 4, "unscheduled": 0}
    assert states["C3"]["state"] == "late" and states["C3"]["unscheduled"] == 1


def test_silent_cadres_are_named_by_day(tiny):
    """A cadre with stops planned and no row that day is named, masked, for that day."""
    from optimizer.domain.codes import OutcomeStatus
    from optimizer.domain.model import Outcome

    campaign = read_campaign(tiny)
    owner = {"T1": "C1", "T2": "C1", "T3": "C1", "T4": "C2"}
    planned = {1: {"C1": 2, "C2": 1}, 2: {"C1": 1, "C2": 1}}
    outcomes = [Outcome("T1", 1, OutcomeStatus.VISITED), Outcome("T4", 2, OutcomeStatus.VISITED)]
    silent = silent_cadres(campaign, planned, outcomes, owner)
    assert [(n["day"], [c["cadre_id"] for c in n["cadres"]]) for n in silent] == [
        (1, ["C2"]),
        (2, ["C1"]),
    ]
    assert silent[0]["cadres"][0]["name"] == "陈*" and silent[0]["date"] == "2027-03-01"
