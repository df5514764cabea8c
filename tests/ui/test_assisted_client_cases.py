"""The staff member's client at work: refusing 须本人到场, filters, a case sent with its 委托 and slip, the idle
lock that keeps the case in progress, and the sync button's progress."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QComboBox, QLineEdit, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from kiosk.hall.compose import Hall
from tests.ui.assisted_client_support import Clocks, laptop, log_in, open_window
from tests.ui.conftest import settle
from ui.assisted.case_editor import CaseEditor
from ui.assisted.case_list import STATE_FILTERS
from ui.assisted.event_form import EventForm
from ui.assisted.showcase import demo_id_number, fill_cases
from ui.assisted.slip_view import SlipView
from ui.assisted.window import LOCK_NOTICE, AssistedWindow
from ui.signature import SignaturePad


def _new_case(window: AssistedWindow, service: str = "GLJT-01") -> CaseEditor:
    window.case_list.new_button.click()
    editor = window.page
    assert isinstance(editor, CaseEditor)
    editor.choose_service(service)
    return editor


def _type_resident(editor: CaseEditor) -> None:
    form = editor.resident
    form.name.setFocus()
    form.name.setText("张桂兰")
    form.id_number.setFocus()
    form.id_number.setText(demo_id_number(7))
    form.phone.setFocus()
    form.phone.setText("13900000007")
    editor.service_box.setFocus()
    form.resident_did_change.emit()
    settle()


def test_a_service_that_needs_the_resident_in_person_is_refused_with_its_reason(
    qtbot: QtBot, tmp_path: Path, demo_hall: Hall
) -> None:
    window = open_window(qtbot, laptop(tmp_path, demo_hall, Clocks()))
    log_in(window, 0)
    editor = _new_case(window, "YLRZ-02")
    settle()
    assert editor.refusal.isVisible()
    assert "须本人到场" in editor.refusal.text()
    assert "不能由他人代办" in editor.refusal.text()
    assert not editor.send_button.isEnabled()
    assert not editor.authorization.isEnabled()
    editor.choose_service("GLJT-01")
    assert not editor.refusal.isVisible()
    assert editor.send_button.isEnabled()


def test_the_list_filters_by_state_and_searches_masked_names_and_numbers(
    qtbot: QtBot, tmp_path: Path, demo_hall: Hall
) -> None:
    desk = laptop(tmp_path, demo_hall, Clocks())
    window = open_window(qtbot, desk)
    log_in(window, 0)
    assert window.book is not None
    fill_cases(window.book, desk.catalog, desk.clock())
    window.show_list()
    screen = window.case_list
    rows = screen.model.rows()
    assert rows[0].state == "quarantined"  # worst first
    assert "缺少银行卡号" in str(screen.model.data(screen.model.index(0, 6)))
    screen.table.selectRow(0)
    assert "按原因更正" in screen.detail.text()

    labels = [label for label, _, _ in STATE_FILTERS]
    screen.state_filter.setCurrentIndex(labels.index("草稿"))
    assert {row.state for row in screen.model.rows()} == {"draft"}
    screen.state_filter.setCurrentIndex(labels.index("未送达平台"))
    assert {row.state for row in screen.model.rows()} == {"draft", "queued", "sending", "quarantined"}
    screen.state_filter.setCurrentIndex(0)

    screen.search.setText("张*兰")
    assert screen.model.rowCount() >= 1
    assert all(row.resident_masked == "张*兰" for row in screen.model.rows())
    number = next(row.case_ref for row in rows if row.case_ref.startswith("CG"))
    screen.search.setText(number)
    assert [row.case_ref for row in screen.model.rows()] == [number]
    screen.search.setText("没有这个")
    assert screen.model.rowCount() == 0
    assert screen.count_label.text() == f"0 / {len(rows)} 件"


def test_a_case_is_sent_with_its_authorization_and_the_slip_shows_its_number(
    qtbot: QtBot, tmp_path: Path, demo_hall: Hall
) -> None:
    window = open_window(qtbot, laptop(tmp_path, demo_hall, Clocks()))
    log_in(window, 0)
    editor = _new_case(window)
    _type_resident(editor)
    editor.send_button.click()
    assert "委托人的确认" in editor.message.text()  # no consent yet: refused, saying what is missing

    auth = editor.authorization
    auth.pad.add_stroke([QPointF(10, 10), QPointF(80, 40), QPointF(140, 20)])
    auth.grantee_id.setFocus()
    auth.grantee_id.setText(demo_id_number(99, born=1980))
    auth.grantee_phone.setFocus()
    auth.grantee_phone.setText("13800000099")
    editor.service_box.setFocus()
    editor.send_button.click()
    assert fields_error(editor) != ""  # the matter's own questions are still empty

    fields = editor.fields
    assert fields is not None
    address = fields.widget("address")
    assert isinstance(address, QLineEdit)
    address.setText("河北省保定市某县城关镇幸福村3组12号")
    payout = fields.widget("payout")
    assert isinstance(payout, QComboBox)
    payout.setCurrentIndex(payout.findData("sscard"))
    alone = fields.widget("lives_alone")
    assert isinstance(alone, QComboBox)
    alone.setCurrentIndex(alone.findData("yes"))
    pad = fields.widget("signature")
    assert isinstance(pad, SignaturePad)
    pad.add_stroke([QPointF(5, 5), QPointF(60, 30)])
    editor.send_button.click()
    slip = window.page
    assert isinstance(slip, SlipView), editor.message.text()
    lines = {line.label: line.value for line in slip.slip.lines}
    assert lines["临时编号"]
    assert lines["办事人"].startswith("张*兰")
    assert "张桂兰" not in slip.slip.text()
    assert "李*办" in lines["委托"] and "屏幕签名" in lines["委托"]
    pdf = slip.save_pdf()
    assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF")
    slip.done_button.click()
    assert window.book is not None
    assert [row.state_label for row in window.case_list.model.rows()] == ["待发送"]


def fields_error(editor: CaseEditor) -> str:
    return editor.message.text() if "还不能发送" in editor.message.text() else ""


def test_the_idle_lock_warns_keeps_the_case_and_reopens_it_after_login(
    qtbot: QtBot, tmp_path: Path, demo_hall: Hall
) -> None:
    clocks = Clocks()
    desk = laptop(tmp_path, demo_hall, clocks)
    window = open_window(qtbot, desk)
    log_in(window, 0)
    editor = _new_case(window)
    _type_resident(editor)
    editor.authorization.pad.add_stroke([QPointF(10, 10), QPointF(80, 40)])

    clocks.seconds += desk.idle.lock_after - desk.idle.warn_before + 1
    window.tick()
    assert window.warning.isVisible()
    assert "正在办理的案件会保留" in window.warning_label.text()
    clocks.seconds += desk.idle.warn_before
    window.tick()
    assert window.session is None
    assert window.stack.currentWidget() is window.login_screen
    assert window.login_screen.notice.text() == LOCK_NOTICE
    assert window.login_screen.staff_no.text() == "A001"
    # Kept, sealed: nothing of the resident readable in the laptop's files.
    for path in desk.cases_root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert "张桂兰".encode() not in data
            assert demo_id_number(7).encode() not in data

    log_in(window, 0)
    settle()
    reopened = window.page
    assert isinstance(reopened, CaseEditor)
    assert reopened.service_box.currentData() == "GLJT-01"
    assert reopened.resident.name.value() == "张桂兰"
    assert reopened.resident.name.text() == "张*兰"  # masked while not being typed
    assert reopened.authorization.pad.has_signature()  # the 委托's signature, taken before the lock, is still there


def test_after_the_lock_another_member_sees_none_of_the_case_left_open(
    qtbot: QtBot, tmp_path: Path, demo_hall: Hall
) -> None:
    clocks = Clocks()
    desk = laptop(tmp_path, demo_hall, clocks)
    window = open_window(qtbot, desk)
    log_in(window, 0)
    editor = _new_case(window)
    _type_resident(editor)
    window.lock()  # 锁定屏幕
    assert window.session is None

    log_in(window, 1)
    settle()
    assert window.stack.currentWidget() is window.case_list
    assert not isinstance(window.stack.currentWidget(), CaseEditor)
    assert window.case_list.model.rowCount() == 0
    window.case_list.logout_button.click()

    log_in(window, 0)  # A again: the draft comes back from A's vault
    settle()
    reopened = window.page
    assert isinstance(reopened, CaseEditor)
    assert reopened.resident.name.value() == "张桂兰"


def test_typing_keeps_the_lock_away(qtbot: QtBot, tmp_path: Path, demo_hall: Hall) -> None:
    clocks = Clocks()
    desk = laptop(tmp_path, demo_hall, clocks)
    window = open_window(qtbot, desk)
    log_in(window, 0)
    editor = _new_case(window)
    for _ in range(3):
        clocks.seconds += desk.idle.lock_after - 5
        qtbot.keyClicks(editor.resident.phone, "1")  # type: ignore[no-untyped-call]
        window.tick()
        assert window.session is not None
        assert not window.warning.isVisible()


def test_the_sync_button_shows_progress_and_its_outcome(qtbot: QtBot, tmp_path: Path, demo_hall: Hall) -> None:
    window = open_window(qtbot, laptop(tmp_path, demo_hall, Clocks()))
    log_in(window, 0)
    screen = window.case_list
    screen.sync_button.click()
    assert screen.progress.isVisible()
    assert not screen.sync_button.isEnabled()
    assert screen.sync_button.text() == "正在同步…"
    qtbot.waitUntil(screen.sync_button.isEnabled, timeout=30_000)
    assert not screen.progress.isVisible()
    assert screen.sync_counts.text()  # what happened, in words: sent and updated counts, or why not
    assert screen.unsynced_label.text()
    assert window.sync is not None
    window.sync.wait(10)


def test_tab_walks_the_form_from_the_resident_to_the_matter_then_the_buttons(
    qtbot: QtBot, tmp_path: Path, demo_hall: Hall
) -> None:
    window = open_window(qtbot, laptop(tmp_path, demo_hall, Clocks()))
    log_in(window, 0)
    editor = _new_case(window)
    fields = editor.fields
    assert fields is not None
    order: list[QWidget] = [editor.resident.name]
    while len(order) < 60 and order[-1] is not editor.send_button:
        following = order[-1].nextInFocusChain()
        assert following is not None
        order.append(following)
    names = [w.objectName() or w.accessibleName() for w in order]
    assert names.index("resident-id") < names.index("grantee-id") < names.index("户籍地址")
    assert names.index("户籍地址") < names.index("save-draft") < names.index("save-and-send")


def test_hand_back_needs_the_resident_signature_and_is_kept_with_the_case(
    qtbot: QtBot, tmp_path: Path, demo_hall: Hall
) -> None:
    desk = replace(laptop(tmp_path, demo_hall, Clocks()), send_event=None)  # kept on the laptop, not sent here
    window = open_window(qtbot, desk)
    log_in(window, 0)
    assert window.book is not None
    fill_cases(window.book, desk.catalog, desk.clock())
    concluded = next(c for c in window.book.cases() if c.state == "concluded")
    drafts = [c for c in window.book.cases() if c.state == "draft"]
    window.show_list()
    window.case_list.select_case(drafts[0].case_id)
    assert not window.case_list.hand_back_button.isEnabled()  # nothing to hand back before the department acted
    window.case_list.select_case(concluded.case_id)
    window.case_list.hand_back_button.click()
    form = window.page
    assert isinstance(form, EventForm)
    form.note.setPlainText("交回高龄津贴核定通知书一份")
    form.findChild(QPushButton, "event-save").click()  # type: ignore[union-attr]
    assert "签收" in form.error.text()
    form.pad.add_stroke([QPointF(10, 10), QPointF(90, 40)])
    form.findChild(QPushButton, "event-save").click()  # type: ignore[union-attr]
    assert window.stack.currentWidget() is window.case_list
    events = window.book.case(concluded.case_id).events
    assert [(e.kind, e.note) for e in events] == [("handed_back", "交回高龄津贴核定通知书一份")]
    assert events[0].attachments and events[0].attachments[0].role == "signature"
