"""Line layout (排版): a :class:`PrintDocument` broken into the physical lines a thermal printer prints.

Both renderers consume these lines, so the preview wraps exactly where the paper wraps. Widths count font-A
cells: an ASCII character takes one cell (12 dots), any other character two (a Chinese printer in Chinese mode
prints GB symbols such as · and — full-width too).
"""

from __future__ import annotations

from dataclasses import dataclass

from devices.printer.document import (
    Align,
    Blank,
    Block,
    Cut,
    KeyValue,
    PrintDocument,
    QrCode,
    Rule,
    TextLine,
    Title,
)
from devices.printer.profile import PrinterProfile

#: Characters that must not begin a line (避头点): they stay on the line before.
_NO_LINE_START = frozenset("，。、；：！？）》」』】,.;:!?)]}%")


def cells(text: str) -> int:
    """Width of ``text`` in half-width cells."""
    return sum(1 if ch < "\x80" else 2 for ch in text)


@dataclass(frozen=True)
class Line:
    """One printed line of text that fits the paper at its size."""

    text: str
    size: int = 1
    bold: bool = False
    align: Align = Align.LEFT


@dataclass(frozen=True)
class RuleLine:
    """A separator line of dashes across the paper."""


@dataclass(frozen=True)
class QrLine:
    """A QR code, centred; ``module`` is the dot size of one QR module."""

    data: str
    module: int


@dataclass(frozen=True)
class CutLine:
    """Feed and cut."""


Laid = Line | RuleLine | QrLine | CutLine


def wrap(text: str, width: int) -> list[str]:
    """Break ``text`` into lines of at most ``width`` cells; explicit newlines are kept."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        current: list[str] = []
        used = 0
        for ch in paragraph:
            w = 1 if ch < "\x80" else 2
            if used + w > width and current:
                carried = _carry(current, ch)
                lines.append("".join(current).rstrip(" "))
                current, used = carried, cells("".join(carried))
            current.append(ch)
            used += w
        lines.append("".join(current).rstrip(" "))
    return lines


def _carry(current: list[str], next_char: str) -> list[str]:
    """What moves from a full line to the next one: the start of an ASCII word, or one character before
    closing punctuation (which may not start a line)."""
    if next_char.isascii() and next_char.isalnum():
        word_start = len(current)
        while word_start > 0 and current[word_start - 1].isascii() and current[word_start - 1].isalnum():
            word_start -= 1
        if 0 < word_start < len(current) and len(current) - word_start <= 12:
            carried = current[word_start:]
            del current[word_start:]
            return carried
    if next_char in _NO_LINE_START and len(current) > 1:
        return [current.pop()]
    return []


def qr_module(profile: PrinterProfile) -> int:
    """QR module size in dots: large enough for an old phone camera, small enough for 58 mm paper."""
    return 6 if profile.dots >= 576 else 5


def lay_out(document: PrintDocument, profile: PrinterProfile) -> list[Laid]:
    """The document as physical lines for ``profile``'s paper width."""
    out: list[Laid] = []
    for block in document.blocks:
        out.extend(_lay_out_block(block, profile))
    return out


def _lay_out_block(block: Block, profile: PrinterProfile) -> list[Laid]:  # noqa: PLR0911 one per kind
    columns = profile.columns
    if isinstance(block, Title):
        return [Line(t, 2, True, Align.CENTER) for t in wrap(block.text, columns // 2)]
    if isinstance(block, TextLine):
        return [Line(t, block.size, block.bold, block.align) for t in wrap(block.text, columns // block.size)]
    if isinstance(block, KeyValue):
        return list(_key_value(block, columns))
    if isinstance(block, Rule):
        return [RuleLine()]
    if isinstance(block, Blank):
        return [Line("") for _ in range(block.lines)]
    if isinstance(block, QrCode):
        caption = [Line(t, align=Align.CENTER) for t in wrap(block.caption, columns)]
        return [QrLine(block.data, qr_module(profile)), *(caption if block.caption else [])]
    if isinstance(block, Cut):
        return [CutLine()]
    raise TypeError(f"unknown block {block!r}")


def _key_value(block: KeyValue, columns: int) -> list[Line]:
    label = f"{block.key}："
    indent = cells(label)
    if indent > columns // 2:
        # A label this long leaves no room: value on its own lines under it.
        return [Line(t) for t in wrap(label, columns)] + [
            Line(t, bold=block.bold_value) for t in wrap(block.value, columns)
        ]
    values = wrap(block.value, columns - indent) or [""]
    lines = [Line(label + values[0], bold=block.bold_value)]
    lines.extend(Line(" " * indent + v, bold=block.bold_value) for v in values[1:])
    return lines
