"""From the case list's window: 导出到U盘 writes only this member's unsent cases (staff B's drive holds none of
A's) and says how many and where; 修改后重新提交 makes a 需处理 case again with its 委托 and attachments, to
correct and send once more."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from kiosk.assisted.cases import Case, CaseBook
from tests.ui.assisted_client_support import log_in, open_window
from tests.ui.assisted_village_laptop import village_laptop
from tests.ui.conftest import settle
from ui.assisted.case_editor import CaseEditor
from ui.assisted.case_view import CaseView
from ui.assisted.desk import AssistedDesk
from ui.assisted.showcase import DEMO_STAFF, demo_authorization, demo_resident
from ui.assisted.slip_view import SlipView
from ui.assisted.window import AssistedWindow


@pytest.fixture
def village(tmp_path: Path) -> Iterator[AssistedDesk]:
    """A laptop in a village: its own sealed outbox, no platform in reach."""
    with village_laptop(tmp_path) as start:
        yield start()


def _sent_case(window: AssistedWindow, index: int, *, service: str = "GLJT-01") -> Case:
    """A case saved to be sent, with its 委托 and the resident's signature (as the form leaves one)."""
    book, session, desk = window.book, window.session, window.desk
    assert book is not None and session is not None and desk.send_case is not None
    resident = demo_resident(index)
    staff = next(s for s in DEMO_STAFF if s.staff_no == session.staff_no)
    now = desk.clock()
    title = next(s.name.zh for s in desk.catalog.services if s.code == service)
    answers = {"address": "河北省保定市某县城关镇幸福村3组12号", "payout": "sscard", "lives_alone": "yes"}
    case = book.new_case(service, title, resident, now, answers={**answers, "signature": "attached"})
    book.update_draft(case.case_id, now, authorization=demo_authorization(resident, service, staff, now))
    book.add_attachment(case.case_id, b"\x89PNG consent", "image/png", "signature", now)
    book.add_attachment(case.case_id, b"\x89PNG field signature", "image/png", "document", now)
    return desk.send_case(book, session, case.case_id, now)


def _draft(book: CaseBook, window: AssistedWindow, index: int) -> None:
    book.new_case("GLJT-01", "高龄津贴申请", demo_resident(index), window.desk.clock())


def _export(window: AssistedWindow, drive: Path) -> Path:
    window.case_actions.choose_folder = lambda: drive  # the folder the dialog would give
    window.show_list()
    window.case_actions.export_button.click()
    exported = [p for p in drive.iterdir() if p.is_dir()]
    assert len(exported) == 1
    return exported[0]


def _manifest_ids(folder: Path) -> set[str]:
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return {s["id"] for s in manifest["submissions"]}


def test_each_member_exports_only_their_own_unsent_cases(
    qtbot: QtBot, tmp_path: Path, village: AssistedDesk
) -> None:
    desk = village
    window = open_window(qtbot, desk)
    log_in(window, 0)
    assert window.book is not None
    a_cases = [_sent_case(window, n) for n in range(2)]
    _draft(window.book, window, 5)
    drive_a = tmp_path / "drive-a"
    drive_a.mkdir()
    folder_a = _export(window, drive_a)
    note = window.case_actions.note.text()
    assert "已导出 2 件" in note and str(folder_a) in note
    assert "1 件草稿未保存发送" in note  # a draft is not on the drive, and the screen says so
    assert "A001" in folder_a.name
    assert _manifest_ids(folder_a) == {c.submission_id for c in a_cases}
    window.case_list.logout_button.click()

    log_in(window, 1)  # B, on the same laptop
    assert window.case_list.model.rowCount() == 0
    drive_b = tmp_path / "drive-b"
    drive_b.mkdir()
    window.case_actions.choose_folder = lambda: drive_b
    window.case_actions.export_button.click()
    assert "没有待发送的案件" in window.case_actions.note.text()
    assert not list(drive_b.iterdir())  # nothing written for nothing to carry
    b_case = _sent_case(window, 9)
    folder_b = _export(window, drive_b)
    assert "已导出 1 件" in window.case_actions.note.text()
    assert _manifest_ids(folder_b) == {b_case.submission_id}
    names = {p.name for p in folder_b.iterdir()}
    assert not any(f"{c.submission_id}.json" in names for c in a_cases)
    for path in [*folder_a.iterdir(), *folder_b.iterdir()]:  # sealed for the platform: no resident in clear
        assert demo_resident(0).id_number.encode() not in path.read_bytes()
        assert demo_resident(9).name.encode() not in path.read_bytes()


