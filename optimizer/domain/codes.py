"""The codes of the notices and the contract: target types, visit outcomes, the 3 × 7 request
classes, and where a target stands in the campaign (its progress key)."""

from __future__ import annotations

from enum import StrEnum


class TargetType(StrEnum):
    HOUSEHOLD = "household"
    ENTERPRISE = "enterprise"
    SHOP = "shop"
    SCHOOL = "school"
    HOSPITAL = "hospital"
    MARKET = "market"
    INSTITUTION = "institution"
    SITE = "site"

    @property
    def zh(self) -> str:
        return TYPE_ZH[self]


TYPE_ZH = {
    TargetType.HOUSEHOLD: "户",
    TargetType.ENTERPRISE: "企业",
    TargetType.SHOP: "商铺",
    TargetType.SCHOOL: "学校",
    TargetType.HOSPITAL: "医院",
    TargetType.MARKET: "市场",
    TargetType.INSTITUTION: "机关",
    TargetType.SITE: "工地",
}


class OutcomeStatus(StrEnum):
    VISITED = "visited"
    NOT_HOME = "not_home"
    REFUSED = "refused"
    MOVED = "moved"
    INVALID = "invalid"

    @property
    def zh(self) -> str:
        return STATUS_ZH[self]


STATUS_ZH = {
    OutcomeStatus.VISITED: "已走访",
    OutcomeStatus.NOT_HOME: "未遇",
    OutcomeStatus.REFUSED: "拒访",
    OutcomeStatus.MOVED: "已搬离",
    OutcomeStatus.INVALID: "信息有误",
}

#: Outcomes after which a target needs no further visit in this campaign.
FINAL_STATUSES = frozenset(
    {OutcomeStatus.VISITED, OutcomeStatus.REFUSED, OutcomeStatus.MOVED, OutcomeStatus.INVALID}
)

#: 诉求分类 (the notice's 3 responsibility classes × 7 subjects).
RESPONSIBILITY_ZH = {1: "镇村解决", 2: "镇和市直部门联动", 3: "市直部门单独解决"}
SUBJECT_ZH = {
    1: "居住环境",
    2: "社会治安",
    3: "基本医疗",
    4: "文体生活",
    5: "基础教育",
    6: "社会帮扶",
    7: "其他",
}


class Progress(StrEnum):
    """Where one target stands: the one vocabulary of status tables, maps and the board."""

    PENDING = "pending"  # not visited yet (or not attempted)
    VISITED = "visited"
    NOT_HOME = "not_home"  # missed, a retry is due
    ESCALATED = "escalated"  # missed max_attempts times: phone / village cadre
    REFUSED = "refused"
    CORRECTION = "correction"  # moved or wrong data: on the correction list

    @property
    def zh(self) -> str:
        return PROGRESS_ZH[self]


PROGRESS_ZH = {
    Progress.PENDING: "待走访",
    Progress.VISITED: "已走访",
    Progress.NOT_HOME: "未遇待重访",
    Progress.ESCALATED: "已升级处理",
    Progress.REFUSED: "拒访",
    Progress.CORRECTION: "待核实（搬离/信息有误）",
}
