"""The 256-byte text block: the three published layouts, byte for byte."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from devices.idcard.card import CardType
from devices.idcard.codes import ETHNIC_GROUPS, ethnic_name, gender_name, nationality_name
from devices.idcard.errors import CardReadError
from devices.idcard.samples import SAMPLE_CARDS
from devices.idcard.text_block import TEXT_SIZE, build_text_block, parse_text_block


def _field(text: bytes, offset: int, size: int) -> str:
    return text[offset : offset + size].decode("utf-16-le").strip()


def test_resident_card_fields_sit_at_their_published_offsets() -> None:
    text = build_text_block(SAMPLE_CARDS["wang_yan"])
    assert len(text) == TEXT_SIZE
    assert _field(text, 0, 30) == "王䶮"  # 䶮 is U+4DAE, outside GB2312
    assert _field(text, 30, 2) == "1"
    assert _field(text, 32, 4) == "01"
    assert _field(text, 36, 16) == "19850312"
    assert _field(text, 122, 36) == "110101198503120017"
    assert _field(text, 188, 16) == "20150601"
    assert _field(text, 204, 16) == "20350601"
    assert _field(text, 248, 2) == ""


def test_permit_and_foreign_card_carry_their_type_flag_at_byte_248() -> None:
    permit = build_text_block(SAMPLE_CARDS["chan_tai_man"])
    assert _field(permit, 248, 2) == "J"
    assert _field(permit, 220, 18) == "H12345678"
    assert _field(permit, 238, 4) == "01"
    foreign = build_text_block(SAMPLE_CARDS["john_smith"])
    assert _field(foreign, 248, 2) == "I"
    assert _field(foreign, 0, 120) == "SMITH, JOHN SAMPLE"
    assert _field(foreign, 152, 6) == "USA"


@pytest.mark.parametrize("sample", sorted(SAMPLE_CARDS))
def test_every_sample_round_trips(sample: str) -> None:
    card = SAMPLE_CARDS[sample]
    assert parse_text_block(build_text_block(card), card.photo) == card


def test_long_term_validity_reads_as_none() -> None:
    card = parse_text_block(build_text_block(SAMPLE_CARDS["li_kun"]))
    assert card.valid_until is None
    assert card.is_valid_on(date(2090, 1, 1))
    assert card.name == "李堃"
    assert card.ethnicity == "回"
    assert card.gender == "女"


def test_a_new_card_type_is_refused_with_a_readable_message() -> None:
    text = bytearray(build_text_block(SAMPLE_CARDS["wang_yan"]))
    text[248:250] = "Y".encode("utf-16-le")
    with pytest.raises(CardReadError) as caught:
        parse_text_block(bytes(text))
    assert "不支持" in caught.value.message


def test_a_garbled_date_is_a_read_error_not_a_crash() -> None:
    card = replace(SAMPLE_CARDS["wang_yan"])
    text = bytearray(build_text_block(card))
    text[36:52] = "19851399".encode("utf-16-le")
    with pytest.raises(CardReadError):
        parse_text_block(bytes(text))


def test_code_tables() -> None:
    assert len([code for code in ETHNIC_GROUPS if int(code) <= 56]) == 56
    assert ethnic_name("98") == "外国血统"
    assert ethnic_name("1") == "汉"
    assert gender_name("2") == "女"
    assert gender_name("9") == "未说明"
    assert nationality_name("usa") == "美国"
    assert nationality_name("XYZ") == "XYZ"  # unknown codes stay visible


def test_a_card_never_prints_personal_data() -> None:
    card = SAMPLE_CARDS["wang_yan"]
    assert card.name not in repr(card)
    assert card.id_number not in repr(card)
    assert CardType.RESIDENT.label == "居民身份证"
