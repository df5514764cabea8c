"""The print journal: recorded before printing, durable, and an interrupted print is reprintable."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from devices.printer.driver import ReceiptPrinter
from devices.printer.profile import load_profile
from devices.printer.simulator import PaperMode, SerialPrinterSimulator
from kiosk.records.journal import PrintState, ReceiptJournal
from kiosk.visit.receipt import ReceiptData, ReceiptKind

DATA = ReceiptData(
    kind=ReceiptKind.ACCEPTED,
    hall_name="示范区政务服务中心",
    service_name="居民身份证换领",
    case_no="SQ2026112200012345",
    issued_at=datetime(2026, 11, 22, 14, 3),
    terminal_id="demo-0001",
    applicant_masked="刘*䶮",
    next_steps=("7 个工作日后凭本回执领取",),
)


@pytest.fixture
def simulator() -> Iterator[SerialPrinterSimulator]:
    with SerialPrinterSimulator(transport="pty") as sim:
        yield sim


@pytest.fixture
def printer(simulator: SerialPrinterSimulator) -> Iterator[ReceiptPrinter]:
    device = ReceiptPrinter("printer", None, simulator.url, load_profile("default", 58), status_timeout=10.0)
    yield device
    device.close()


def test_a_printed_receipt_is_recorded_as_printed(
    data_dir: Path, simulator: SerialPrinterSimulator, printer: ReceiptPrinter
) -> None:
    journal = ReceiptJournal(data_dir / "receipts.sqlite")
    entry = journal.print_receipt(DATA, printer)
    assert entry.state is PrintState.PRINTED
    assert entry.attempts == 1
    assert journal.unprinted() == []
    assert b"\x1dv0" in simulator.received  # the rare-character name went as an image


def test_paper_out_mid_print_is_failed_then_reprinted_after_loading_paper(
    data_dir: Path, simulator: SerialPrinterSimulator, printer: ReceiptPrinter
) -> None:
    journal = ReceiptJournal(data_dir / "receipts.sqlite")
    simulator.run_out_after(200)
    entry = journal.print_receipt(DATA, printer)
    assert entry.state is PrintState.FAILED
    assert "缺纸" in entry.reason
    (waiting,) = journal.unprinted()
    assert waiting.data.case_no == "SQ2026112200012345"  # the case number is not lost with the paper

    simulator.set_mode(PaperMode.ONLINE)  # the technician loads a new roll
    again = journal.reprint(waiting.entry_id, printer)
    assert again.state is PrintState.PRINTED
    assert again.attempts == 2
    assert journal.unprinted() == []
    assert simulator.received.endswith(b"\x1dV\x01")


def test_a_print_interrupted_by_a_crash_is_found_on_restart(
    data_dir: Path, simulator: SerialPrinterSimulator, printer: ReceiptPrinter
) -> None:
    path = data_dir / "receipts.sqlite"
    # Another process records a receipt and dies before printing it (os._exit: no clean-up at all).
    script = (
        "import os, sys; from pathlib import Path;"
        "from kiosk.records.journal import ReceiptJournal; from kiosk.visit.receipt import ReceiptData;"
        f"ReceiptJournal(Path({str(path)!r})).record(ReceiptData.from_json(sys.argv[1])); os._exit(9)"
    )
    done = subprocess.run([sys.executable, "-c", script, DATA.to_json()], cwd=Path.cwd(), check=False)
    assert done.returncode == 9

    journal = ReceiptJournal(path)
    (interrupted,) = journal.unprinted()
    assert interrupted.state is PrintState.PENDING
    assert interrupted.data == DATA
    assert journal.reprint(interrupted.entry_id, printer).state is PrintState.PRINTED


def test_an_absent_printer_fails_the_entry_with_a_reason(data_dir: Path) -> None:
    journal = ReceiptJournal(data_dir / "receipts.sqlite")
    absent = ReceiptPrinter("printer", None, "/dev/ttyUSB-none", load_profile("default", 80))
    try:
        entry = journal.print_receipt(DATA, absent)
    finally:
        absent.close()
    assert entry.state is PrintState.FAILED
    assert "无法打开" in entry.reason


def test_a_recorded_receipt_is_there_for_the_next_process(data_dir: Path) -> None:
    path = data_dir / "receipts.sqlite"
    first = ReceiptJournal(path)
    entry_id = first.record(DATA)
    # No close(): a second connection (the next start of the kiosk) sees the committed entry.
    again = ReceiptJournal(path)
    assert [e.entry_id for e in again.unprinted()] == [entry_id]
    again.mark_failed(entry_id, "缺纸 / out of paper")
    assert first.entry(entry_id).state is PrintState.FAILED
