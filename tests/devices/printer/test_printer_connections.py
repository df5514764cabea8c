"""Connections by URL: raw TCP, a device file, the demo printer, and readable errors for bad ones."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from devices.base import DeviceState, SilentHandler
from devices.printer.connection import PrinterConnectionError, SimConnection, open_connection
from devices.printer.document import Cut, PrintDocument, Title
from devices.printer.driver import PaperOutError, ReceiptPrinter
from devices.printer.registration import register_printers
from devices.printer.simulator import PaperMode, SerialPrinterSimulator
from devices.printer.status import PrinterState
from devices.registry import DeviceRegistry

RECEIPT = PrintDocument((Title("受理回执"), Cut()))


def make(connection: str, **options: object) -> ReceiptPrinter:
    registry = DeviceRegistry()
    register_printers(registry)
    printer = registry.create("printer", connection, SilentHandler(), {"status_timeout": 0.3, **options})
    assert isinstance(printer, ReceiptPrinter)
    return printer


def test_network_printer_on_port_9100_style_tcp() -> None:
    with SerialPrinterSimulator(PaperMode.NEAR_END, transport="socket") as sim:
        printer = make(sim.url.replace("socket://", "tcp://"), paper_width_mm=58)
        try:
            assert printer.status().state is PrinterState.PAPER_NEAR_END
            printer.print_document(RECEIPT)
            assert "受理回执".encode("gb18030") in sim.received
        finally:
            printer.close()


def test_device_file_gets_the_bytes_and_status_is_unknown_not_failed(tmp_path: Path) -> None:
    target = tmp_path / "lp0"
    printer = make(f"file://{target}")
    try:
        assert printer.status().state is PrinterState.UNKNOWN
        assert printer.health.state is DeviceState.OK
        printer.print_document(RECEIPT)
    finally:
        printer.close()
    assert target.read_bytes().startswith(b"\x1b@\x1c&")


def test_demo_printer_keeps_bytes_and_writes_previews(tmp_path: Path) -> None:
    printer = make("sim://", preview_dir=str(tmp_path / "previews"), paper_width_mm=58)
    try:
        preview = printer.print_document(RECEIPT)
        connection = printer.connection
        assert isinstance(connection, SimConnection)
        assert connection.jobs[-1].endswith(b"\x1dV\x01")
        assert preview is not None
        assert preview.parent == tmp_path / "previews"
        assert preview.read_bytes().startswith(b"\x89PNG")
    finally:
        printer.close()


def test_demo_printer_out_of_paper() -> None:
    printer = make("sim://", paper="out")
    try:
        with pytest.raises(PaperOutError):
            printer.print_document(RECEIPT)
    finally:
        printer.close()


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("/dev/ttyUSB-none", "无法打开"),
        ("serial:///dev/ttyS-none?baudrate=9600", "无法打开"),
        ("usb://zz:11", "usb://VID:PID"),
        ("tcp://", "缺少主机"),
        ("file:///nonexistent-dir/lp0", "无法打开"),
        ("gopher://x", "不支持"),
    ],
)
def test_bad_or_absent_printers_give_readable_errors(url: str, words: str) -> None:
    with pytest.raises(PrinterConnectionError) as caught:
        open_connection(url)
    assert words in caught.value.message


def test_refused_tcp_connection_is_readable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(PrinterConnectionError) as caught:
        open_connection(f"tcp://127.0.0.1:{port}")
    assert "无法连接" in caught.value.message


def test_font_coverage_from_options_keeps_gbk_names_as_text() -> None:
    printer = make("sim://", font="gbk")
    try:
        printer.print_document(PrintDocument((Title("王*堃"),)))
        connection = printer.connection
        assert isinstance(connection, SimConnection)
        assert "王*堃".encode("gb18030") in connection.jobs[-1]
    finally:
        printer.close()


def test_registry_knows_every_printer_connection_kind() -> None:
    registry = DeviceRegistry()
    register_printers(registry)
    schemes = {entry.scheme for entry in registry.drivers("printer")}
    assert {"sim", "serial", "socket", "tcp", "usb", "file", "cups"} <= schemes
