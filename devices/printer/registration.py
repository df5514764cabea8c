"""How the receipt printer joins the device registry: one driver for every connection kind it speaks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from devices.base import Device, DeviceHandler
from devices.printer.driver import ReceiptPrinter
from devices.printer.profile import FontCoverage, load_profile
from devices.registry import DeviceRegistry

SCHEMES = ("sim", "serial", "socket", "rfc2217", "tcp", "usb", "file", "cups")


def make_printer(connection: str, handler: DeviceHandler, options: dict[str, Any]) -> Device:
    """A :class:`ReceiptPrinter` from the config's connection URL and options.

    Options: ``profile`` (python-escpos profile name), ``paper_width_mm`` (58 or 80), ``font`` (what the
    built-in font covers: "gb2312", "gbk", "gb18030"), ``kanji_code_system`` (``n`` of ``FS C n``, only for
    printers whose manual asks for it), ``preview_dir`` (write a PNG of every receipt there: the demo's
    printer), ``usb_match``, ``baudrate``, ``paper`` (``sim://`` only: "ok", "near_end", "out", "silent"),
    ``status_timeout`` (seconds).
    """
    font = options.get("font")
    code_system = options.get("kanji_code_system")
    profile = load_profile(
        str(options.get("profile", "default")),
        int(options.get("paper_width_mm", 80)),
        FontCoverage(font) if font else None,
        int(code_system) if code_system is not None else None,
    )
    preview_dir = options.get("preview_dir")
    return ReceiptPrinter(
        str(options.get("name", "printer")),
        handler,
        connection,
        profile,
        options=options,
        preview_dir=Path(preview_dir) if preview_dir else None,
        status_timeout=float(options.get("status_timeout", 0.5)),
    )


def register_printers(registry: DeviceRegistry) -> None:
    """Register the receipt printer for every connection scheme it can open."""
    registry.register(
        "printer", SCHEMES, make_printer, "ESC/POS thermal receipt printer (python-escpos), with PNG preview"
    )
