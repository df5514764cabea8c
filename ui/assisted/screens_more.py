"""The client's screens for exporting to a drive, making a 需处理 case again, and 代为查询 / 代为取号, for
``kiosk screenshots`` and the desk's accessibility audit, beside those of :mod:`ui.assisted.screens`.

Each is built over a demo laptop wired as at the hall: a real sealed outbox (the platform's key; no platform in
reach), the export to a drive, the hall's query desk and ticket roll.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from tempfile import TemporaryDirectory

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from accessibility.audit_run import AuditReport
from kiosk.assisted.cases import Case
from kiosk.assisted.instant import instant_request
from kiosk.hall.assisted_outbox import AssistedOutbox
from kiosk.hall.matters import OutboxMatters
from kiosk.hall.queries import SampleQueryDesk
from kiosk.records.ratings import RatingBook
from kiosk.records.tickets import TicketRoll
from kiosk.visit.catalog import Catalog
from kiosk.visit.ports import Terminal
from offline_cache.store import Outbox
from offline_cache.wire.sealing import Sealer
from ui.assisted.audit import audit_screens
from ui.assisted.case_editor import CaseEditor
from ui.assisted.desk import AssistedDesk
from ui.assisted.instant_matter import slip_of
from ui.assisted.screens import Drive, demo_laptop, render_screens
from ui.assisted.showcase import DEMO_NOW, DEMO_STAFF, demo_authorization, demo_id_number, demo_resident
from ui.assisted.window import AssistedWindow

TERMINAL = "LAPTOP-demo-01"


def _log_in(window: AssistedWindow) -> None:
    window.log_in(DEMO_STAFF[0].staff_no, DEMO_STAFF[0].password)


def _sent(window: AssistedWindow, index: int) -> Case:
    """A case saved to be sent as the form leaves one: its 委托, the consent's and the matter's signatures."""
    book, session, desk = window.book, window.session, window.desk
    assert book is not None
    assert session is not None
    assert desk.send_case is not None
    service = next(s for s in desk.catalog.services if s.code == "GLJT-01")
    resident = demo_resident(index)
    answers = {"address": "河北省保定市某县城关镇幸福村3组12号", "payout": "sscard", "lives_alone": "yes"}
    case = book.new_case(service.code, service.name.zh, resident, DEMO_NOW, answers={**answers, "signature": "1"})
    authorization = demo_authorization(resident, service.code, DEMO_STAFF[0], DEMO_NOW)
    book.update_draft(case.case_id, DEMO_NOW, authorization=authorization)
    book.add_attachment(case.case_id, b"\x89PNG consent", "image/png", "signature", DEMO_NOW)
    book.add_attachment(case.case_id, b"\x89PNG signature", "image/png", "document", DEMO_NOW)
    return desk.send_case(book, session, case.case_id, DEMO_NOW)


def _exported(window: AssistedWindow) -> None:
    _log_in(window)
    for index in range(3):
        _sent(window, index)
    window.show_list()
    drive = window.desk.cases_root.parent / "U盘"
    drive.mkdir(exist_ok=True)
    window.case_actions.choose_folder = lambda: drive
    window.case_actions.export()


def _redo(window: AssistedWindow) -> None:
    _log_in(window)
    assert window.book is not None
    case = _sent(window, 4)
    window.book.record_delivery(case.case_id, "quarantined", DEMO_NOW, reason="平台未接收：户籍地址不完整")
    window.show_list()
    window.case_list.select_case(case.case_id)
    window.case_actions.redo_button.click()


def _query_form(window: AssistedWindow) -> None:
    _log_in(window)
    editor = window.open_editor(None)
    assert isinstance(editor, CaseEditor)
    editor.choose_service("YBCX-05")
    editor.resident.name.set_value("王秀英")
    editor.resident.id_number.set_value(demo_id_number(1))
    editor.resident.phone.set_value("13900000001")
    editor.resident.resident_did_change.emit()


def _instant(code: str, answers: dict[str, str]) -> Drive:
    def drive(window: AssistedWindow) -> None:
        _log_in(window)
        desk, session = window.desk, window.session
        assert desk.handle_matter is not None
        assert session is not None
        service = next(s for s in desk.catalog.services if s.code == code)
        resident = demo_resident(1)
        record = demo_authorization(resident, code, DEMO_STAFF[0], DEMO_NOW) if code != "PDQH-06" else None
        outcome = desk.handle_matter(instant_request(service, resident, answers))
        window.show_instant_slip(slip_of(desk, session, service, outcome, resident, authorization=record, at=DEMO_NOW))

    return drive


def screens() -> list[tuple[str, Drive]]:
    return [
        ("a17-case-list-exported", _exported),
        ("a18-redo-needs-action", _redo),
        ("a19-new-query", _query_form),
        ("a20-query-result", _instant("YBCX-05", {"year": "2025"})),
        ("a21-ticket", _instant("PDQH-06", {"counter": "B"})),
    ]


@contextmanager
def hall_laptop(catalog: Catalog) -> Iterator[Callable[[], AssistedDesk]]:
    """Demo laptops wired to a sealed outbox, the export to a drive and the hall's queries and tickets."""
    with demo_laptop(catalog) as make, TemporaryDirectory(prefix="assisted-hall-") as folder:
        root = Path(folder)
        outbox = Outbox(root / "outbox", terminal_id=TERMINAL, sealer=Sealer(X25519PrivateKey.generate().public_key()))
        terminal = Terminal(TERMINAL, "130624", "assisted")
        adapter = AssistedOutbox(outbox, terminal)
        matters = OutboxMatters(
            outbox,
            terminal,
            trigger_sync=lambda: None,
            queries=SampleQueryDesk(lambda: True),
            tickets=TicketRoll(root / "tickets.db", today=DEMO_NOW.date),
            ratings=RatingBook(root / "ratings.db"),
            expected_wait=lambda waiting: 4 * waiting + 3,
        )

        def wired() -> AssistedDesk:
            return replace(
                make(),
                send_case=adapter.send,
                export_cases=adapter.export_member,
                handle_matter=matters.handle,
            )

        try:
            yield wired
        finally:
            outbox.close()


def render_assisted_more(catalog: Catalog, out_dir: Path) -> list[Path]:
    """``kiosk screenshots``: these screens at a laptop's 1366×768 and a desktop's 1920×1080."""
    return render_screens(hall_laptop(catalog), screens(), out_dir)


def audit_assisted_more(catalog: Catalog) -> AuditReport:
    """These screens through the desk's audit (``ui.assisted.audit``: 16 px text, 32 px targets, 4.5:1)."""
    return audit_screens(hall_laptop(catalog), screens())
