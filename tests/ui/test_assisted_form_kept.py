"""A staff member's half-done case form survives the program ending without warning (a flat battery, a kill):
the resident, the 委托 typed so far, the signature's strokes, the photo of the paper 委托书 and the matter's own
answers and signature come back at the next login, exactly as left; nothing of it is readable on disk."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, QPointF
from PySide6.QtWidgets import QComboBox, QLineEdit
from pytestqt.qtbot import QtBot

from tests.ui.assisted_client_support import log_in, open_window
from tests.ui.assisted_half_form import ADDRESS, GRANTEE_ID, NAME, PAPER, RESIDENT_ID, fill_half
from tests.ui.assisted_village_laptop import village_laptop
from tests.ui.conftest import settle
from ui.assisted.case_editor import CaseEditor
from ui.assisted.desk import AssistedDesk
from ui.assisted.form_capture import strokes_of
from ui.assisted.slip_view import SlipView
from ui.assisted.window import AssistedWindow
from ui.signature import SignaturePad

HERE = Path(__file__).parent
ROOT = HERE.parent.parent


@pytest.fixture
def start(tmp_path: Path) -> Iterator[Callable[[], AssistedDesk]]:
    """Starts of the program on one laptop's files (a document camera that photographs the paper 委托书)."""
    with village_laptop(tmp_path, capture_paper=lambda: PAPER) as start:
        yield start


def _fill_half(window: AssistedWindow, qtbot: QtBot) -> CaseEditor:
    editor = fill_half(window)
    with qtbot.waitSignal(editor.form_did_seal, timeout=5000):
        pass  # sealed unasked, a moment after the last change (the timer runs once the event loop does)
    return editor


def _assert_nothing_in_clear(root: Path) -> None:
    files = [p for p in root.rglob("*") if p.is_file()]
    assert any(p.name.startswith("form-") for p in files)
    for path in files:
        data = path.read_bytes()
        for secret in (NAME, RESIDENT_ID, GRANTEE_ID, "13900000007", ADDRESS):
            assert secret.encode() not in data, (path, secret)
        assert PAPER[:40] not in data


def test_a_half_done_case_comes_back_whole_after_the_program_died(
    qtbot: QtBot, tmp_path: Path, start: Callable[[], AssistedDesk]
) -> None:
    first = open_window(qtbot, start())
    log_in(first, 0)
    before = _fill_half(first, qtbot)
    strokes = strokes_of(before.authorization.pad)
    _assert_nothing_in_clear(tmp_path / "laptop" / "cases")
    # The battery dies: no close, no logout, no lock. The window is simply gone.
    first.hide()
    first.timer.stop()

    window = open_window(qtbot, start())  # the program started again on the same files
    log_in(window, 0)
    settle()
    editor = window.page
    assert isinstance(editor, CaseEditor)
    assert editor.service_box.currentData() == "GLJT-01"
    assert editor.resident.name.value() == NAME
    assert editor.resident.name.text() == "张*兰"  # masked as before, not typed just now
    assert editor.resident.phone.value() == "13900000007"
    auth = editor.authorization
    assert auth.grantee_id.value() == GRANTEE_ID
    assert auth.grantee_phone.value() == "13800000099"
    assert not auth.until_closed.isChecked()
    assert auth.valid_until.date() == QDate(2027, 3, 31)
    assert auth.sub_delegation.isChecked()
    assert strokes_of(auth.pad) == strokes  # the signature, stroke for stroke
    assert "已拍摄纸质委托书" in auth.paper_note.text()
    fields = editor.fields
    assert fields is not None
    address = fields.widget("address")
    assert isinstance(address, QLineEdit)
    assert address.text() == ADDRESS
    payout = fields.widget("payout")
    assert isinstance(payout, QComboBox)
    assert payout.currentData() == "sscard"
    pad = fields.widget("signature")
    assert isinstance(pad, SignaturePad)
    assert pad.has_signature()

    # The case goes out with all of it, as if nothing had happened.
    alone = fields.widget("lives_alone")
    assert isinstance(alone, QComboBox)
    alone.setCurrentIndex(alone.findData("yes"))
    editor.send_button.click()
    assert isinstance(window.page, SlipView), editor.message.text()
    assert window.book is not None
    (case,) = window.book.cases()
    assert case.state == "queued"
    roles = sorted(ref.role for ref in case.attachments)
    assert roles == ["authorization_photo", "document", "signature"]
    assert window.book.attachment(next(r for r in case.attachments if r.role == "authorization_photo")) == PAPER
    assert case.authorization is not None and case.authorization["valid_until"] == "2027-03-31"
    # Sent: the sealed form is gone with it, and nothing reopens at the next login.
    assert not [p for p in (tmp_path / "laptop" / "cases").rglob("form-*") if p.is_file()]


