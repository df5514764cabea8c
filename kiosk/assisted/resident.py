"""The resident (办事群众) a staff member acts for: read from the ID card or typed, checked, masked everywhere.

The full name, ID number and phone live only inside the staff member's vault and the sealed submission; every
value meant for a screen, a list, a slip or a log goes through the ``masked_*`` properties (the one family of
masking functions in :mod:`kiosk.visit.identity`).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import date
from typing import Literal

from kiosk.visit.identity import (
    IdNumberError,
    mask_id_number,
    mask_name,
    mask_phone,
    normalize_id_number,
    parse_id_number,
)

IdentifiedBy = Literal["id_card", "typed"]
_PHONE = re.compile(r"^1\d{10}$|^0\d{2,3}-?\d{7,8}$")


class ResidentError(ValueError):
    """A resident's details that cannot be right; ``field`` names the field, ``str(self)`` says why in Chinese."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


@dataclass(frozen=True)
class Resident:
    """A checked resident: the ID number passed GB 11643's check digit and carries a real birth date."""

    name: str
    id_number: str
    phone: str = ""
    identified_by: IdentifiedBy = "typed"

    @property
    def masked_name(self) -> str:
        return mask_name(self.name)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone) if self.phone else ""

    @property
    def masked(self) -> str:
        """``张*丰 110***********1234``: how a list or a slip names the resident."""
        return f"{self.masked_name} {self.masked_id_number}"

    def to_json(self) -> dict[str, str]:
        return asdict(self)

    @classmethod
    def from_json(cls, raw: dict[str, str]) -> Resident:
        by = raw.get("identified_by", "typed")
        return cls(raw["name"], raw["id_number"], raw.get("phone", ""), "id_card" if by == "id_card" else "typed")


def check_phone(text: str) -> str:
    """A mobile (11 digits from 1) or a landline with its area code; ``""`` stays empty (not asked)."""
    phone = re.sub(r"[\s]", "", text)
    if phone and not _PHONE.match(phone):
        raise ResidentError("phone", "电话号码格式不对：手机号为 11 位数字，固话请带区号")
    return phone


def check_name(text: str) -> str:
    name = text.strip()
    if not name:
        raise ResidentError("name", "请填写姓名")
    if len(name) > 50 or re.search(r"[\d<>{}]", name):
        raise ResidentError("name", "姓名只能包含文字（少数民族姓名中的间隔号·可以保留）")
    return name


def resident_from_input(
    name: str, id_number: str, phone: str = "", *, identified_by: IdentifiedBy = "typed", today: date | None = None
) -> Resident:
    """Check what was typed (or read from the card) and return the :class:`Resident`, else :class:`ResidentError`
    naming the first wrong field with the reason a person can act on (the check digit included)."""
    checked_name = check_name(name)
    try:
        number = parse_id_number(id_number, today=today).number
    except IdNumberError as exc:
        raise ResidentError("id_number", exc.message) from None
    return Resident(checked_name, normalize_id_number(number), check_phone(phone), identified_by)
