"""一访到底: every pairing rule, on hand-made cadres and targets."""

from __future__ import annotations

import pytest

from optimizer.domain.codes import TargetType
from optimizer.domain.errors import PairingError
from optimizer.domain.model import Area, Assignment, Cadre, Campaign, Target, Window
from optimizer.domain.pairing import (
    assignment_violations,
    check_override,
    may_visit,
    outcome_cadre_problem,
    pairing_changes,
    require_reassign_reason,
    return_visit_problem,
)
from tests.optimizer.domain.test_model import settings

DAY = Window(510, 1230)


def target(tid: str, village="高桥村", grid="1网格", kind=TargetType.HOUSEHOLD) -> Target:
    return Target(tid, kind, village, 35.0, 117.2, 15, grid=grid)


def cadre(cid: str, village="", grid="", types=(TargetType.HOUSEHOLD,)) -> Cadre:
    return Cadre(cid, "刘一", 35.0, 117.2, DAY, village=village, grid=grid, types=frozenset(types))


def test_sector_village_and_grid_rules():
    """A type the cadre does not visit, another village or another grid: not eligible."""
    shop = target("S", kind=TargetType.SHOP)
    assert not may_visit(cadre("C"), shop)
    assert may_visit(cadre("C", types=(TargetType.SHOP,)), shop)
    assert not may_visit(cadre("C", village="杨桥村"), target("T"))
    assert may_visit(cadre("C", village="高桥村"), target("T"))
    assert not may_visit(cadre("C", village="高桥村", grid="2网格"), target("T"))
    assert may_visit(cadre("C", village="高桥村", grid="1网格"), target("T"))


def test_assignment_violations_name_each_broken_rule():
    """A target in two areas, one in none, a cadre with two areas, an ineligible pair."""
    campaign = Campaign(
        settings(),
        (target("T1"), target("T2"), target("T3", village="杨桥村")),
        (cadre("C1", village="高桥村"), cadre("C2")),
    )
    areas = (Area("A1", "C1", ("T1", "T3")), Area("A2", "C1", ("T1",)), Area("A3", "C2", ()))
    problems = assignment_violations(campaign, Assignment(areas))
    assert "target T1 is in 2 areas" in problems and "target T2 is in 0 areas" in problems
    assert "cadre C1 owns 2 areas" in problems and "cadre C1 may not visit T3" in problems
    fine = Assignment((Area("A1", "C1", ("T1", "T2")), Area("A2", "C2", ("T3",))))
    assert assignment_violations(campaign, fine) == []


def test_published_pairing_is_locked():
    """Re-assigning a published plan needs a reason; a first plan does not."""
    require_reassign_reason(False, None)
    require_reassign_reason(True, "人员调整")
    for reason in (None, "", "   "):
        with pytest.raises(PairingError, match="一访到底"):
            require_reassign_reason(True, reason)


def test_outcomes_and_return_visits_come_from_the_own_cadre():
    """Another cadre's outcome, a return visit with no resolved request or by another cadre."""
    assert outcome_cadre_problem("T1", "C2", "C1") and not outcome_cadre_problem("T1", "C1", "C1")
    assert not outcome_cadre_problem("T1", None, "C1")
    assert "没有待回访" in return_visit_problem("T1", "C1", None)
    assert "C1" in return_visit_problem("T1", "C2", "C1")
    assert return_visit_problem("T1", "C1", "C1") is None


def test_override_keeps_eligibility_and_needs_a_reason():
    """The one exception: only to an eligible cadre, only with a reason."""
    check_override(cadre("C2"), target("T1"), "C1 住院")
    with pytest.raises(PairingError, match="原因"):
        check_override(cadre("C2"), target("T1"), " ")
    with pytest.raises(PairingError, match="不允许"):
        check_override(cadre("C2", village="杨桥村"), target("T1"), "调整")
    with pytest.raises(PairingError):
        check_override(None, target("T1"), "调整")


def test_pairing_changes_counts_foreign_stops():
    """Stops planned for a cadre who does not own the target."""
    owners = {"T1": "C1", "T2": "C1"}
    assert pairing_changes(owners, [("T1", "C1"), ("T2", "C2"), ("T3", "C1")]) == 2
