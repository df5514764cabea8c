"""The receipt preview (回执预览): the same laid-out lines as the printer's, drawn into a PNG.

For the screen (what the citizen is about to take), for technicians checking a layout without paper, and for
tests. One pixel is one printer dot, so a 58 mm receipt is 384 pixels wide and an 80 mm one 576.
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from PIL import Image, ImageDraw

from devices.printer.document import PrintDocument
from devices.printer.escpos_render import qr_image
from devices.printer.glyphs import draw_line, line_height
from devices.printer.layout import CutLine, Line, QrLine, RuleLine, lay_out
from devices.printer.profile import PrinterProfile

#: White margin around the paper in the preview, so the edge of the slip is visible on screen.
MARGIN = 16
#: Dots fed before the cutter (the printer feeds about this much before cutting).
CUT_FEED = 48


def render_preview(document: PrintDocument, profile: PrinterProfile) -> Image.Image:
    """The receipt as a greyscale image: paper-white slip on a light grey surround."""
    items = lay_out(document, profile)
    height = sum(_item_height(item, profile) for item in items) + MARGIN
    paper = Image.new("L", (profile.dots, max(height, 1)), 255)
    draw = ImageDraw.Draw(paper)
    top = MARGIN // 2
    for item in items:
        if isinstance(item, Line):
            draw_line(
                paper, top, item.text, size=item.size, bold=item.bold, align=item.align,
                cell_dots=profile.cell_dots,
            )
        elif isinstance(item, RuleLine):
            middle = top + line_height(1) // 2 - 3
            for x in range(0, profile.dots, 12):
                draw.line((x + 2, middle, x + 9, middle), fill=0, width=2)
        elif isinstance(item, QrLine):
            paper.paste(qr_image(item.data, item.module, profile.dots), (0, top))
        elif isinstance(item, CutLine):
            cut_at = top + CUT_FEED - 4
            for x in range(0, profile.dots, 8):
                draw.line((x, cut_at, x + 4, cut_at), fill=128, width=1)
        top += _item_height(item, profile)
    framed = Image.new("L", (paper.width + 2 * MARGIN, paper.height + 2 * MARGIN), 200)
    framed.paste(paper, (MARGIN, MARGIN))
    return framed


def _item_height(item: Line | RuleLine | QrLine | CutLine, profile: PrinterProfile) -> int:
    if isinstance(item, Line):
        return line_height(item.size)
    if isinstance(item, RuleLine):
        return line_height(1)
    if isinstance(item, QrLine):
        return qr_image(item.data, item.module, profile.dots).height
    return CUT_FEED


def preview_png(document: PrintDocument, profile: PrinterProfile) -> bytes:
    """The preview as PNG bytes."""
    buffer = BytesIO()
    render_preview(document, profile).save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def write_preview(document: PrintDocument, profile: PrinterProfile, path: Path) -> Path:
    """Write the preview PNG to ``path`` (folders created); returns ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(preview_png(document, profile))
    return path
