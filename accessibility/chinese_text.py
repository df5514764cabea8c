"""Chinese text as a reader meets it: full-width punctuation inside Chinese, and no lone character on a last line.

:func:`half_width_marks` finds ``? , . ! : ; ( )`` typed half-width where they touch Chinese (``您还在办理吗?``,
``张三(本人)``); the audit's ``half-width-punctuation`` rule and the catalog lint both use it. Numbers, times and
English keep theirs (``10:30``, ``1.5``, ``e.g.``, ``Case number (SMS)``).

:func:`keep_last_together` glues a text's last two characters with word joiners (U+2060, zero width), so that
wrapping never leaves one character with its full stop alone on the last line (``…返回首`` / ``页。``).
"""

from __future__ import annotations

from dataclasses import dataclass

#: Half-width marks and the full-width ones Chinese text uses instead.
FULL_WIDTH = {"?": "？", ",": "，", ".": "。", "!": "！", ":": "：", ";": "；", "(": "（", ")": "）"}
#: U+2060 WORD JOINER: no line break on either side, drawn as nothing.
WORD_JOINER = "\u2060"


def is_chinese(char: str) -> bool:
    """A Han character, or CJK / full-width punctuation."""
    code = ord(char)
    return (
        0x3400 <= code <= 0x4DBF
        or 0x4E00 <= code <= 0x9FFF
        or 0xF900 <= code <= 0xFAFF
        or 0x20000 <= code <= 0x3134F
        or 0x3000 <= code <= 0x303F
        or 0xFF00 <= code <= 0xFFEF
    )


def _is_han(char: str) -> bool:
    return is_chinese(char) and not (0x3000 <= ord(char) <= 0x303F or 0xFF00 <= ord(char) <= 0xFFEF)


@dataclass(frozen=True)
class HalfWidthMark:
    """One half-width mark inside Chinese: where, which, and what it should be."""

    index: int
    mark: str
    excerpt: str

    @property
    def should_be(self) -> str:
        return FULL_WIDTH[self.mark]


def _neighbour(text: str, index: int, step: int) -> str:
    """The nearest character that is not a space, going ``step`` (-1 left, +1 right); empty at the end."""
    index += step
    while 0 <= index < len(text) and text[index] in " \u3000\u00a0":
        index += step
    return text[index] if 0 <= index < len(text) else ""


def half_width_marks(text: str) -> list[HalfWidthMark]:
    """Half-width punctuation that touches Chinese: after Chinese (``吗?``), or a bracket beside it."""
    found = []
    for index, char in enumerate(text):
        if char not in FULL_WIDTH:
            continue
        left, right = _neighbour(text, index, -1), _neighbour(text, index, 1)
        if char == "(":
            touches = (bool(right) and is_chinese(right)) or (bool(left) and _is_han(left))
        elif char == ")":
            touches = (bool(left) and is_chinese(left)) or (bool(right) and _is_han(right))
        else:
            touches = bool(left) and is_chinese(left)
        if touches:
            found.append(HalfWidthMark(index, char, text[max(0, index - 6) : index + 2]))
    return found


def keep_last_together(text: str) -> str:
    """``text`` with its last two Han characters (before any closing punctuation) joined by a word joiner, so a
    wrapped last line never holds one character alone. Texts of four characters or fewer are left as they are."""
    if len(text) <= 4 or WORD_JOINER in text:
        return text
    end = len(text)
    while end > 0 and not _is_han(text[end - 1]) and is_chinese(text[end - 1]):
        end -= 1  # closing punctuation: 。！？」 already never starts a line
    if end < 2 or not (_is_han(text[end - 1]) and _is_han(text[end - 2])):
        return text
    return text[: end - 1] + WORD_JOINER + text[end - 1 :]
