"""Checking one answer against its catalog field, with a message a person can read and hear."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from kiosk.visit.catalog import FormField
from kiosk.visit.identity import IdNumberError, mask_id_number, parse_id_number
from kiosk.visit.strings import Texts


class FieldError(Exception):
    """The answer cannot be taken; ``message`` is shown and spoken as it stands."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Checked:
    value: str
    display: str


_PHONE = re.compile(r"^1[3-9]\d{9}$")
_ACCOUNT = re.compile(r"^\d{16,19}$")
#: What to say when a step is left empty: what is missing, not just "required".
_MISSING = {
    "signature": "form.sign_first",
    "photo": "form.capture_first",
    "document": "form.capture_first",
    "choice": "form.choose_first",
    "yes_no": "form.choose_first",
}


def mask_account(digits: str) -> str:
    """``6222021234567890123`` → ``6222 **** **** ***0123``: the bank's first four and the last four kept."""
    hidden = "*" * (len(digits) - 8)
    groups = [hidden[i : i + 4] for i in range(0, len(hidden), 4)]
    return " ".join([digits[:4], *groups, digits[-4:]])


def check_answer(field: FormField, raw: str, texts: Texts) -> Checked:  # noqa: PLR0911, PLR0912 - one branch per kind
    """Validate ``raw`` for ``field``; an empty optional answer is accepted as empty."""
    value = raw.strip()
    kind = field.kind
    if not value:
        if field.required:
            raise FieldError(texts(_MISSING.get(kind, "form.required")))
        return Checked("", "")
    if kind == "bank_account":
        digits = value.replace(" ", "")
        if not _ACCOUNT.match(digits):
            raise FieldError(texts("form.bad_account"))
        return Checked(digits, mask_account(digits))
    if kind == "phone":
        if not _PHONE.match(value):
            raise FieldError(texts("form.bad_phone"))
        return Checked(value, value)
    if kind == "number":
        try:
            number = float(value)
        except ValueError:
            raise FieldError(texts("form.not_number")) from None
        low = field.min_value if field.min_value is not None else float("-inf")
        high = field.max_value if field.max_value is not None else float("inf")
        if not low <= number <= high:
            raise FieldError(texts("form.bad_number", low=_num(field.min_value), high=_num(field.max_value)))
        return Checked(value, value)
    if kind == "date":
        return _check_date(field, value, texts)
    if kind == "id_number":
        try:
            id_number = parse_id_number(value).number
        except IdNumberError as exc:
            raise FieldError(texts(exc.key, **exc.fields)) from None
        return Checked(id_number, mask_id_number(id_number))
    if kind == "choice":
        for choice in field.choices:
            if choice.value == value:
                return Checked(value, choice.label.get(texts.language))
        raise FieldError(texts("form.required"))
    if kind == "yes_no":
        if value not in ("yes", "no"):
            raise FieldError(texts("form.required"))
        return Checked(value, texts("form.yes" if value == "yes" else "form.no"))
    if len(value) > field.max_length:
        raise FieldError(texts("form.too_long", count=field.max_length))
    if field.check == "address" and not check_address(value):
        raise FieldError(texts("form.bad_address"))
    return Checked(value, value)


#: An address names an area (province, city, district, county, town, township, village or street office) …
_AREA = re.compile(r"[省市区县旗州盟镇乡村屯]|街道")
#: … and, within it, where: a number (号, 楼, 室 …), or a village, group or team for a rural address.
_PLACE = re.compile(r"\d|[号楼栋院室户层组队村屯弄巷]|单元")
#: Shorter than this is never a whole address ("北" was once accepted).
ADDRESS_MIN_CHARS = 6


def check_address(value: str) -> bool:
    """A real address: at least six characters, an area (市, 区, 县, 镇, 村 …) and a place in it (a number,
    号, 楼, 室, or a village or group): "北京市东城区示例大街88号" and "保定市某县某村3组" pass; "北" does not."""
    compact = re.sub(r"\s", "", value)
    if len(compact) < ADDRESS_MIN_CHARS or not _AREA.search(compact):
        return False
    tail = _AREA.split(compact, maxsplit=1)[1] if _AREA.search(compact) else compact
    return bool(_PLACE.search(tail) or compact.endswith(("村", "屯")))


def _num(value: float | None) -> str:
    if value is None:
        return "—"
    return str(int(value)) if value == int(value) else str(value)


def _check_date(field: FormField, value: str, texts: Texts) -> Checked:
    digits = value.replace("-", "")
    if not re.fullmatch(r"\d{8}", digits):
        raise FieldError(texts("form.bad_date"))
    try:
        day = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        raise FieldError(texts("form.bad_date")) from None
    earliest = field.earliest or date(1900, 1, 1)
    latest = field.latest or date(2100, 12, 31)
    if not earliest <= day <= latest:
        raise FieldError(texts("form.date_range", low=earliest.isoformat(), high=latest.isoformat()))
    return Checked(day.isoformat(), f"{day.year}年{day.month}月{day.day}日")
