"""Real-time printer status (打印机状态): ``DLE EOT 1`` and ``DLE EOT 4`` and their one-byte answers.

Epson's ESC/POS defines the answers; Xprinter, GP and Sunmi printers follow them:

* ``DLE EOT 1`` (printer status): bits 1 and 4 always 1, bits 0 and 7 always 0; bit 3 set = offline (cover
  open, paper out, error). A healthy printer answers ``0x12`` (``0x16`` with the drawer pin high).
* ``DLE EOT 4`` (roll paper sensor): bits 1 and 4 always 1; bits 2–3 (``0x0C``) = paper near its end,
  bits 5–6 (``0x60``) = paper out. Plenty of paper answers ``0x12``.

No answer within the timeout is its own state, :attr:`PrinterState.NO_REPLY` — python-escpos's
``paper_status()`` cannot tell silence from a reading, which is why we do not use it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

DLE_EOT = b"\x10\x04"
QUERY_PRINTER = DLE_EOT + b"\x01"
QUERY_PAPER = DLE_EOT + b"\x04"

_FIXED_MASK = 0b1001_0011  # bits 7, 4, 1, 0
_FIXED_VALUE = 0b0001_0010  # 0, 1, 1, 0
NEAR_END_BITS = 0x0C
PAPER_OUT_BITS = 0x60
OFFLINE_BIT = 0x08


class PrinterState(enum.Enum):
    """What the printer said about itself, worst first when several apply."""

    READY = "ready"  # online, paper OK
    PAPER_NEAR_END = "paper_near_end"  # 纸将用完: still prints
    PAPER_OUT = "paper_out"  # 缺纸
    OFFLINE = "offline"  # answered, but not printing (cover open, error)
    NO_REPLY = "no_reply"  # silence: unplugged, powered off, wrong port or baud rate
    UNKNOWN = "unknown"  # the connection cannot read (file, CUPS): nothing to ask


@dataclass(frozen=True)
class PrinterStatus:
    """One status reading and the raw bytes behind it (for the technician's doctor output)."""

    state: PrinterState
    printer_byte: int | None = None
    paper_byte: int | None = None

    @property
    def can_print(self) -> bool:
        return self.state in {PrinterState.READY, PrinterState.PAPER_NEAR_END, PrinterState.UNKNOWN}

    def describe(self) -> str:
        """A sentence for the technician, Chinese first."""
        return DESCRIPTIONS[self.state]


DESCRIPTIONS = {
    PrinterState.READY: "打印机就绪 / printer ready",
    PrinterState.PAPER_NEAR_END: "纸将用完，请尽快换纸 / paper near end: load a new roll soon",
    PrinterState.PAPER_OUT: "缺纸 / out of paper: load a new roll and close the cover",
    PrinterState.OFFLINE: "打印机脱机 / printer offline: check the cover and the error light",
    PrinterState.NO_REPLY: "打印机无响应 / no reply: check power, cable, port and baud rate",
    PrinterState.UNKNOWN: "无法查询状态 / status cannot be read over this connection",
}


def _valid(answer: int | None) -> bool:
    return answer is not None and answer & _FIXED_MASK == _FIXED_VALUE


def interpret(printer_byte: int | None, paper_byte: int | None) -> PrinterStatus:
    """The state from the answers to ``DLE EOT 1`` and ``DLE EOT 4`` (``None`` = no answer)."""
    if not _valid(printer_byte) and not _valid(paper_byte):
        # Silence, or bytes that are not a status answer (a different protocol, a wrong baud rate).
        return PrinterStatus(PrinterState.NO_REPLY, printer_byte, paper_byte)
    if paper_byte is not None and _valid(paper_byte):
        if paper_byte & PAPER_OUT_BITS:
            return PrinterStatus(PrinterState.PAPER_OUT, printer_byte, paper_byte)
        if printer_byte is not None and _valid(printer_byte) and printer_byte & OFFLINE_BIT:
            return PrinterStatus(PrinterState.OFFLINE, printer_byte, paper_byte)
        if paper_byte & NEAR_END_BITS:
            return PrinterStatus(PrinterState.PAPER_NEAR_END, printer_byte, paper_byte)
        return PrinterStatus(PrinterState.READY, printer_byte, paper_byte)
    # Only the printer status answered.
    assert printer_byte is not None
    state = PrinterState.OFFLINE if printer_byte & OFFLINE_BIT else PrinterState.READY
    return PrinterStatus(state, printer_byte, paper_byte)
