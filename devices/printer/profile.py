"""What one printer model can do (打印机型号能力): paper width, native QR, cutter, and which Chinese
characters its built-in font has.

The feature flags come from python-escpos's capability profiles (``escpos.capabilities``), named in the
config (``devices.printer.profile``). Those profiles know nothing about Chinese fonts, so the "font covers"
set is ours: most cheap hall printers (Xprinter, GP/Gainscha, Zjiang) carry a GB2312 font of about 7,000
characters; a few (Sunmi) carry GB18030. Anything outside the set is printed as a raster image, never ``?``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from devices.base import DeviceError
from devices.printer import escpos_cache


class FontCoverage(enum.Enum):
    """Which characters the printer's built-in Chinese font can print."""

    GB2312 = "gb2312"  # 6,763 hanzi + symbols: the common case
    GBK = "gbk"  # 21,003 hanzi (堃, 喆 …), no CJK extension A/B
    GB18030 = "gb18030"  # everything GB18030 encodes (䶮, 𠮷 …)

    def covers(self, char: str) -> bool:
        """True when the built-in font prints ``char``; ASCII is always covered."""
        if char < "\x80":
            return char >= " "
        try:
            encoded = char.encode("gb18030")
        except UnicodeEncodeError:
            return False
        if self is FontCoverage.GB18030:
            return True
        if len(encoded) != 2:
            return False
        if self is FontCoverage.GBK:
            return True
        # GB2312 is the part of GBK whose two bytes are both A1–FE: symbol rows A1–A9, hanzi rows B0–F7.
        # (Python's own gb2312 codec maps a few symbols such as · and — to other code points, so it is not
        # a reliable test.)
        lead, trail = encoded
        return (0xA1 <= lead <= 0xA9 or 0xB0 <= lead <= 0xF7) and 0xA1 <= trail <= 0xFE


#: Chinese-font facts about profiles in python-escpos's database; unnamed profiles get GB2312.
_CHINESE_FONTS: dict[str, FontCoverage] = {
    "Sunmi-V2": FontCoverage.GB18030,
}

#: Dots across the printable width and font-A columns (12-dot half-width cells) for each paper width.
PAPER = {58: (384, 32), 80: (576, 48)}


@dataclass(frozen=True)
class PrinterProfile:
    """One printer model on one paper width, as the renderers need it."""

    name: str
    paper_width_mm: int
    dots: int
    columns: int
    native_qr: bool
    can_cut: bool
    font: FontCoverage
    #: ``FS C n`` to send after ``FS &``; ``None`` where the printer's default code system is already GB.
    #: (FS C means JIS/Shift-JIS on Japanese models, so it is sent only when a profile asks for it.)
    kanji_code_system: int | None = None

    @property
    def cell_dots(self) -> int:
        """Width of one half-width cell in dots (font A: 12)."""
        return self.dots // self.columns


class UnknownProfileError(DeviceError):
    """The config names a printer profile python-escpos does not know."""


@lru_cache(maxsize=32)
def load_profile(
    name: str = "default",
    paper_width_mm: int = 80,
    font: FontCoverage | None = None,
    kanji_code_system: int | None = None,
) -> PrinterProfile:
    """The profile ``name`` from python-escpos's database, on paper ``paper_width_mm`` (58 or 80) wide."""
    escpos_cache.prepare()
    from escpos import capabilities

    if paper_width_mm not in PAPER:
        raise DeviceError(f"纸宽只能是 58 或 80 毫米 / paper width must be 58 or 80 mm, not {paper_width_mm}")
    profiles: dict[str, Any] = capabilities.CAPABILITIES["profiles"]
    if name not in profiles:
        known = ", ".join(sorted(profiles))
        raise UnknownProfileError(
            f"未知的打印机型号 '{name}' / unknown printer profile",
            technician_hint=f"set devices.printer.profile to one of: {known}",
        )
    features: dict[str, bool] = profiles[name].get("features", {})
    dots, columns = PAPER[paper_width_mm]
    return PrinterProfile(
        name=name,
        paper_width_mm=paper_width_mm,
        dots=dots,
        columns=columns,
        native_qr=bool(features.get("qrCode")),
        can_cut=bool(features.get("paperFullCut") or features.get("paperPartCut")),
        font=font or _CHINESE_FONTS.get(name, FontCoverage.GB2312),
        kanji_code_system=kanji_code_system,
    )
