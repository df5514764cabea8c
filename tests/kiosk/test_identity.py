"""ID numbers and masking: what the kiosk accepts and what it lets anyone see."""

from __future__ import annotations

from datetime import date

import pytest

from kiosk.visit.identity import (
    IdNumberError,
    age_on,
    check_character,
    is_valid_id_number,
    mask_address,
    mask_id_number,
    mask_name,
    mask_phone,
    parse_id_number,
)
from kiosk.visit.strings import Texts

TODAY = date(2026, 6, 1)


@pytest.mark.parametrize(
    "number",
    ["11010519491231002X", "110101198503120017", "110101194901010026", "81000019920101003X",
     "830000198808080041", "330106200002290010"],
)
def test_valid_numbers_are_accepted(number: str) -> None:
    assert is_valid_id_number(number, today=TODAY)


def test_what_a_number_says_about_its_holder() -> None:
    info = parse_id_number(" 11010519491231002x ", today=TODAY)  # typed with spaces and a lower-case x
    assert info.number == "11010519491231002X"
    assert info.province == "北京市"
    assert info.region_code == "110105"
    assert info.birth_date == date(1949, 12, 31)
    assert info.gender_code == "2"  # the 17th digit, 2, is even


@pytest.mark.parametrize(
    ("number", "says"),
    [
        ("110105194912310021", "最后一位不对"),  # wrong check digit
        ("110105199002300013", "出生日期不存在"),  # 30 February
        ("11010519491231002", "18位"),  # one character short
        ("1101051949123100211", "18位"),  # one too many
        ("11010519491231A02X", "数字"),
        ("990105194912310029", "地区"),  # no province 99
        ("110105213001010018", "不合理"),  # born in 2130
    ],
)
def test_invalid_numbers_say_what_is_wrong(number: str, says: str) -> None:
    with pytest.raises(IdNumberError) as caught:
        parse_id_number(number, today=TODAY)
    assert says in caught.value.message
    # One language at a time: the catalog gives the same sentence in English for an English visit.
    english = Texts("en")(caught.value.key, **caught.value.fields)
    assert english.isascii() and english != caught.value.message
    assert not is_valid_id_number(number, today=TODAY)


def test_wrong_check_digit_message_is_the_documented_one() -> None:
    with pytest.raises(IdNumberError, match="身份证号码最后一位不对，请核对。"):
        parse_id_number("110105194912310021", today=TODAY)


def test_check_character_can_be_x() -> None:
    assert check_character("11010519491231002") == "X"


def test_age_on_a_given_day() -> None:
    assert age_on(date(1949, 12, 31), date(2026, 12, 30)) == 76
    assert age_on(date(1949, 12, 31), date(2026, 12, 31)) == 77
    assert age_on(date(2000, 2, 29), date(2026, 2, 28)) == 25
    assert age_on(date(2000, 2, 29), date(2026, 3, 1)) == 26


def test_masking_as_documented() -> None:
    assert mask_id_number("11010519491231002X") == "110***********002X"
    assert mask_id_number("11010519491231123X") == "110***********123X"
    assert mask_name("张三") == "张*"
    assert mask_name("张小三") == "张*三"
    assert mask_name("欧阳小明") == "欧**明"
    assert mask_name("王䶮") == "王*"
    assert mask_name("JOHN SMITH") == "J*** S****"
    assert mask_name("SMITH, JOHN SAMPLE") == "S**** J*** S*****"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("138 1234 5678") == "138****5678"


def test_masking_never_shows_the_middle_of_short_values() -> None:
    assert mask_name("李") == "*"
    assert mask_phone("12345678") == "****5678"
    assert mask_id_number("H123456") == "H*****6"


def test_addresses_keep_only_the_district() -> None:
    assert mask_address("北京市东城区示例胡同1号") == "北京市东城区****"
    assert mask_address("某村") == "某*"
