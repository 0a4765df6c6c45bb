"""Personal data: full names and phone numbers never appear unmasked on maps, logs or errors.

Free text (诉求内容, notes, addresses) is typed by cadres from what residents say, so it may hold
a phone number or an ID-card number. The store keeps the text as recorded (the ledger is the
record, and a coordinator may need to call back); every output the contract says carries no
phone numbers — maps, day sheets, 附件5/附件6, the city-platform export, the weekly report,
``ledger list`` — shows it through ``mask_free_text``.
"""

from __future__ import annotations

import re

from optimizer.domain.codes import TargetType
from optimizer.domain.model import Target

# Digits as typed: ASCII or full-width (１３８…), in groups split by spaces, dots or dashes.
_D = r"[0-9０-９]"
_SEP = r"[ \u3000.\-－—]?"
#: An 18-digit ID-card number (the last may be X) or an old 15-digit one.
ID_CARD = re.compile(
    rf"(?<![0-9０-９])(?:{_D}{{6}}{_SEP}{_D}{{8}}{_SEP}{_D}{{3}}[0-9０-９Xx×ｘＸ]|{_D}{{15}})"
    r"(?![0-9０-９])"
)
#: A mainland mobile number (1[3-9]…, 11 digits, maybe +86 / 0086 in front and split 3-4-4),
#: or a landline with its area code (0xx-xxxxxxxx) or a bare 7–8 digit local number.
PHONE = re.compile(
    rf"(?<![0-9０-９])(?:(?:\+|＋|00|００)?[8８][6６]{_SEP})?"
    rf"(?:[1１][3-9３-９]{_D}{_SEP}{_D}{{4}}{_SEP}{_D}{{4}}"
    rf"|[0０]{_D}{{2,3}}{_SEP}{_D}{{7,8}}"
    rf"|[2-9２-９]{_D}{{6,7}})"
    r"(?![0-9０-９])"
)
_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


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
    digits = re.sub(r"\D", "", phone.translate(_FULL_WIDTH_DIGITS))
    if len(digits) >= 7:
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    return "*" * max(0, len(digits) - 2) + digits[-2:]


def _mask_id_card(match: re.Match) -> str:
    """The region code (first 6 digits, which the village says anyway) stays; the birth date,
    the order number and the check digit go."""
    text = re.sub(r"[^0-9Xx×ｘＸ]", "", match.group(0).translate(_FULL_WIDTH_DIGITS))
    return text[:6] + "*" * (len(text) - 6)


def _mask_phone_match(match: re.Match) -> str:
    text = match.group(0).translate(_FULL_WIDTH_DIGITS).lstrip("+＋")
    text = re.sub(r"^(?:00)?86[ \u3000.\-－—]?(?=1)", "", text)  # the country code
    digits = re.sub(r"\D", "", text)
    if len(digits) < 11:  # a local number: too short to keep both ends
        return "*" * (len(digits) - 2) + digits[-2:]
    return mask_phone(digits)


def mask_free_text(text: str) -> str:
    """Free text with every ID-card number and phone number in it masked.

    ``370402199001011234`` → ``370402************``; ``13812345678`` or ``138 1234 5678`` →
    ``138****5678``; ``0632-1234567`` → ``063****4567``. Other text is unchanged.
    """
    if not text or not any(ch.isdigit() for ch in text):
        return text
    # Phones first: ``0086`` and eleven digits is fifteen digits, like an old ID card.
    return ID_CARD.sub(_mask_id_card, PHONE.sub(_mask_phone_match, text))


def display_name(target: Target) -> str:
    """What may be shown of a target: a household's head masked, an organisation's name as is
    (with any phone number in it masked)."""
    if target.type is TargetType.HOUSEHOLD:
        return mask_name(target.name) or target.id
    return mask_free_text(target.name) or target.id


def display_address(target: Target) -> str:
    """A target's address as shown on maps, day sheets and lists: phone numbers masked."""
    return mask_free_text(target.address)
