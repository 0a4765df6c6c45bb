"""一访到底: every check of the pairing between cadres and targets, in one place.

"走访人员与走访区域一一对应 … 一访到底，中途不得更换": each target belongs to one cadre's area for
the whole campaign and beyond. Who may be given a target (type, village, grid), that the
published pairing is locked, that outcomes and return visits come from the target's own cadre,
and that the one exception — an audited override — still respects eligibility.
"""

from __future__ import annotations

from collections import Counter

from optimizer.domain.errors import PairingError
from optimizer.domain.model import Assignment, Cadre, Campaign, Target, Window


def visit_window(cadre: Cadre, target: Target) -> Window | None:
    """When the cadre can serve the target: the target's window (any time when it has none)
    inside the cadre's daily window; None when they do not meet."""
    return (target.window or cadre.window).intersect(cadre.window)


def window_holds(cadre: Cadre, target: Target) -> bool:
    """The cadre's day can hold the visit: an evening household needs a cadre who works
    evenings (DESIGN §5: time windows belong to the assignment)."""
    window = visit_window(cadre, target)
    return window is not None and window.length_min >= target.service_minutes


def may_visit(cadre: Cadre, target: Target) -> bool:
    """A cadre may be given a target of a type it visits (the sector rule), inside its own
    village and grid when it has them (村两委, 网格员), at a time of day it works."""
    if target.type not in cadre.types:
        return False
    if cadre.village and target.village != cadre.village:
        return False
    if cadre.grid and target.grid != cadre.grid:
        return False
    return window_holds(cadre, target)


def assignment_violations(campaign: Campaign, assignment: Assignment) -> list[str]:
    """Every broken hard rule of an assignment (empty when all hold): each target in exactly
    one area, one area per cadre, and every target eligible for its cadre."""
    problems = []
    seen = Counter(tid for a in assignment.areas for tid in a.target_ids)
    targets = campaign.target_index()
    for tid in targets:
        if seen[tid] != 1:
            problems.append(f"target {tid} is in {seen[tid]} areas")
    owners = Counter(a.cadre_id for a in assignment.areas)
    problems += [f"cadre {c} owns {n} areas" for c, n in owners.items() if n > 1]
    cadres = campaign.cadre_index()
    for area in assignment.areas:
        cadre = cadres[area.cadre_id]
        for tid in area.target_ids:
            if tid in targets and not may_visit(cadre, targets[tid]):
                problems.append(f"cadre {cadre.id} may not visit {tid}")
    return problems


def require_reassign_reason(published: bool, reason: str | None) -> None:
    """A published assignment is locked: replacing it needs a recorded reason."""
    if published and not (reason or "").strip():
        raise PairingError(
            '分片已发布并锁定（一访到底）。如确需重新分配，请运行 zoufang plan --reassign "原因"'
            "（原因记入审计记录）；日常调整请用 zoufang replan"
        )


def outcome_cadre_problem(target_id: str, cadre_id: str | None, owner: str) -> str | None:
    """An outcome names a cadre who is not the target's own: the message, else None."""
    if cadre_id and cadre_id != owner:
        return f"走访人员 {cadre_id} 不是对象 {target_id} 的包干人员（应为 {owner}，一访到底）"
    return None


def return_visit_problem(target_id: str, cadre_id: str | None, taker: str | None) -> str | None:
    """A return visit (回访) is made by the cadre who took the request: the message, else None."""
    if taker is None:
        return f"对象 {target_id} 没有待回访（已办结）的诉求"
    if cadre_id and cadre_id != taker:
        return f"回访须由受理人员 {taker} 进行，而不是 {cadre_id}"
    return None


def check_override(cadre: Cadre | None, target: Target | None, reason: str) -> None:
    """The one exception to 一访到底: a coordinator moves a target to another cadre who may
    visit it, for a stated reason (recorded in the audit log)."""
    if target is None:
        raise PairingError("没有这个走访对象")
    if cadre is None:
        raise PairingError("没有这个走访人员")
    if not may_visit(cadre, target):
        raise PairingError(f"{cadre.id} 的走访类型、包村/网格或可走访时段不允许走访 {target.id}")
    if not reason.strip():
        raise PairingError("调整必须写明原因")


def pairing_changes(owners: dict[str, str], planned: list[tuple[str, str]]) -> int:
    """Stops planned for someone other than the target's own cadre: (target, cadre) pairs."""
    return sum(1 for target_id, cadre_id in planned if owners.get(target_id) != cadre_id)
