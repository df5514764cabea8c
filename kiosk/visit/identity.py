"""Identity numbers and privacy (身份信息与脱敏): checking a citizen ID number, an age, and the one family of
masking functions used everywhere a name, ID number or phone number is shown, printed, logged or spoken.

A check here is what the kiosk can know offline: the GB 11643-1999 form (17 digits and a MOD 11-2 check
character, which may be X), a real birth date, and a plausible province-level region prefix. It is not
proof that the number was ever issued.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from kiosk.visit.strings import Texts
from offline_cache.wire.id_check import mod11_2

#: 省级行政区划代码 (GB/T 2260): the first two digits of every ID number, and the 83 of Taiwan residents'
#: residence permits (830000, next to 810000 Hong Kong and 820000 Macau).
PROVINCES: dict[str, str] = {
    "11": "北京市",
    "12": "天津市",
    "13": "河北省",
    "14": "山西省",
    "15": "内蒙古自治区",
    "21": "辽宁省",
    "22": "吉林省",
    "23": "黑龙江省",
    "31": "上海市",
    "32": "江苏省",
    "33": "浙江省",
    "34": "安徽省",
    "35": "福建省",
    "36": "江西省",
    "37": "山东省",
    "41": "河南省",
    "42": "湖北省",
    "43": "湖南省",
    "44": "广东省",
    "45": "广西壮族自治区",
    "46": "海南省",
    "50": "重庆市",
    "51": "四川省",
    "52": "贵州省",
    "53": "云南省",
    "54": "西藏自治区",
    "61": "陕西省",
    "62": "甘肃省",
    "63": "青海省",
    "64": "宁夏回族自治区",
    "65": "新疆维吾尔自治区",
    "71": "台湾省",
    "81": "香港特别行政区",
    "82": "澳门特别行政区",
}
_PERMIT_PREFIXES = {"83": "台湾居民居住证"}

_ID_SHAPE = re.compile(r"^\d{17}[\dX]$")
_EARLIEST_BIRTH = date(1880, 1, 1)


class IdNumberError(ValueError):
    """An ID number that cannot be right: ``key`` and ``fields`` name the sentence in the strings catalog
    (:mod:`kiosk.visit.strings`), so it is shown and spoken in the visit's language; ``message`` is the Chinese."""

    def __init__(self, key: str, **fields: object) -> None:
        self.key = key
        self.fields = fields
        self.message = Texts()(key, **fields)
        super().__init__(self.message)


@dataclass(frozen=True)
class IdNumber:
    """A well-formed citizen ID number (公民身份号码) and what it says about its holder."""

    number: str
    region_code: str
    province: str
    birth_date: date
    #: GB/T 2261.1 gender code from the sequence digit's parity: "1" male, "2" female.
    gender_code: str


def check_character(first17: str) -> str:
    """The MOD 11-2 check character (0-9 or X) for the first 17 digits."""
    if not re.fullmatch(r"\d{17}", first17):
        raise IdNumberError("id.not_digits")
    return mod11_2(first17)


def normalize_id_number(text: str) -> str:
    """Upper-case, without spaces and with a full-width ｘ/Ｘ turned into X (how people and IMEs type it)."""
    return re.sub(r"\s+", "", text).replace("ｘ", "X").replace("Ｘ", "X").upper()


def parse_id_number(text: str, *, today: date | None = None) -> IdNumber:
    """Check an 18-character ID number; raise :class:`IdNumberError` saying what is wrong."""
    number = normalize_id_number(text)
    if len(number) != 18:
        raise IdNumberError("id.length", count=len(number))
    if not _ID_SHAPE.match(number):
        raise IdNumberError("id.shape")
    prefix = number[:2]
    province = PROVINCES.get(prefix) or _PERMIT_PREFIXES.get(prefix)
    if province is None:
        raise IdNumberError("id.region")
    try:
        birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise IdNumberError("id.no_such_date") from None
    if not _EARLIEST_BIRTH <= birth <= (today or date.today()):
        raise IdNumberError("id.implausible_date")
    if check_character(number[:17]) != number[17]:
        raise IdNumberError("id.check_digit")
    gender_code = "1" if int(number[16]) % 2 else "2"
    return IdNumber(number, number[:6], province, birth, gender_code)


def is_valid_id_number(text: str, *, today: date | None = None) -> bool:
    try:
        parse_id_number(text, today=today)
    except IdNumberError:
        return False
    return True


def age_on(birth_date: date, day: date) -> int:
    """Whole years of age on ``day`` (a person born on 29 February turns a year older on 1 March)."""
    before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - (1 if before_birthday else 0)


# --- masking (脱敏): the only functions that decide what of a person may be shown --------------------------


def mask_id_number(text: str) -> str:
    """``11010519491231002X`` → ``110***********002X``: first 3 and last 4 kept, whatever the length."""
    value = normalize_id_number(text)
    if len(value) >= 8:
        return value[:3] + "*" * (len(value) - 7) + value[-4:]
    if len(value) >= 3:
        return value[0] + "*" * (len(value) - 2) + value[-1]
    return "*" * len(value)


_LATIN = re.compile(r"[A-Za-z]")


def mask_name(text: str) -> str:
    """``张三`` → ``张*``, ``张小三`` → ``张*三``, ``欧阳小明`` → ``欧**明``; a Latin-script name keeps the
    first letter of each word (``JOHN SMITH`` → ``J*** S****``)."""
    name = text.strip()
    if _LATIN.search(name):
        return " ".join(word[0] + "*" * (len(word) - 1) for word in re.split(r"[\s,]+", name) if word)
    if len(name) <= 1:
        return "*" * len(name)
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_address(text: str) -> str:
    """``北京市东城区示例胡同1号`` → ``北京市东城区****``: the first six characters (about province and
    district) kept, the street and number hidden."""
    address = text.strip()
    if len(address) <= 6:
        return address[: len(address) // 2] + "*" * (len(address) - len(address) // 2)
    return address[:6] + "****"


def mask_phone(text: str) -> str:
    """``13812345678`` → ``138****5678``; a shorter number (landline) keeps only its last 4 digits."""
    digits = re.sub(r"\D", "", text)
    if len(digits) >= 11:
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    if len(digits) > 4:
        return "*" * (len(digits) - 4) + digits[-4:]
    return "*" * len(digits)
