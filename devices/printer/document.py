"""A printed document (票据): the blocks a receipt is made of, independent of how it is rendered.

Both renderers read the same :class:`PrintDocument`: the ESC/POS renderer turns it into printer bytes and
the preview renderer into a PNG, so what the screen shows is what the paper shows. The domain
(``kiosk/visit/receipt.py``) builds documents; this module knows nothing about cases or services.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Align(enum.Enum):
    LEFT = "left"
    CENTER = "center"
    RIGHT = "right"


@dataclass(frozen=True)
class TextLine:
    """A paragraph of text; wrapped to the paper width. ``size`` multiplies width and height (1–4)."""

    text: str
    size: int = 1
    bold: bool = False
    align: Align = Align.LEFT

    def __post_init__(self) -> None:
        if not 1 <= self.size <= 4:
            raise ValueError(f"text size must be 1..4, not {self.size}")


@dataclass(frozen=True)
class Title:
    """The document's heading: double size, bold, centred."""

    text: str


@dataclass(frozen=True)
class KeyValue:
    """A labelled row ("受理编号：SQ2026…"); a long value wraps under itself, not under the label."""

    key: str
    value: str
    bold_value: bool = False


@dataclass(frozen=True)
class Rule:
    """A horizontal separator across the paper."""


@dataclass(frozen=True)
class QrCode:
    """A QR code (model 2, error correction M) with a caption under it."""

    data: str
    caption: str = ""


@dataclass(frozen=True)
class Blank:
    """Empty lines."""

    lines: int = 1


@dataclass(frozen=True)
class Cut:
    """Feed the paper past the cutter and cut (a partial cut where the printer has one)."""


Block = TextLine | Title | KeyValue | Rule | QrCode | Blank | Cut


@dataclass(frozen=True)
class PrintDocument:
    """What goes on one slip of paper, top to bottom."""

    blocks: tuple[Block, ...]

    def text(self) -> str:
        """All readable text in the document, one block a line (for logs, tests and the screen reader)."""
        parts: list[str] = []
        for block in self.blocks:
            if isinstance(block, TextLine | Title):
                parts.append(block.text)
            elif isinstance(block, KeyValue):
                parts.append(f"{block.key}：{block.value}")
            elif isinstance(block, QrCode):
                parts.append(block.caption)
        return "\n".join(p for p in parts if p)
