"""Read-back text for the voice: numbers digit by digit, masks as a count, full numbers refused."""

from __future__ import annotations

import pytest

from accessibility.speech_text import (
    UnmaskedNumberError,
    count_zh,
    read_digits,
    read_id_number,
    read_masked,
    read_phone_number,
    refuse_unmasked,
)


def test_digits_are_read_one_by_one_in_chinese() -> None:
    assert read_digits("1 3 8") == "一 三 八"
    assert read_digits("2024") == "二零二四"
    assert read_digits("1 3 8", "en") == "one three eight"


def test_masked_id_number_is_spoken_with_the_hidden_part_counted() -> None:
    assert read_id_number("110***********002X") == "一一零，隐去十一位，零零二叉"
    assert read_id_number("110101********002x") == "一一零一零一，隐去八位，零零二叉"
    assert read_id_number("110***********002X", "en") == "one one zero, 11 digits hidden, zero zero two X"


def test_masked_phone_number_is_spoken_with_the_hidden_part_counted() -> None:
    assert read_phone_number("138****5678") == "一三八，隐去四位，五六七八"
    assert read_phone_number("138 **** 5678") == "一三八，隐去四位，五六七八"
    assert read_masked("13*********") == "一三，隐去九位"


def test_hidden_counts_read_as_people_say_them() -> None:
    assert [count_zh(n) for n in (1, 2, 8, 10, 11, 20, 21, 105)] == [
        "一", "两", "八", "十", "十一", "二十", "二十一", "一百零五",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "11010119900307002X",
        "110101199003070021",
        "110101 19900307 002X",
        "13812345678",
        "138-1234-5678",
        "您的手机号是13812345678，对吗",
    ],
)
def test_full_numbers_are_refused(text: str) -> None:
    with pytest.raises(UnmaskedNumberError):
        refuse_unmasked(text)
    with pytest.raises(UnmaskedNumberError):
        read_masked(text)


def test_an_id_number_with_nothing_hidden_is_refused_even_when_malformed() -> None:
    with pytest.raises(UnmaskedNumberError):
        read_id_number("11010119900307002A")  # 18 characters, nothing masked
    with pytest.raises(UnmaskedNumberError):
        read_phone_number("010-6512345")  # a landline in full
    with pytest.raises(ValueError, match="18-character"):
        read_id_number("110***002X")


def test_refusal_message_is_readable_and_does_not_repeat_the_number() -> None:
    with pytest.raises(UnmaskedNumberError) as caught:
        read_digits("11010119900307002X")
    assert "身份证号" in str(caught.value)
    assert "1101011990" not in str(caught.value)


def test_a_whole_sentence_is_made_speakable() -> None:
    from accessibility.speech_text import speakable

    said = speakable("联系电话：138****5678。受理编号 SB2026112200000123。")
    assert "一三八，隐去四位，五六七八" in said
    assert "SB二零二六一一二二零零零零零一二三" in said
    assert speakable("身份证 110101193805200028") == "身份证 号码"
