"""One mapping from a submission's outcome to its receipt: the paper and the on-screen e-receipt agree."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from kiosk.hall.catalog_store import bundled_catalog
from kiosk.hall.notices import PRINTER_UNAVAILABLE
from kiosk.hall.printing import JournalReceipts
from kiosk.records.journal import ReceiptJournal
from kiosk.visit.outcome_views import result_screen
from kiosk.visit.ports import HallError, SubmissionRequest, SubmitOutcome
from kiosk.visit.receipt import ReceiptKind, case_follow_url
from kiosk.visit.session import Applicant
from kiosk.visit.strings import Texts

HALL = "示范大厅"
NOW = datetime(2026, 11, 22, 9, 30)


@pytest.mark.parametrize("language", ["zh_CN", "en"])
@pytest.mark.parametrize(
    ("kind", "case_no"),
    [("accepted", "SB2026000001"), ("queued", "LS-7F3A"), ("query", "SB2026000002"), ("ticket", "A012")],
)
def test_the_printed_receipt_and_the_e_receipt_name_the_same_case(
    tmp_path: Path, kind: str, case_no: str, language: str
) -> None:
    service = bundled_catalog().services[0]
    request = SubmissionRequest(service, Applicant(name="赵淑英", id_number="110101195001010028"), {})
    journal = ReceiptJournal(tmp_path / "journal.db")
    try:
        receipts = JournalReceipts(None, journal, hall_name=HALL, terminal_id="T-1", now=lambda: NOW)
        with pytest.raises(HallError, match=PRINTER_UNAVAILABLE.text(Texts())):
            receipts.print_receipt(request, SubmitOutcome(kind, case_no))
        [entry] = journal.unprinted()
    finally:
        journal.close()
    paper = entry.data
    assert (paper.kind, paper.case_no, paper.service_name) == (ReceiptKind(kind), case_no, service.name.zh)
    assert paper.applicant_masked == "赵*英"

    screen = result_screen(service, Texts(language), kind=kind, case_no=case_no, print_state="printed")
    assert screen.view.e_receipt == case_follow_url(paper)  # type: ignore[union-attr]


@pytest.mark.parametrize("kind", ["failed", "query_offline"])
def test_an_outcome_without_a_receipt_shows_no_e_receipt(kind: str) -> None:
    service = bundled_catalog().services[0]
    screen = result_screen(service, Texts(), kind=kind, case_no="X1", print_state="idle")
    assert screen.view.e_receipt == ""  # type: ignore[union-attr]
