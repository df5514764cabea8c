"""The card a citizen places on the reader (居民身份证 and its cousins), as one immutable value."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from devices.idcard.codes import ethnic_name, gender_name, nationality_name


class CardType(enum.Enum):
    """Which document the chip holds; the type flag sits at byte 248 of the text block."""

    RESIDENT = "resident"  # 居民身份证
    HMT_PERMIT = "hmt_permit"  # 港澳台居民居住证 (flag "J")
    FOREIGN_PERMANENT = "foreign_permanent"  # 外国人永久居留身份证 (flag "I")

    @property
    def label(self) -> str:
        return {
            CardType.RESIDENT: "居民身份证",
            CardType.HMT_PERMIT: "港澳台居民居住证",
            CardType.FOREIGN_PERMANENT: "外国人永久居留身份证",
        }[self]


@dataclass(frozen=True, repr=False)
class IdCard:
    """What the chip says about its holder; ``valid_until`` is None for a card valid for life (长期).

    ``repr`` shows no personal data, so a card that ends up in a log line leaks nothing; use
    ``kiosk.visit.identity``'s masking functions to show it.
    """

    card_type: CardType
    name: str
    gender_code: str
    birth_date: date
    id_number: str
    valid_from: date
    valid_until: date | None
    address: str = ""
    authority: str = ""
    ethnicity_code: str = ""
    #: 港澳台居民居住证: the holder's travel permit number (通行证号码) and how often it was issued (签发次数).
    pass_number: str = ""
    issue_count: int | None = None
    #: 外国人永久居留身份证: English name, nationality (GB/T 2659 alpha-3), card version, authority code.
    english_name: str = ""
    nationality_code: str = ""
    card_version: str = ""
    authority_code: str = ""
    #: The WLT-compressed photo (1024 bytes) as read; see :mod:`devices.idcard.photo`.
    photo: bytes = b""

    @property
    def gender(self) -> str:
        return gender_name(self.gender_code)

    @property
    def ethnicity(self) -> str:
        return ethnic_name(self.ethnicity_code) if self.ethnicity_code else ""

    @property
    def nationality(self) -> str:
        return nationality_name(self.nationality_code) if self.nationality_code else ""

    @property
    def display_name(self) -> str:
        """The name to greet the holder by: the Chinese name, else the English one."""
        return self.name or self.english_name

    def is_valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)

    def __repr__(self) -> str:
        return f"IdCard({self.card_type.value}, personal data hidden)"
