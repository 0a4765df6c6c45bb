"""Parsers for single cells. Each raises ``CellError`` (what is wrong, what was expected)."""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
import unicodedata

from optimizer.domain.codes import OutcomeStatus, TargetType
from optimizer.domain.model import RequestCategory, Window

LIST_SEPARATORS = re.compile(r"[;；,，、\s]+")
#: An id (of a target or a cadre): letters of any script, digits, ``_``, ``.`` and ``-``, at
#: most 64 characters, starting with a letter or digit and not ending with a dot. Ids name
#: files and folders and travel in links, so nothing else is accepted.
ID_PATTERN = re.compile(r"[^\W_][\w.\-]{0,63}")
ID_EXPECTED = "字母、数字、汉字及 _ . -，以字母、数字或汉字开头，最长 64 个字符"
#: The parsers of an outcome's cells see a few hundred distinct texts in thousands of rows
#: (times, days, statuses, categories): their results (immutable) are kept, not recomputed.
#: A text that fails raises again each time (exceptions are not kept).
_kept = functools.lru_cache(maxsize=4096)

TYPE_ALIASES: dict[str, TargetType] = {
    **{t.value: t for t in TargetType},
    "户": TargetType.HOUSEHOLD,
    "住户": TargetType.HOUSEHOLD,
    "居民": TargetType.HOUSEHOLD,
    "居民户": TargetType.HOUSEHOLD,
    "家庭": TargetType.HOUSEHOLD,
    "农户": TargetType.HOUSEHOLD,
    "企业": TargetType.ENTERPRISE,
    "商铺": TargetType.SHOP,
    "商户": TargetType.SHOP,
    "门店": TargetType.SHOP,
    "沿街门店": TargetType.SHOP,
    "学校": TargetType.SCHOOL,
    "医院": TargetType.HOSPITAL,
    "卫生院": TargetType.HOSPITAL,
    "卫生室": TargetType.HOSPITAL,
    "市场": TargetType.MARKET,
    "机关": TargetType.INSTITUTION,
    "单位": TargetType.INSTITUTION,
    "事业单位": TargetType.INSTITUTION,
    "机关事业单位": TargetType.INSTITUTION,
    "工地": TargetType.SITE,
    "建筑工地": TargetType.SITE,
}

STATUS_ALIASES: dict[str, OutcomeStatus] = {
    **{s.value: s for s in OutcomeStatus},
    "nothome": OutcomeStatus.NOT_HOME,
    "已走访": OutcomeStatus.VISITED,
    "已访": OutcomeStatus.VISITED,
    "走访": OutcomeStatus.VISITED,
    "完成": OutcomeStatus.VISITED,
    "未遇": OutcomeStatus.NOT_HOME,
    "不在家": OutcomeStatus.NOT_HOME,
    "无人": OutcomeStatus.NOT_HOME,
    "拒访": OutcomeStatus.REFUSED,
    "拒绝": OutcomeStatus.REFUSED,
    "已搬离": OutcomeStatus.MOVED,
    "搬离": OutcomeStatus.MOVED,
    "信息有误": OutcomeStatus.INVALID,
    "无效": OutcomeStatus.INVALID,
}

RESPONSIBILITY_ALIASES = {"镇村解决": 1, "镇和市直部门联动": 2, "市直部门单独解决": 3}
SUBJECT_ALIASES = {
    "居住环境": 1,
    "社会治安": 2,
    "基本医疗": 3,
    "文体生活": 4,
    "基础教育": 5,
    "社会帮扶": 6,
    "其他": 7,
}

TRUE_WORDS = {"1", "是", "y", "yes", "true", "t", "重点", "√", "✓"}
FALSE_WORDS = {"", "0", "否", "n", "no", "false", "f", "一般"}


class CellError(ValueError):
    def __init__(self, message: str, expected: str = ""):
        super().__init__(message)
        self.message = message
        self.expected = expected


def fold(text: str) -> str:
    """全角 → 半角, trimmed, lower case."""
    return unicodedata.normalize("NFKC", text).strip().lower()


def parse_id(text: str) -> str:
    """An id as written (trimmed), if it keeps to ``ID_PATTERN``."""
    ident = text.strip()
    if not ID_PATTERN.fullmatch(ident) or ident.endswith("."):
        shown = ident if len(ident) <= 40 else ident[:40] + "…"
        raise CellError(f"编号「{shown!r}」含有不允许的字符或过长", ID_EXPECTED)
    return ident


def parse_float(text: str) -> float:
    try:
        value = float(fold(text))
    except ValueError:
        raise CellError(f"「{text}」不是数字", "十进制度数，如 35.0812") from None
    if not math.isfinite(value):
        raise CellError(f"「{text}」不是有限的数", "十进制度数")
    return value


