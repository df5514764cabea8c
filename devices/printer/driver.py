"""The receipt printer driver (回执打印机): one ESC/POS printer behind the :class:`~devices.base.Device`
surface.

All I/O runs on the device's own thread. Before and after each receipt the printer is asked how it is
(``DLE EOT 1`` / ``DLE EOT 4``): paper near its end makes the health ``degraded`` and alerts the technician;
paper out makes it ``offline`` ("缺纸") and fires :attr:`ReceiptPrinter.printer_did_run_out_of_paper` so the
screen can offer the e-receipt instead. A line that broke (power cycle, USB re-enumeration, network drop) is
opened again on the spot, once, before the print is given up.
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from devices.base import Device, DeviceError, DeviceHandler, DeviceHealth, DeviceState, Observers
from devices.printer.connection import PrinterConnection, PrinterConnectionError, open_connection
from devices.printer.document import PrintDocument
from devices.printer.escpos_render import EscposRenderer
from devices.printer.preview import write_preview
from devices.printer.profile import PrinterProfile
from devices.printer.status import QUERY_PAPER, QUERY_PRINTER, PrinterState, PrinterStatus, interpret

log = logging.getLogger(__name__)

Opener = Callable[[str, dict[str, Any]], PrinterConnection]


class PrinterError(DeviceError):
    """A receipt did not print; ``message`` says why in words for the screen and the technician."""


class PaperOutError(PrinterError):
    """The printer is out of paper (缺纸); the receipt did not print, or not completely."""


class ReceiptPrinter(Device):
    """A thermal receipt printer reached through one connection URL."""

    kind = "printer"

    def __init__(
        self,
        name: str,
        handler: DeviceHandler | None,
        connection_url: str,
        profile: PrinterProfile,
        *,
        options: dict[str, Any] | None = None,
        preview_dir: Path | None = None,
        status_timeout: float = 0.5,
        opener: Opener = open_connection,
    ) -> None:
        super().__init__(name, handler)
        self.connection_url = connection_url
        self.profile = profile
        self.preview_dir = preview_dir
        self.status_timeout = status_timeout
        self._options = dict(options or {})
        self._opener = opener
        self._renderer = EscposRenderer(profile)
        self._connection: PrinterConnection | None = None
        self._sequence = itertools.count(1)
        self.last_status = PrinterStatus(PrinterState.UNKNOWN)
        #: Paper ran out (缺纸): the UI shows words, speaks, and offers the e-receipt QR.
        self.printer_did_run_out_of_paper: Observers[[]] = Observers()
        #: Paper is near its end: the technician is alerted while the printer still prints.
        self.printer_paper_will_run_out: Observers[[]] = Observers()
        #: A receipt went out whole; the argument is the preview PNG path when one was written.
        self.receipt_did_print: Observers[[PrintDocument, Path | None]] = Observers()

    @property
    def connection(self) -> PrinterConnection | None:
        """The open connection (the simulator's keeps the bytes it was sent)."""
        return self._connection

    # ------------------------------------------------------------------ Device
    def _open(self) -> None:
        self.thread.assert_current()
        self._close()
        self._connection = self._opener(self.connection_url, self._options)

    def _close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()

    def _probe(self) -> DeviceHealth:
        status = self._read_status()
        if status.state is PrinterState.NO_REPLY:
            raise PrinterError(status.describe())
        return self._health_for(status)

    # ------------------------------------------------------------------ public
    def status(self) -> PrinterStatus:
        """Ask the printer now (opening the connection if needed)."""
        return self.thread.call(self._status_now)

    def print_document(self, document: PrintDocument) -> Path | None:
        """Print ``document``; return the preview path if one was written. Raise :class:`PrinterError`."""
        return self.thread.call(self._print, document)

    # ------------------------------------------------------------------ on the device thread
    def _status_now(self) -> PrinterStatus:
        try:
            self._ensure_open()
            status = self._read_status()
        except DeviceError as exc:
            self._close()
            self._set_health(DeviceHealth(DeviceState.OFFLINE, exc.message))
            return PrinterStatus(PrinterState.NO_REPLY)
        self._set_health(self._health_for(status))
        return status

    def _ensure_open(self) -> PrinterConnection:
        if self._connection is None:
            self._open()
        assert self._connection is not None
        return self._connection

    def _read_status(self) -> PrinterStatus:
        self.thread.assert_current()
        connection = self._ensure_open()
        if not connection.can_read:
            status = PrinterStatus(PrinterState.UNKNOWN)
        else:
            printer_byte = connection.query(QUERY_PRINTER, self.status_timeout)
            paper_byte = None
            if printer_byte is not None:  # a silent printer is not asked twice: one timeout is enough
                paper_byte = connection.query(QUERY_PAPER, self.status_timeout)
            status = interpret(printer_byte, paper_byte)
        self._note(status)
        return status

    def _note(self, status: PrinterStatus) -> None:
        previous, self.last_status = self.last_status.state, status
        if status.state is previous:
            return
        if status.state is PrinterState.PAPER_OUT:
            self.printer_did_run_out_of_paper.emit()
        elif status.state is PrinterState.PAPER_NEAR_END:
            self.printer_paper_will_run_out.emit()

    def _health_for(self, status: PrinterStatus) -> DeviceHealth:
        if status.state in {PrinterState.READY, PrinterState.UNKNOWN}:
            return DeviceHealth(DeviceState.OK, status.describe())
        if status.state is PrinterState.PAPER_NEAR_END:
            return DeviceHealth(DeviceState.DEGRADED, status.describe())
        return DeviceHealth(DeviceState.OFFLINE, status.describe())

    def _fresh_status(self) -> PrinterStatus:
        """Status, reopening the line once if it broke or went silent (a power cycle, a re-plugged cable)."""
        try:
            status = self._read_status()
        except PrinterConnectionError:
            status = PrinterStatus(PrinterState.NO_REPLY)
        if status.state is PrinterState.NO_REPLY:
            log.info("%s: no reply, opening %s again", self.name, self.connection_url)
            try:
                self._open()
                status = self._read_status()
            except DeviceError as exc:
                self._close()
                self._set_health(DeviceHealth(DeviceState.OFFLINE, exc.message))
                raise PrinterError(exc.message, technician_hint=exc.technician_hint) from None
        self._set_health(self._health_for(status))
        return status

    def _print(self, document: PrintDocument) -> Path | None:
        self.thread.assert_current()
        before = self._fresh_status()
        self._refuse_unless_ready(before)
        data = self._renderer.render(document)
        self._send(data)
        after = self._read_status_quietly()
        self._set_health(self._health_for(after))
        if after.state is PrinterState.PAPER_OUT:
            raise PaperOutError(
                "打印中途缺纸，回执不完整 / paper ran out while printing: reprint after loading paper"
            )
        if after.state in {PrinterState.NO_REPLY, PrinterState.OFFLINE}:
            raise PrinterError(f"打印后打印机未确认 / not confirmed after printing: {after.describe()}")
        preview = self._write_preview(document)
        self.receipt_did_print.emit(document, preview)
        return preview

    def _refuse_unless_ready(self, status: PrinterStatus) -> None:
        if status.state is PrinterState.PAPER_OUT:
            raise PaperOutError(status.describe())
        if not status.can_print:
            raise PrinterError(status.describe())

    def _send(self, data: bytes) -> None:
        try:
            self._ensure_open().write(data)
        except PrinterConnectionError as first:
            # The line broke between the status check and the write: one fresh line, one more try.
            log.info("%s: write failed (%s), reopening", self.name, first.message)
            try:
                self._open()
                self._ensure_open().write(data)
            except DeviceError as exc:
                self._close()
                self._set_health(DeviceHealth(DeviceState.OFFLINE, exc.message))
                raise PrinterError(exc.message, technician_hint=exc.technician_hint) from None

    def _read_status_quietly(self) -> PrinterStatus:
        try:
            return self._read_status()
        except PrinterConnectionError:
            self._close()
            return PrinterStatus(PrinterState.NO_REPLY)

    def _write_preview(self, document: PrintDocument) -> Path | None:
        if self.preview_dir is None:
            return None
        stamp = time.strftime("%Y%m%d-%H%M%S")
        path = self.preview_dir / f"receipt-{stamp}-{next(self._sequence):04d}.png"
        try:
            return write_preview(document, self.profile, path)
        except OSError as exc:
            log.warning("%s: preview not written to %s: %s", self.name, path, exc)
            return None
