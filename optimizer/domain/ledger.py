"""The 诉求 ledger's rules: states, legal moves, who answers for what (DESIGN §6).

登记 → 办理中 → 已办结 → 已回访 → 已销号. A request is closed (销号) only after its return visit
(回访) found the resident satisfied; a resident not satisfied re-opens it (→ 办理中). Return
visits are recorded as outcomes of the same cadre who took the request.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from optimizer.domain.codes import RESPONSIBILITY_ZH, SUBJECT_ZH
from optimizer.domain.errors import LedgerError

REGISTERED = "登记"
IN_PROGRESS = "办理中"
RESOLVED = "已办结"
RETURNED = "已回访"
CLOSED = "已销号"
STATES = (REGISTERED, IN_PROGRESS, RESOLVED, RETURNED, CLOSED)

#: Moves a coordinator makes with ``zoufang ledger update``.
MANUAL = {
    REGISTERED: {IN_PROGRESS, RESOLVED},
    IN_PROGRESS: {RESOLVED},
    RETURNED: {CLOSED},
}
#: Moves a return visit makes: satisfied → 已回访, not satisfied → re-opened.
RETURN_VISIT = {True: RETURNED, False: IN_PROGRESS}

#: The unit answering for a request by its responsibility class (a coordinator may name one).
DEFAULT_UNIT = {1: "镇、村", 2: "镇和市直部门", 3: "市直部门"}


@dataclass(frozen=True, slots=True)
class Request:
    """One 诉求 of the ledger: what a resident raised at a visit, and where it stands."""

    id: int
    target_id: str
    cadre_id: str  # the cadre who took it (and makes its return visit)
    day: int  # campaign day of the visit that raised it
    responsibility: int  # 1 镇村解决, 2 镇和市直部门联动, 3 市直部门单独解决
    subject: int  # 1 居住环境 … 7 其他
    text: str
    state: str
    unit: str  # the answering unit named by a coordinator ("" = the class's default)
    due: dt.date
    updated_at: dt.datetime

    def __post_init__(self) -> None:
        if self.responsibility not in RESPONSIBILITY_ZH or self.subject not in SUBJECT_ZH:
            raise ValueError(f"request {self.id}: class {self.responsibility}-{self.subject}")
        if self.state not in STATES:
            raise ValueError(f"request {self.id}: state {self.state}")

    @property
    def answering_unit(self) -> str:
        return self.unit or DEFAULT_UNIT[self.responsibility]


@dataclass(frozen=True, slots=True)
class SpotCheck:
    """A completed visit sampled for a phone check (电话回访抽查), and what the checker found."""

    target_id: str
    cadre_id: str
    sample_seed: int
    result: str | None = None  # confirmed | not_confirmed | None (pending)
    note: str = ""
    checked_at: dt.datetime | None = None


def manual_move(current: str, target: str) -> str:
    """The new state, or LedgerError if ``current → target`` is not a legal manual move."""
    if target not in STATES:
        raise LedgerError(f"未知的状态「{target}」，可选：{'、'.join(STATES)}")
    if target == CLOSED and current != RETURNED:
        raise LedgerError(f"未回访不能销号：当前状态为「{current}」，须先经回访且群众满意")
    if target not in MANUAL.get(current, set()):
        allowed = "、".join(sorted(MANUAL.get(current, set()))) or "（无，需等待回访）"
        raise LedgerError(f"不能从「{current}」改为「{target}」；可改为：{allowed}")
    return target


def return_visit_move(current: str, satisfied: bool) -> str:
    """The state after a return visit; only a resolved request is visited back."""
    if current != RESOLVED:
        raise LedgerError(f"只有「{RESOLVED}」的诉求才能回访，当前状态为「{current}」")
    return RETURN_VISIT[satisfied]