@_kept
def parse_int(
    text: str, *, minimum: int | None = None, maximum: int | None = None, what: str = "整数"
) -> int:
    folded = fold(text).removesuffix("分钟").removesuffix("分").strip()
    try:
        number = float(folded)
    except ValueError:
        raise CellError(f"「{text}」不是整数", what) from None
    if not number.is_integer():
        raise CellError(f"「{text}」不是整数", what)
    value = int(number)
    if minimum is not None and value < minimum:
        raise CellError(f"「{text}」小于 {minimum}", what)
    if maximum is not None and value > maximum:
        raise CellError(f"「{text}」大于 {maximum}", what)
    return value


@_kept
def parse_bool(text: str) -> bool:
    folded = fold(text)
    if folded in TRUE_WORDS:
        return True
    if folded in FALSE_WORDS:
        return False
    raise CellError(f"「{text}」无法识别为是/否", "1/0、是/否")


@_kept
def parse_time(text: str) -> int:
    """``HH:MM`` → minutes after midnight."""
    folded = fold(text)
    match = re.fullmatch(r"(\d{1,2})[:点时](\d{2})?分?(?::\d{2})?", folded)
    if not match:
        raise CellError(f"「{text}」不是时间", "HH:MM，如 08:30")
    hours, minutes = int(match[1]), int(match[2] or 0)
    if hours > 24 or minutes > 59 or (hours == 24 and minutes):
        raise CellError(f"「{text}」不是有效时间", "00:00 至 24:00")
    return hours * 60 + minutes


def parse_window(text: str, named: dict[str, Window] | None = None) -> Window:
    """``HH:MM-HH:MM`` or a name from ``[windows]`` (白天/晚上 also map to day/evening)."""
    folded = fold(text)
    named = named or {}
    alias = {"白天": "day", "日间": "day", "晚上": "evening", "傍晚": "evening", "夜间": "evening"}
    key = alias.get(folded, folded)
    if key in named:
        return named[key]
    parts = re.split(r"\s*(?:-|~|～|—|–|至|到)\s*", folded)
    names = "、".join(named) if named else ""
    expected = "HH:MM-HH:MM" + (f" 或 {names}" if names else "")
    if len(parts) != 2:
        raise CellError(f"「{text}」不是时段", expected)
    try:
        start, end = parse_time(parts[0]), parse_time(parts[1])
    except CellError:
        raise CellError(f"「{text}」不是时段", expected) from None
    if start >= end:
        raise CellError(f"时段「{text}」开始不早于结束", "开始时间早于结束时间")
    return Window(start, end)


def parse_type(text: str) -> TargetType:
    kind = TYPE_ALIASES.get(fold(text))
    if kind is None:
        names = "、".join(t.value for t in TargetType)
        raise CellError(
            f"未知的走访对象类型「{text}」", f"{names} 或 户/企业/商铺/学校/医院/市场/机关/工地"
        )
    return kind


def split_list(text: str) -> list[str]:
    return [part for part in LIST_SEPARATORS.split(fold(text)) if part]


def parse_types(text: str) -> frozenset[TargetType]:
    return frozenset(parse_type(part) for part in split_list(text))


def parse_days(text: str, days: int) -> tuple[int, ...]:
    """Campaign day numbers in ``1..days``."""
    result = []
    for part in split_list(text):
        value = parse_int(part, what=f"1 到 {days} 之间的天数，以 ; 分隔")
        if not 1 <= value <= days:
            raise CellError(f"休息日 {value} 不在活动期 1–{days} 天内", f"1 到 {days} 之间")
        result.append(value)
    return tuple(sorted(set(result)))


@_kept
def parse_status(text: str) -> OutcomeStatus:
    status = STATUS_ALIASES.get(fold(text).replace(" ", ""))
    if status is None:
        raise CellError(
            f"未知的走访结果「{text}」",
            "visited/not_home/refused/moved/invalid 或 已走访/未遇/拒访/已搬离/信息有误",
        )
    return status


@_kept
def parse_category(text: str) -> RequestCategory:
    """``R-S`` numbers, or the Chinese names of class and subject in either order."""
    folded = fold(text)
    expected = "R-S（R=1–3，S=1–7）或 镇村解决-居住环境 这样的中文名称"
    numbers = re.fullmatch(r"([1-3])\s*[-—./·]\s*([1-7])", folded)
    if numbers:
        return RequestCategory(int(numbers[1]), int(numbers[2]))
    responsibility = next((v for k, v in RESPONSIBILITY_ALIASES.items() if k in folded), None)
    subject = next((v for k, v in SUBJECT_ALIASES.items() if k in folded), None)
    if responsibility is None or subject is None:
        raise CellError(f"无法识别的诉求分类「{text}」", expected)
    return RequestCategory(responsibility, subject)


def parse_date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(fold(str(value)).replace("/", "-"))
    except ValueError:
        raise CellError(f"「{value}」不是日期", "YYYY-MM-DD") from None
