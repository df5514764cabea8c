"""Turning numbers on screen into words for the voice (读号): digit by digit, masks said as a count.

A citizen checks a number by hearing it the way a clerk would read it: one digit at a time ("1 3 8" →
"一 三 八"), the ``X`` at the end of an ID number as "叉", and the hidden middle as how many digits are hidden
("隐去十一位") rather than eleven times "星号". A full ID or phone number is never spoken: the caller passes
the masked text from ``kiosk.visit.identity``, and these helpers refuse (:class:`UnmaskedNumberError`) anything
that still looks like a whole 18-character ID number or 11-digit mobile number.
"""

from __future__ import annotations

import re

ZH_DIGITS = "零一二三四五六七八九"
EN_DIGITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
#: What masking functions put in place of hidden digits (ASCII, full-width, bullets).
MASK_CHARS = frozenset("*＊•●·")
_SEPARATORS = frozenset(" -\u3000")

_UNMASKED_ID = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_UNMASKED_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


_KIND_NAMES = {"ID number": ("身份证号", "ID number"), "phone number": ("电话号码", "phone number")}


class UnmaskedNumberError(ValueError):
    """Text to be spoken still holds a full ID or phone number; mask it first (``kiosk.visit.identity``)."""

    def __init__(self, kind: str) -> None:
        zh, en = _KIND_NAMES[kind]
        super().__init__(f"不能朗读完整的{zh}，请先隐去中间的数字 / refusing to speak an unmasked {en}")
        self.kind = kind


def _compact(text: str) -> str:
    return "".join(ch for ch in text if ch not in _SEPARATORS)


def unmasked_kind(text: str) -> str:
    """``"ID number"`` or ``"phone number"`` when ``text`` holds one in full (ignoring spaces, hyphens)."""
    for candidate in (text, _compact(text)):
        if _UNMASKED_ID.search(candidate):
            return "ID number"
        if _UNMASKED_MOBILE.search(candidate):
            return "phone number"
    return ""


def refuse_unmasked(text: str) -> None:
    """Raise :class:`UnmaskedNumberError` when ``text`` holds a full ID or mobile number."""
    kind = unmasked_kind(text)
    if kind:
        raise UnmaskedNumberError(kind)


def count_zh(n: int) -> str:
    """A count in Chinese as said before 位/个: 2 → 两, 11 → 十一, 20 → 二十, 105 → 一百零五."""
    if n < 0 or n > 9999:
        raise ValueError(f"count out of range: {n}")
    if n == 2:
        return "两"
    if n < 10:
        return ZH_DIGITS[n]
    if n < 20:
        return "十" + (ZH_DIGITS[n - 10] if n > 10 else "")
    parts: list[str] = []
    zero_pending = False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit, n = divmod(n, value)
        if digit:
            if zero_pending:
                parts.append("零")
            parts.append(ZH_DIGITS[digit] + unit)
            zero_pending = False
        elif parts:
            zero_pending = True
    return "".join(parts)


def _count_en(n: int) -> str:
    return f"{n} digit{'s' if n != 1 else ''} hidden"


def _digit_word(ch: str, language: str) -> str:
    if ch in "Xx":
        return "叉" if language != "en" else "X"
    value = int(ch)
    return ZH_DIGITS[value] if language != "en" else EN_DIGITS[value]


def read_digits(text: str, language: str = "zh_CN") -> str:
    """Each digit as a word ("1 3 8" → "一 三 八"; "138" → "一三八"); ``X`` → 叉; other characters kept."""
    refuse_unmasked(text)
    words: list[str] = []
    for ch in text:
        if ch.isascii() and (ch.isdigit() or ch in "Xx"):
            words.append(_digit_word(ch, language))
        else:
            words.append(ch)
    if language == "en":
        return " ".join(word for word in words if word.strip())
    return "".join(words)


def read_masked(masked: str, language: str = "zh_CN") -> str:
    """A masked number as spoken: digit groups read digit by digit, each run of masks as a count.

    ``"110***********002X"`` → ``"一一零，隐去十一位，零零二叉"``;
    ``"138****5678"`` → ``"一三八，隐去四位，五六七八"``.
    """
    refuse_unmasked(masked)
    groups: list[str] = []
    digits: list[str] = []
    hidden = 0

    def close_digits() -> None:
        if digits:
            groups.append(read_digits("".join(digits), language))
            digits.clear()

    def close_hidden() -> None:
        nonlocal hidden
        if hidden:
            groups.append(f"隐去{count_zh(hidden)}位" if language != "en" else _count_en(hidden))
            hidden = 0

    for ch in masked:
        if ch in MASK_CHARS:
            close_digits()
            hidden += 1
        elif ch in _SEPARATORS:
            continue
        else:
            close_hidden()
            digits.append(ch)
    close_digits()
    close_hidden()
    return ("，" if language != "en" else ", ").join(groups)


def read_id_number(masked: str, language: str = "zh_CN") -> str:
    """A masked 18-character ID number (居民身份证号) as spoken; refuses an unmasked one."""
    compact = _compact(masked)
    refuse_unmasked(compact)
    if len(compact) != 18:
        raise ValueError(f"not an 18-character masked ID number: {len(compact)} characters")
    if not any(ch in MASK_CHARS for ch in compact):
        raise UnmaskedNumberError("ID number")
    return read_masked(compact, language)


def read_phone_number(masked: str, language: str = "zh_CN") -> str:
    """A masked phone number as spoken (``"138****5678"`` → ``"一三八，隐去四位，五六七八"``).

    Refuses an unmasked one, and any phone number of seven or more digits with nothing hidden.
    """
    compact = _compact(masked)
    refuse_unmasked(compact)
    if not any(ch in MASK_CHARS for ch in compact) and len(compact) >= 7:
        raise UnmaskedNumberError("phone number")
    return read_masked(compact, language)


_NUMBER_RUN = re.compile(r"[0-9Xx*]*[0-9][0-9Xx*]{5,}")


def speakable(text: str, language: str = "zh_CN") -> str:
    """A sentence as it may be spoken: long numbers digit by digit, masked runs as a count ("隐去四位"),
    and a full ID or phone number that slipped in replaced by the word "号码" rather than read out."""

    def say(match: re.Match[str]) -> str:
        token = match.group(0)
        try:
            return read_masked(token, language) if "*" in token else read_digits(token, language)
        except UnmaskedNumberError:
            return "号码" if language != "en" else "number"

    return _NUMBER_RUN.sub(say, text)
