"""The driver against a simulated serial printer that answers DLE EOT 1 and DLE EOT 4 over a real line."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from devices.base import DeviceState
from devices.printer.document import Cut, PrintDocument, TextLine, Title
from devices.printer.driver import PaperOutError, PrinterError, ReceiptPrinter
from devices.printer.profile import load_profile
from devices.printer.simulator import PaperMode, SerialPrinterSimulator
from devices.printer.status import PrinterState, interpret

#: How long a status query waits: for an answer the simulator will give (a busy machine may be slow), and for
#: one that never comes (silence is silence however long one listens).
ANSWER, SILENCE = 10.0, 0.3
RECEIPT = PrintDocument((Title("受理回执"), TextLine("受理编号：SQ2026112200012345"), Cut()))


@pytest.fixture(params=["pty", "socket"])
def simulator(request: pytest.FixtureRequest) -> Iterator[SerialPrinterSimulator]:
    with SerialPrinterSimulator(transport=request.param) as sim:
        yield sim


@pytest.fixture
def printer(simulator: SerialPrinterSimulator) -> Iterator[ReceiptPrinter]:
    # The simulator's answers are never near the status timeout; a test of silence shortens it (SILENCE).
    device = ReceiptPrinter("printer", None, simulator.url, load_profile("default", 58), status_timeout=ANSWER)
    yield device
    device.close()


@pytest.mark.parametrize(
    ("mode", "state", "health"),
    [
        (PaperMode.ONLINE, PrinterState.READY, DeviceState.OK),
        (PaperMode.NEAR_END, PrinterState.PAPER_NEAR_END, DeviceState.DEGRADED),
        (PaperMode.PAPER_OUT, PrinterState.PAPER_OUT, DeviceState.OFFLINE),
        (PaperMode.SILENT, PrinterState.NO_REPLY, DeviceState.OFFLINE),
    ],
)
def test_each_simulated_answer_maps_to_its_state(
    simulator: SerialPrinterSimulator,
    printer: ReceiptPrinter,
    mode: PaperMode,
    state: PrinterState,
    health: DeviceState,
) -> None:
    simulator.set_mode(mode)
    if mode is PaperMode.SILENT:
        printer.status_timeout = SILENCE
    assert printer.status().state is state
    assert printer.health.state is health
    assert simulator.queries[:1] == [1]
    if mode is not PaperMode.SILENT:
        assert simulator.queries[:2] == [1, 4]


def test_silence_is_no_reply_not_paper_out() -> None:
    assert interpret(None, None).state is PrinterState.NO_REPLY
    assert interpret(0x00, None).state is PrinterState.NO_REPLY  # not a status byte (fixed bits wrong)
    assert interpret(0x12, 0x12).state is PrinterState.READY
    assert interpret(0x12, 0x1E).state is PrinterState.PAPER_NEAR_END
    assert interpret(0x1A, 0x72).state is PrinterState.PAPER_OUT
    assert interpret(0x1A, 0x12).state is PrinterState.OFFLINE  # cover open, paper fine


def test_receipt_bytes_reach_the_printer(simulator: SerialPrinterSimulator, printer: ReceiptPrinter) -> None:
    printer.print_document(RECEIPT)
    assert "受理编号：SQ2026112200012345".encode("gb18030") in simulator.received
    assert simulator.received.endswith(b"\x1dV\x01")
    assert b"\x10\x04" not in simulator.received  # status requests are not print data


def test_paper_out_refuses_to_print_and_tells_the_screen(
    simulator: SerialPrinterSimulator, printer: ReceiptPrinter
) -> None:
    ran_out: list[bool] = []
    printer.printer_did_run_out_of_paper.connect(lambda: ran_out.append(True))
    simulator.set_mode(PaperMode.PAPER_OUT)
    with pytest.raises(PaperOutError) as caught:
        printer.print_document(RECEIPT)
    assert "缺纸" in caught.value.message
    assert ran_out == [True]
    assert printer.health.state is DeviceState.OFFLINE
    assert "缺纸" in printer.health.reason


def test_paper_near_end_prints_but_alerts_the_technician(
    simulator: SerialPrinterSimulator, printer: ReceiptPrinter
) -> None:
    alerts: list[bool] = []
    printer.printer_paper_will_run_out.connect(lambda: alerts.append(True))
    simulator.set_mode(PaperMode.NEAR_END)
    printer.print_document(RECEIPT)
    assert alerts == [True]
    assert printer.health.state is DeviceState.DEGRADED
    assert b"\x1dV\x01" in simulator.received


def test_paper_running_out_mid_print_is_a_failure(simulator: SerialPrinterSimulator, printer: ReceiptPrinter) -> None:
    simulator.run_out_after(20)
    with pytest.raises(PaperOutError):
        printer.print_document(RECEIPT)
    assert len(simulator.received) == 20


def test_silent_printer_is_an_error_not_a_hang(simulator: SerialPrinterSimulator, printer: ReceiptPrinter) -> None:
    simulator.set_mode(PaperMode.SILENT)
    printer.status_timeout = SILENCE
    with pytest.raises(PrinterError) as caught:
        printer.print_document(RECEIPT)
    assert "无响应" in caught.value.message
    assert simulator.received == b""


def test_reconnects_by_itself_after_a_power_cycle() -> None:
    with SerialPrinterSimulator(transport="socket") as sim:
        printer = ReceiptPrinter("printer", None, sim.url, load_profile("default", 80), status_timeout=ANSWER)
        try:
            printer.print_document(RECEIPT)
            first = len(sim.received)
            sim.power_cycle()
            printer.print_document(RECEIPT)
            assert len(sim.received) == 2 * first
            assert printer.health.state is DeviceState.OK
        finally:
            printer.close()


def test_polling_finds_the_printer_when_it_comes_back() -> None:
    with SerialPrinterSimulator(PaperMode.SILENT, transport="pty") as sim:
        printer = ReceiptPrinter("printer", None, sim.url, load_profile("default", 80), status_timeout=SILENCE)
        try:
            assert printer.open().state is DeviceState.OFFLINE
            sim.set_mode(PaperMode.ONLINE)
            printer.status_timeout = ANSWER
            assert printer.check().state is DeviceState.OK
        finally:
            printer.close()
