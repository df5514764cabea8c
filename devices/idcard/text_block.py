"""The 256-byte text block of a card (文字信息), UCS-2 little-endian, fixed-width fields padded with spaces.

Three layouts share the block; the character at byte 248 tells them apart (a space on a resident ID card,
"J" on a Hong Kong/Macau/Taiwan residence permit, "I" on a foreign permanent resident card). The field
widths below are in bytes, two per character, and follow the published machine-readable specifications
(GA 467 for the ID card, the 2018 permit specification, the 2017 foreign card specification).
"""

from __future__ import annotations

from datetime import date

from devices.idcard.card import CardType, IdCard
from devices.idcard.errors import CardReadError

TEXT_SIZE = 256
TYPE_FLAG_OFFSET = 248

RESIDENT_LAYOUT: tuple[tuple[str, int], ...] = (
    ("name", 30), ("gender", 2), ("ethnicity", 4), ("birth", 16), ("address", 70), ("id_number", 36),
    ("authority", 30), ("valid_from", 16), ("valid_until", 16), ("reserved", 36),
)
HMT_LAYOUT: tuple[tuple[str, int], ...] = (
    ("name", 30), ("gender", 2), ("reserved1", 4), ("birth", 16), ("address", 70), ("id_number", 36),
    ("authority", 30), ("valid_from", 16), ("valid_until", 16), ("pass_number", 18), ("issue_count", 4),
    ("reserved2", 6), ("type_flag", 2), ("reserved3", 6),
)
FOREIGN_LAYOUT: tuple[tuple[str, int], ...] = (
    ("english_name", 120), ("gender", 2), ("id_number", 30), ("nationality", 6), ("name", 30),
    ("valid_from", 16), ("valid_until", 16), ("birth", 16), ("card_version", 4), ("authority_code", 8),
    ("type_flag", 2), ("reserved", 6),
)
LAYOUTS = {CardType.RESIDENT: RESIDENT_LAYOUT, CardType.HMT_PERMIT: HMT_LAYOUT,
           CardType.FOREIGN_PERMANENT: FOREIGN_LAYOUT}
TYPE_FLAGS = {CardType.HMT_PERMIT: "J", CardType.FOREIGN_PERMANENT: "I"}
LONG_TERM = "长期"


def _unreadable(detail: str) -> CardReadError:
    return CardReadError("证件信息无法识别，请重新放置 / the card's data could not be read, please try again",
                         technician_hint=f"text block: {detail}")


def card_type_of(text: bytes) -> CardType:
    flag = text[TYPE_FLAG_OFFSET : TYPE_FLAG_OFFSET + 2].decode("utf-16-le", errors="replace")
    if flag == "J":
        return CardType.HMT_PERMIT
    if flag == "I":
        return CardType.FOREIGN_PERMANENT
    if flag in (" ", "\x00"):
        return CardType.RESIDENT
    raise CardReadError(
        "暂不支持此类证件 / this kind of card is not supported yet",
        technician_hint=f"card type flag {flag!r} at byte {TYPE_FLAG_OFFSET} (e.g. 'Y': 2023 foreign card)",
    )


def _split(text: bytes, layout: tuple[tuple[str, int], ...]) -> dict[str, str]:
    fields: dict[str, str] = {}
    offset = 0
    for name, size in layout:
        raw = text[offset : offset + size]
        offset += size
        try:
            fields[name] = raw.decode("utf-16-le").replace("\x00", " ").strip()
        except UnicodeDecodeError:
            raise _unreadable(f"field {name} is not UCS-2") from None
    return fields


def _date(value: str, field: str) -> date:
    try:
        return date(int(value[0:4]), int(value[4:6]), int(value[6:8]))
    except ValueError:
        raise _unreadable(f"{field} {value!r} is not YYYYMMDD") from None


def _until(value: str) -> date | None:
    return None if value.startswith(LONG_TERM) else _date(value, "valid_until")


def parse_text_block(text: bytes, photo: bytes = b"") -> IdCard:
    """The card the 256-byte text block (and the photo next to it) describes; :class:`CardReadError` if
    the block is malformed."""
    if len(text) != TEXT_SIZE:
        raise _unreadable(f"{len(text)} bytes, expected {TEXT_SIZE}")
    card_type = card_type_of(text)
    f = _split(text, LAYOUTS[card_type])
    count = f.get("issue_count", "")
    return IdCard(
        card_type=card_type,
        name=f["name"],
        gender_code=f["gender"],
        birth_date=_date(f["birth"], "birth"),
        id_number=f["id_number"],
        valid_from=_date(f["valid_from"], "valid_from"),
        valid_until=_until(f["valid_until"]),
        address=f.get("address", ""),
        authority=f.get("authority", ""),
        ethnicity_code=f.get("ethnicity", ""),
        pass_number=f.get("pass_number", ""),
        issue_count=int(count) if count.isdigit() else None,
        english_name=f.get("english_name", ""),
        nationality_code=f.get("nationality", ""),
        card_version=f.get("card_version", ""),
        authority_code=f.get("authority_code", ""),
        photo=photo,
    )


def _values(card: IdCard) -> dict[str, str]:
    return {
        "name": card.name, "gender": card.gender_code, "ethnicity": card.ethnicity_code,
        "birth": card.birth_date.strftime("%Y%m%d"), "address": card.address, "id_number": card.id_number,
        "authority": card.authority, "valid_from": card.valid_from.strftime("%Y%m%d"),
        "valid_until": card.valid_until.strftime("%Y%m%d") if card.valid_until else LONG_TERM,
        "pass_number": card.pass_number,
        "issue_count": f"{card.issue_count:02d}" if card.issue_count is not None else "",
        "english_name": card.english_name, "nationality": card.nationality_code,
        "card_version": card.card_version, "authority_code": card.authority_code,
        "type_flag": TYPE_FLAGS.get(card.card_type, " "),
    }


def build_text_block(card: IdCard) -> bytes:
    """The text block a chip holding ``card`` would give (the simulator's side of :func:`parse_text_block`)."""
    values = _values(card)
    out = bytearray()
    for name, size in LAYOUTS[card.card_type]:
        raw = values.get(name, "").encode("utf-16-le")
        if len(raw) > size:
            raise ValueError(f"{name} needs {len(raw)} bytes, the field holds {size}")
        out += raw + " ".encode("utf-16-le") * ((size - len(raw)) // 2)
    return bytes(out)
