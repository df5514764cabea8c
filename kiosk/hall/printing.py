"""Printing the receipt (回执单): journalled first, then printed; never cut short by a wipe.

Every receipt is written to the print journal (masked data) before it prints, so a failed or interrupted print
can be reprinted and the case number is never lost with the paper.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime

from devices.printer.driver import ReceiptPrinter
from devices.printer.status import PrinterState
from kiosk.records.journal import PrintState, ReceiptJournal
from kiosk.visit.identity import mask_name
from kiosk.visit.ports import HallError, SubmissionRequest, SubmitOutcome
from kiosk.visit.receipt import ReceiptData, ReceiptKind

NO_PRINTER = "本机暂时不能打印 / this terminal cannot print right now"
_KINDS = {
    "accepted": ReceiptKind.ACCEPTED,
    "queued": ReceiptKind.QUEUED,
    "query": ReceiptKind.QUERY,
    "ticket": ReceiptKind.TICKET,
}


def receipt_data(
    request: SubmissionRequest, outcome: SubmitOutcome, *, hall_name: str, terminal_id: str, now: datetime
) -> ReceiptData:
    service = request.service
    steps = service.next_steps.zh if service.next_steps else ""
    return ReceiptData(
        kind=_KINDS[outcome.kind],
        hall_name=hall_name,
        service_name=service.name.zh,
        case_no=outcome.case_no,
        issued_at=now,
        terminal_id=terminal_id,
        applicant_masked=mask_name(request.applicant.name) if request.applicant and request.applicant.name else "",
        next_steps=tuple(s + "。" for s in steps.split("。") if s.strip()),
        rows=outcome.rows,
        waiting=outcome.waiting,
    )


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
        data = receipt_data(request, outcome, hall_name=self.hall_name, terminal_id=self.terminal_id, now=self.now())
        if self.printer is None:
            self.journal.mark_failed(self.journal.record(data), NO_PRINTER)
            raise HallError(NO_PRINTER)
        self._in_flight.set()
        try:
            entry = self.journal.print_receipt(data, self.printer)
        finally:
            self._in_flight.clear()
        if entry.state is PrintState.PRINTED:
            return
        paper_out = self.printer.last_status.state is PrinterState.PAPER_OUT
        raise HallError(entry.reason or NO_PRINTER, state="paper_out" if paper_out else "failed")
