"""The ESC/POS renderer (打印指令): a :class:`PrintDocument` as the bytes a Chinese thermal printer
understands.

Styling, native QR codes and the cut are built with python-escpos's ``Dummy`` printer. Text is not left to
python-escpos's "magic" encoder, which guesses single-byte code pages and turns Chinese into ``?``: the
printer is put into Chinese mode (``FS &``) and each line is encoded as GB18030 and written with ``_raw``.
A line with a character the printer's font lacks (a rare name character such as 䶮) is drawn with the CJK
font and sent as a raster image (``GS v 0``), so a name is never printed as ``?``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import qrcode
from PIL import Image

from devices.printer import escpos_cache
from devices.printer.document import Align, PrintDocument
from devices.printer.glyphs import render_line
from devices.printer.layout import CutLine, Line, QrLine, RuleLine, lay_out
from devices.printer.profile import PrinterProfile

ESC, FS, GS, LF = b"\x1b", b"\x1c", b"\x1d", b"\n"
#: python-escpos's QR_ECLEVEL_M (error correction M: 15 % of the code may be damaged).
QR_ECLEVEL_M = 1
#: Enter Chinese character mode: two-byte GB codes print as hanzi.
CHINESE_MODE = FS + b"&"
#: Rows per ``GS v 0`` command: small printers have small receive buffers.
RASTER_ROWS = 128


def raster(image: Image.Image) -> bytes:
    """``GS v 0`` raster bit image commands for ``image`` (dark pixels print), split into bands."""
    mono = image.convert("L").point(lambda v: 255 if v < 128 else 0, mode="1")
    width_bytes = (mono.width + 7) // 8
    out = bytearray()
    for top in range(0, mono.height, RASTER_ROWS):
        band = mono.crop((0, top, width_bytes * 8, min(mono.height, top + RASTER_ROWS)))
        out += GS + b"v0\x00" + width_bytes.to_bytes(2, "little") + band.height.to_bytes(2, "little")
        out += band.tobytes()
    return bytes(out)


# Two: a preview asks for the same code twice (its height, then its drawing). Every receipt's code is its own
# case, so more would only keep earlier residents' codes in memory (32 paper-wide images held 4.5 MB).
@lru_cache(maxsize=2)
def qr_image(data: str, module: int, width_dots: int) -> Image.Image:
    """The QR code (model 2, level M, 4-module quiet zone) centred on a paper-wide white image."""
    code = qrcode.QRCode(box_size=module, border=4, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(data)
    code.make(fit=True)
    matrix = code.get_matrix()  # includes the quiet zone
    side = len(matrix) * module
    symbol = Image.new("L", (len(matrix), len(matrix)), 255)
    symbol.putdata([0 if dark else 255 for row in matrix for dark in row])
    symbol = symbol.resize((side, side), Image.Resampling.NEAREST)
    canvas = Image.new("L", (width_dots, side), 255)
    canvas.paste(symbol, ((width_dots - side) // 2, 0))
    return canvas


class EscposRenderer:
    """Turns documents into ESC/POS bytes for one printer profile."""

    def __init__(self, profile: PrinterProfile) -> None:
        self.profile = profile

    def render(self, document: PrintDocument) -> bytes:
        escpos_cache.prepare()
        from escpos.printer import Dummy

        printer = Dummy(profile=self.profile.name)
        printer.hw("INIT")
        self._chinese_mode(printer)
        for item in lay_out(document, self.profile):
            if isinstance(item, Line):
                self._line(printer, item)
            elif isinstance(item, RuleLine):
                self._line(printer, Line("-" * self.profile.columns))
            elif isinstance(item, QrLine):
                self._qr(printer, item)
            elif isinstance(item, CutLine):
                self._cut(printer)
        output: bytes = printer.output
        return output

    def _chinese_mode(self, printer: Any) -> None:
        printer._raw(CHINESE_MODE)
        if self.profile.kanji_code_system is not None:
            printer._raw(FS + b"C" + bytes((self.profile.kanji_code_system,)))

    def _line(self, printer: Any, line: Line) -> None:
        if all(self.profile.font.covers(ch) for ch in line.text):
            size = line.size
            printer.set(align=line.align.value, bold=line.bold, custom_size=True, width=size, height=size)
            printer._raw(line.text.encode("gb18030") + LF)
            return
        # The printer's font lacks a character: the whole line goes as an image so it keeps its alignment.
        printer.set(align=Align.LEFT.value)
        image = render_line(
            line.text,
            size=line.size,
            bold=line.bold,
            align=line.align,
            width_dots=self.profile.dots,
            cell_dots=self.profile.cell_dots,
        )
        printer._raw(raster(image))

    def _qr(self, printer: Any, item: QrLine) -> None:
        if self.profile.native_qr:
            printer.set(align=Align.CENTER.value)
            printer.qr(item.data, ec=QR_ECLEVEL_M, size=item.module, native=True)
            printer._raw(LF)
        else:
            printer.set(align=Align.LEFT.value)
            printer._raw(raster(qr_image(item.data, item.module, self.profile.dots)))
        printer.set(align=Align.LEFT.value)

    def _cut(self, printer: Any) -> None:
        if self.profile.can_cut:
            printer.cut(mode="PART")
        else:
            # No cutter: feed far enough to tear the slip off above the last line.
            printer.print_and_feed(6)