def test_a_draft_opened_from_the_list_after_a_restart_brings_its_authorization_and_signature(
    qtbot: QtBot, tmp_path: Path, start: Callable[[], AssistedDesk]
) -> None:
    first = open_window(qtbot, start())
    log_in(first, 0)
    editor = _fill_half(first, qtbot)
    editor.back_button.click()  # 返回列表: a draft, listed
    assert first.stack.currentWidget() is first.case_list
    first.hide()

    window = open_window(qtbot, start())
    log_in(window, 0)
    settle()
    assert window.stack.currentWidget() is window.case_list  # left at the list: the list opens
    assert [row.state for row in window.case_list.model.rows()] == ["draft"]
    window.case_list.table.selectRow(0)
    window.case_list.open_button.click()
    reopened = window.page
    assert isinstance(reopened, CaseEditor)
    assert reopened.authorization.pad.has_signature()
    assert reopened.authorization.grantee_id.value() == GRANTEE_ID
    assert "已拍摄纸质委托书" in reopened.authorization.paper_note.text()


def test_a_form_with_no_resident_yet_is_kept_too_and_the_lock_still_brings_it_back(
    qtbot: QtBot, tmp_path: Path, start: Callable[[], AssistedDesk]
) -> None:
    first = open_window(qtbot, start())
    log_in(first, 0)
    first.case_list.new_button.click()
    editor = first.page
    assert isinstance(editor, CaseEditor)
    editor.choose_service("GLJT-01")
    with qtbot.waitSignal(editor.form_did_seal, timeout=5000):
        editor.authorization.pad.add_stroke([QPointF(10, 10), QPointF(80, 40)])
    first.lock()  # locked, then another member's turn, then the program ends
    log_in(first, 1)
    settle()
    assert first.case_list.model.rowCount() == 0
    first.hide()

    window = open_window(qtbot, start())
    log_in(window, 0)
    settle()
    reopened = window.page
    assert isinstance(reopened, CaseEditor)
    assert reopened.service_box.currentData() == "GLJT-01"
    assert reopened.authorization.pad.has_signature()
    assert reopened.case_id is None


def test_a_form_sealed_before_a_sigkill_is_all_there_after(qtbot: QtBot, tmp_path: Path) -> None:
    """The client in its own process, killed with SIGKILL once the form sealed itself after the last change."""
    process = subprocess.Popen(
        [sys.executable, str(HERE / "assisted_form_worker.py"), str(tmp_path)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"},
    )
    try:
        assert process.stdout is not None
        said = process.stdout.readline()  # the worker's word once the form is sealed
        assert said.startswith("sealed "), f"the worker said {said!r} (exit {process.poll()})"
        os.kill(process.pid, signal.SIGKILL)
        assert process.wait(timeout=30) == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)
    strokes = json.loads(said.split(" ", 1)[1])

    with village_laptop(tmp_path, capture_paper=lambda: PAPER) as start:
        window = open_window(qtbot, start())
        log_in(window, 0)
        settle()
        editor = window.page
        assert isinstance(editor, CaseEditor)
        assert editor.resident.name.value() == NAME
        assert editor.resident.id_number.value() == RESIDENT_ID
        auth = editor.authorization
        assert auth.grantee_id.value() == GRANTEE_ID
        assert auth.valid_until.date() == QDate(2027, 3, 31)
        assert auth.sub_delegation.isChecked()
        assert strokes_of(auth.pad) == strokes
        assert "已拍摄纸质委托书" in auth.paper_note.text()
        fields = editor.fields
        assert fields is not None
        address = fields.widget("address")
        assert isinstance(address, QLineEdit)
        assert address.text() == ADDRESS
        pad = fields.widget("signature")
        assert isinstance(pad, SignaturePad)
        assert pad.has_signature()
        _assert_nothing_in_clear(tmp_path / "laptop" / "cases")
