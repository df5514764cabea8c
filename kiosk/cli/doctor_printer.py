"""``kiosk doctor printer``: is the receipt printer there, has it paper, does a receipt come out right.

Without ``--test`` or ``--preview`` it asks the printer its status. ``--test`` prints a test receipt (with
rare name characters, so the raster fallback is seen on paper); ``--preview FILE.png`` draws the same receipt
without a printer. A missing, busy or paper-less printer gives one readable line and exit 1.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from devices.base import DeviceError, SilentHandler
from devices.printer.document import PrintDocument
from devices.printer.driver import ReceiptPrinter
from devices.printer.preview import write_preview
from devices.printer.profile import load_profile
from devices.printer.registration import SCHEMES, register_printers
from devices.printer.status import PrinterState
from devices.registry import DeviceRegistry
from kiosk.cli.arguments import connection_url, output_file
from kiosk.cli.support import CliContext, CliError, SubParsers, config_connection, set_handler
from kiosk.records.receipt_layout import build_receipt, printer_test_receipt


def register(checks: SubParsers) -> None:
    check = checks.add_parser("printer", help="receipt printer: status, test receipt, preview")
    check.add_argument(
        "--connection",
        type=connection_url(SCHEMES),
        metavar="URL",
        help="printer URL (default: the config's devices.printer.connection)",
    )
    check.add_argument("--status", action="store_true", help="ask the printer for its status (the default)")
    check.add_argument("--test", action="store_true", help="print a test receipt")
    check.add_argument("--preview", type=_png, metavar="FILE.png", help="write the test receipt as a PNG")
    check.add_argument("--width", type=int, choices=(58, 80), help="paper width in mm (default: config)")
    check.add_argument("--profile", help="python-escpos printer profile (default: config)")
    set_handler(check, _doctor_printer)


def _png(text: str) -> Path:
    path = output_file(text)
    if path.suffix.lower() != ".png":
        raise argparse.ArgumentTypeError(f"{text}: the preview is a PNG, give a file name ending in .png")
    return path


def _doctor_printer(args: argparse.Namespace, ctx: CliContext) -> int:
    config = ctx.config
    printer_config = config.devices.printer
    url = args.connection or config_connection(printer_config.connection, "devices.printer.connection", SCHEMES)
    width = args.width or printer_config.paper_width_mm
    profile_name = args.profile or printer_config.profile
    try:
        profile = load_profile(profile_name, width)
    except DeviceError as exc:
        raise CliError(f"{exc.message} ({exc.technician_hint})", 2) from None
    receipt = build_receipt(printer_test_receipt(config.terminal.hall_name, config.terminal.id))
    if args.preview:
        try:
            write_preview(receipt, profile, args.preview)
        except OSError as exc:
            raise CliError(f"预览无法写入 / cannot write preview {args.preview}: {exc}") from None
        print(f"preview: {args.preview} ({width} mm, {profile.dots} dots, profile {profile.name})")
        if not (args.test or args.status):
            return 0
    registry = DeviceRegistry()
    register_printers(registry)
    options = {"profile": profile_name, "paper_width_mm": width}
    try:
        printer = registry.create("printer", url, SilentHandler(), options)
    except DeviceError as exc:
        raise CliError(exc.message, 2) from None
    assert isinstance(printer, ReceiptPrinter)
    try:
        return _check(printer, url, test=args.test, receipt=receipt)
    finally:
        printer.close()


def _check(printer: ReceiptPrinter, url: str, *, test: bool, receipt: PrintDocument) -> int:
    status = printer.status()
    health = printer.health
    raw = ""
    if status.printer_byte is not None:
        raw = f" (DLE EOT 1 → 0x{status.printer_byte:02x}"
        raw += f", DLE EOT 4 → 0x{status.paper_byte:02x})" if status.paper_byte is not None else ")"
    if status.state not in {PrinterState.READY, PrinterState.PAPER_NEAR_END, PrinterState.UNKNOWN}:
        raise CliError(f"打印机不可用 / printer {url} not usable: {health.reason}{raw}")
    print(f"printer {url}: {health.state.value} — {health.reason}{raw}")
    if test:
        try:
            printer.print_document(receipt)
        except DeviceError as exc:
            raise CliError(f"测试回执未打印 / test receipt not printed: {exc.message}") from None
        print("test receipt printed: check the Chinese text, the rare characters and the QR code")
    return 0
