"""Printing the receipt (回执单): journalled first, then printed; never cut short by a wipe.

Every receipt is written to the print journal (masked data) before it prints, so a failed or interrupted print
can be reprinted and the case number is never lost with the paper.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime

from devices.printer.driver import ReceiptPrinter
from devices.printer.status import PrinterState
from kiosk.hall.notices import PRINTER_UNAVAILABLE
from kiosk.records.journal import PrintState, ReceiptJournal
from kiosk.visit.ports import HallError, SubmissionRequest, SubmitOutcome
from kiosk.visit.receipt import receipt_for
from kiosk.visit.strings import Texts

log = logging.getLogger(__name__)



class JournalReceipts:
    """The :class:`kiosk.visit.ports.Receipts` port over a receipt printer and the print journal."""

    def __init__(
        self,
        printer: ReceiptPrinter | None,
        journal: ReceiptJournal,
        *,
        hall_name: str,
        terminal_id: str,
        now: Callable[[], datetime] = datetime.now,
    ) -> None:
        self.printer = printer
        self.journal = journal
        self.hall_name = hall_name
        self.terminal_id = terminal_id
        self.now = now
        self._in_flight = threading.Event()

    def busy(self) -> bool:
        """A receipt is printing now: the wipe waits for it."""
        return self._in_flight.is_set()

    def print_receipt(self, request: SubmissionRequest, outcome: SubmitOutcome) -> None:
        data = receipt_for(request, outcome, hall_name=self.hall_name, terminal_id=self.terminal_id, now=self.now())
        if self.printer is None:
            self.journal.mark_failed(self.journal.record(data), PRINTER_UNAVAILABLE.text(Texts()))
            raise HallError(PRINTER_UNAVAILABLE)
        self._in_flight.set()
        try:
            entry = self.journal.print_receipt(data, self.printer)
        finally:
            self._in_flight.clear()
        if entry.state is PrintState.PRINTED:
            return
        paper_out = self.printer.last_status.state is PrinterState.PAPER_OUT
        log.warning("receipt not printed: %s", entry.reason)
        raise HallError(PRINTER_UNAVAILABLE, state="paper_out" if paper_out else "failed")