def test_a_case_that_needs_action_is_corrected_and_sent_again_with_its_authorization(
    qtbot: QtBot, village: AssistedDesk
) -> None:
    desk = village
    window = open_window(qtbot, desk)
    log_in(window, 0)
    book = window.book
    assert book is not None
    old = _sent_case(window, 3)
    book.record_delivery(old.case_id, "quarantined", desk.clock(), reason="平台未接收：户籍地址不完整")
    sent_ok = _sent_case(window, 4)
    window.show_list()
    actions = window.case_actions
    window.case_list.select_case(sent_ok.case_id)
    assert not actions.redo_button.isEnabled()  # only a 需处理 case is made again
    window.case_list.select_case(old.case_id)
    assert actions.redo_button.isEnabled()
    actions.redo_button.click()

    editor = window.page
    assert isinstance(editor, CaseEditor)
    assert "已按原案件重新建立草稿" in editor.message.text()
    assert editor.resident.name.value() == demo_resident(3).name
    assert editor.authorization.kept_box.isVisible()
    assert "沿用原委托" in editor.authorization.kept_label.text()
    assert not editor.authorization.editable.isVisible()  # not asked for twice
    assert demo_resident(3).id_number not in editor.authorization.kept_label.text()
    fields = editor.fields
    assert fields is not None
    address = fields.widget("address")
    assert isinstance(address, QLineEdit)
    assert address.text().startswith("河北省")
    address.setText("河北省保定市某县城关镇幸福村3组12号院内东屋")  # the correction
    editor.send_button.click()
    assert isinstance(window.page, SlipView), editor.message.text()

    made = [c for c in book.cases() if c.case_id not in (old.case_id, sent_ok.case_id)]
    assert len(made) == 1
    again = made[0]
    assert again.state == "queued"
    assert again.answers["address"].endswith("院内东屋")
    assert again.authorization == old.authorization
    assert sorted(r.role for r in again.attachments) == sorted(r.role for r in old.attachments)  # none twice
    assert book.case(old.case_id).state == "redone"
    window.show_list()
    states = [row.state for row in window.case_list.model.rows()]
    assert "quarantined" not in states


def test_the_case_view_of_a_case_that_needs_action_offers_the_redo(
    qtbot: QtBot, village: AssistedDesk
) -> None:
    desk = village
    window = open_window(qtbot, desk)
    log_in(window, 0)
    assert window.book is not None
    old = _sent_case(window, 6)
    queued = _sent_case(window, 7)
    window.book.record_delivery(old.case_id, "quarantined", desk.clock(), reason="平台未接收：委托书照片不清")
    view = window.open_case(queued.case_id)
    assert isinstance(view, CaseView)
    assert not view.redo_button.isVisibleTo(view)
    view = window.open_case(old.case_id)
    assert isinstance(view, CaseView)
    settle()
    assert view.redo_button.isVisible()
    view.redo_button.click()
    editor = window.page
    assert isinstance(editor, CaseEditor)
    # The kept 委托 can be given up for a new one: the form opens for it.
    editor.authorization.retake_button.click()
    assert not editor.authorization.kept_box.isVisible()
    assert editor.authorization.editable.isVisible()
    assert editor.authorization.grantee_phone.isEnabled()
