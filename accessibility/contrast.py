"""Text contrast (对比度) as WCAG 2.2 defines it, and an estimate of it from the pixels a widget really drew.

The maths (:func:`relative_luminance`, :func:`contrast_ratio`) is WCAG's, word for word. The estimate
(:func:`estimate_text_contrast`) reads a grabbed widget image:

* the **background** is the dominant colour of the area where the text is drawn (flat fills, as our themes
  draw them, give one colour most of the area);
* the **text colour** is the "ink" pixel (any pixel not the background) with the highest contrast against
  that background. Anti-aliasing only ever blends the text colour *towards* the background, so edge pixels
  have less contrast than the glyph's core; taking the maximum recovers the true colour as long as the
  strokes have a solid core. At our smallest size (24 px) a CJK stroke is 2–3 px wide, so they do.

The estimate is unreliable when fewer than :data:`MIN_CORE_PIXELS` ink pixels sit near the extreme colour
(hairline fonts, text of a few pixels); :class:`ContrastEstimate` then says ``reliable=False`` and the audit
falls back to the palette's text role, which is what Qt was asked to draw with.
"""

from __future__ import annotations

from array import array
from collections import Counter
from dataclasses import dataclass

from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QImage

RGB = tuple[int, int, int]

#: How many pixels must share (nearly) the extreme colour before the pixel estimate is trusted.
MIN_CORE_PIXELS = 4
#: Two colours closer than this (sum of channel differences) are "the same" for counting core pixels.
_SAME_COLOUR = 24


def _channel(value: int) -> float:
    c = value / 255.0
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(rgb: RGB) -> float:
    """WCAG 2.2 relative luminance of an sRGB colour, 0 (black) to 1 (white)."""
    r, g, b = rgb
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(a: RGB, b: RGB) -> float:
    """WCAG contrast ratio between two colours, 1.0 (same) to 21.0 (black on white)."""
    la, lb = relative_luminance(a), relative_luminance(b)
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)


def rgb_of(colour: QColor | str) -> RGB:
    """The sRGB triple of a Qt colour or a ``#RRGGBB`` string."""
    c = QColor(colour)
    return (c.red(), c.green(), c.blue())


def hex_of(rgb: RGB) -> str:
    return "#{:02X}{:02X}{:02X}".format(*rgb)


@dataclass(frozen=True)
class ContrastEstimate:
    """What the pixels say: background, text colour, their ratio, and whether the estimate can be trusted."""

    background: RGB
    text: RGB
    ratio: float
    ink_pixels: int
    reliable: bool


def _distance(a: RGB, b: RGB) -> int:
    return abs(a[0] - b[0]) + abs(a[1] - b[1]) + abs(a[2] - b[2])


def estimate_text_contrast(image: QImage, area: QRect) -> ContrastEstimate | None:
    """Estimate the text contrast inside ``area`` of a grabbed widget image; ``None`` if the area is empty.

    A text drawn in the background's own colour leaves no ink: the result is then the background against
    itself (1:1), which is exactly what a person would see.
    """
    box = area.intersected(image.rect())
    if box.isEmpty():
        return None
    # RGB32 rows are whole 32-bit words, so the copied area reads as one array of 0xFFRRGGBB values and
    # Counter tallies it in C rather than pixel by pixel in Python.
    part = image.copy(box).convertToFormat(QImage.Format.Format_RGB32)
    words = array("I")
    words.frombytes(bytes(part.constBits())[: part.sizeInBytes()])
    counts: Counter[RGB] = Counter()
    for word, n in Counter(words).items():
        counts[((word >> 16) & 0xFF, (word >> 8) & 0xFF, word & 0xFF)] += n
    background = counts.most_common(1)[0][0]
    ink = {c: n for c, n in counts.items() if _distance(c, background) > _SAME_COLOUR}
    if not ink:
        return ContrastEstimate(background, background, 1.0, 0, reliable=True)
    text = max(ink, key=lambda c: contrast_ratio(c, background))
    core = sum(n for c, n in ink.items() if _distance(c, text) <= _SAME_COLOUR)
    return ContrastEstimate(
        background=background,
        text=text,
        ratio=contrast_ratio(text, background),
        ink_pixels=sum(ink.values()),
        reliable=core >= MIN_CORE_PIXELS,
    )
