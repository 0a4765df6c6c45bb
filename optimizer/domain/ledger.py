"""The 诉求 ledger's rules: states, legal moves, who answers for what (DESIGN §6).

登记 → 办理中 → 已办结 → 已回访 → 已销号. A request is closed (销号) only after its return visit
(回访) found the resident satisfied; a resident not satisfied re-opens it (→ 办理中). Return
visits are recorded as outcomes of the same cadre who took the request.

A request recorded with its text but no class (诉求内容 without 诉求分类) is filed as 待分类
(class 0-0): the notices classify in a stage after the visits (问题分类阶段), so a visit may
well leave it to the office. It stays in the ledger, 附件6 and the report, and must be
classified (``ledger update --category R-S``) before it is handled.
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
DEFAULT_UNIT = {0: "待定", 1: "镇、村", 2: "镇和市直部门", 3: "市直部门"}

UNCLASSIFIED = 0  # responsibility and subject of a request filed as 待分类
UNCLASSIFIED_ZH = "待分类"


def responsibility_zh(responsibility: int) -> str:
    return RESPONSIBILITY_ZH.get(responsibility, UNCLASSIFIED_ZH)


def subject_zh(subject: int) -> str:
    return SUBJECT_ZH.get(subject, UNCLASSIFIED_ZH)


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
    notes: str = ""  # 办理情况: what coordinators wrote at each move, oldest first

    def __post_init__(self) -> None:
        unclassified = self.responsibility == self.subject == UNCLASSIFIED
        known = self.responsibility in RESPONSIBILITY_ZH and self.subject in SUBJECT_ZH
        if not (known or unclassified):
            raise ValueError(f"request {self.id}: class {self.responsibility}-{self.subject}")
        if self.state not in STATES:
            raise ValueError(f"request {self.id}: state {self.state}")

    @property
    def classified(self) -> bool:
        return self.responsibility != UNCLASSIFIED

    @property
    def answering_unit(self) -> str:
        return self.unit or DEFAULT_UNIT[self.responsibility]


@dataclass(frozen=True, slots=True)
class SpotCheck:
    """A completed visit sampled for a phone check (电话回访抽查), and what the checker found."""

    target_id: str
    cadre_id: str
    sample_seed: int
    result: str | None = None  # confirmed | not_confirmed | no_answer | None (pending)
    note: str = ""
    checked_at: dt.datetime | None = None


#: Spot-check results (电话回访抽查): what the checker found, in the sheet's words.
SPOT_RESULTS = {"confirmed": "属实", "not_confirmed": "不属实", "no_answer": "未接通"}


def manual_move(current: str, target: str, classified: bool = True) -> str:
    """The new state, or LedgerError if ``current → target`` is not a legal manual move (a
    request filed as 待分类 is classified before it is handled)."""
    if not classified and target != current:
        raise LedgerError("这件诉求尚未分类（待分类）：请先用 --category R-S 分类，再办理")
    if target not in STATES:
        raise LedgerError(f"未知的状态「{target}」，可选：{'、'.join(STATES)}")
    if target == CLOSED and current != RETURNED:
        raise LedgerError(f"未回访不能销号：当前状态为「{current}」，须先经回访且群众满意")
    if target not in MANUAL.get(current, set()):
        allowed = "、".join(sorted(MANUAL.get(current, set()))) or "（无，需等待回访）"
        raise LedgerError(f"不能从「{current}」改为「{target}」；可改为：{allowed}")
    return target


def check_classifiable(current: str) -> None:
    """A request is classified, or corrected, until it is closed."""
    if current == CLOSED:
        raise LedgerError("已销号的诉求不能再改分类")


def return_visit_move(current: str, satisfied: bool) -> str:
    """The state after a return visit; only a resolved request is visited back."""
    if current != RESOLVED:
        raise LedgerError(f"只有「{RESOLVED}」的诉求才能回访，当前状态为「{current}」")
    return RETURN_VISIT[satisfied]
