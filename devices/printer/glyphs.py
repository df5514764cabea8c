"""Drawing text the way a thermal printer does (字形): a CJK font found through fontconfig, one fixed cell per
character (12 dots for ASCII, 24 for anything else at size 1).

Used by the PNG preview and for the raster lines that print rare characters (生僻字) the printer's own font
lacks. The font is Noto Sans CJK SC, found at run time with ``fc-match``; when it is missing the fallback is
logged once, loudly, because a receipt preview without Chinese glyphs is useless to a technician.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from devices.printer.document import Align

log = logging.getLogger(__name__)

#: Height of one size-1 character cell in dots (font A is 12 × 24).
CELL_HEIGHT = 24
#: Extra dots between lines (a printer's default line spacing is about 30 dots).
LINE_GAP = 6

_FALLBACK_PATHS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
)


@dataclass(frozen=True)
class FontFile:
    """A font file and the face index inside a collection (.ttc)."""

    path: str
    index: int = 0


@lru_cache(maxsize=1)
def find_cjk_font() -> FontFile | None:
    """Noto Sans CJK SC via fontconfig, else a known path, else ``None`` (logged)."""
    fc_match = shutil.which("fc-match")
    if fc_match:
        try:
            # fc-match found by shutil.which, fixed arguments: nothing from outside reaches the command.
            found = subprocess.run(  # noqa: S603
                [fc_match, "-f", "%{file}\t%{index}", "Noto Sans CJK SC:lang=zh-cn"],
                capture_output=True, text=True, timeout=10, check=False,
            ).stdout
        except (OSError, subprocess.TimeoutExpired):
            found = ""
        path, _, index = found.partition("\t")
        # fc-match always answers with *some* font; accept it only if it is a CJK one.
        if path and any(key in Path(path).name for key in ("CJK", "wqy", "Hei", "Song", "Kai")):
            return FontFile(path, int(index or 0))
    for candidate in _FALLBACK_PATHS:
        if Path(candidate).exists():
            return FontFile(candidate, 2 if "NotoSansCJK" in candidate else 0)
    log.warning(
        "no CJK font found (install fonts-noto-cjk): receipt previews and rare-character lines "
        "will show boxes instead of Chinese"
    )
    return None


@lru_cache(maxsize=8)
def _font(px: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    font_file = find_cjk_font()
    if font_file is None:
        return ImageFont.load_default(px)
    return ImageFont.truetype(font_file.path, px, index=font_file.index)


# A receipt uses one or two hundred characters; 1024 glyphs (≈ 4 MB) cover many receipts' worth, where 8192
# grew to ≈ 30 MB over the names and addresses of a hall's months.
@lru_cache(maxsize=1024)
def glyph(char: str, size: int, bold: bool) -> Image.Image:
    """One character drawn black-on-white ("L" mode) into its cell at text size ``size``."""
    cell_w = (24 if char >= "\x80" else 12) * size
    cell_h = CELL_HEIGHT * size
    image = Image.new("L", (cell_w, cell_h), 255)
    if char == " ":
        return image
    px = 22 * size
    font = _font(px)
    stroke = 1 if bold else 0
    # A CJK ideograph spans about 0.88 em above the baseline and 0.12 em below: this baseline centres it.
    baseline = cell_h // 2 + round(0.38 * px)
    advance = round(font.getlength(char)) + 2 * stroke
    canvas = image if advance <= cell_w else Image.new("L", (advance, cell_h), 255)
    x = (canvas.width - advance) // 2 + stroke
    ImageDraw.Draw(canvas).text(
        (x, baseline), char, font=font, fill=0, anchor="ls", stroke_width=stroke, stroke_fill=0
    )
    # A glyph wider than its cell (W, M in a CJK font) is squeezed in, as the printer's own font would be.
    return canvas if canvas is image else canvas.resize((cell_w, cell_h))


def line_height(size: int) -> int:
    return CELL_HEIGHT * size + LINE_GAP


def draw_line(
    canvas: Image.Image, top: int, text: str, *, size: int, bold: bool, align: Align, cell_dots: int = 12
) -> None:
    """Draw one laid-out line onto ``canvas`` (mode "L", paper width) with its top at ``top``."""
    unit = cell_dots * size
    width = sum(unit if ch < "\x80" else 2 * unit for ch in text)
    if align is Align.CENTER:
        x = (canvas.width - width) // 2
    elif align is Align.RIGHT:
        x = canvas.width - width
    else:
        x = 0
    for ch in text:
        image = glyph(ch, size, bold)
        step = unit if ch < "\x80" else 2 * unit
        if image.width != step:
            image = image.resize((step, image.height))
        canvas.paste(image, (x, top))
        x += step


def render_line(
    text: str, *, size: int, bold: bool, align: Align, width_dots: int, cell_dots: int = 12
) -> Image.Image:
    """One line as its own image, paper-wide, for printing as a raster (GS v 0)."""
    canvas = Image.new("L", (width_dots, CELL_HEIGHT * size), 255)
    draw_line(canvas, 0, text, size=size, bold=bold, align=align, cell_dots=cell_dots)
    return canvas
