"""Personal data: full names and phone numbers never appear unmasked on maps, logs or errors."""

from __future__ import annotations

import re

from optimizer.domain.codes import TargetType
from optimizer.domain.model import Target


def mask_name(name: str) -> str:
    """张三明 → 张*明, 李四 → 李*; empty stays empty."""
    name = name.strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_phone(phone: str) -> str:
    """13812345678 → 138****5678; anything shorter keeps only its last two digits."""
    digits = re.sub(r"\D", "", phone)
    if len(digits) >= 7:
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    return "*" * max(0, len(digits) - 2) + digits[-2:]


def display_name(target: Target) -> str:
    """What may be shown of a target: a household's head masked, an organisation's name as is."""
    if target.type is TargetType.HOUSEHOLD:
        return mask_name(target.name) or target.id
    return target.name or target.id
