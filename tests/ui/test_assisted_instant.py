"""Queries (代为查询) and queue numbers (代为取号) handled for a resident: the answer on the staff member's screen
and on the slip, under the same 委托 rules as a case; offline, the query says so; a laptop without the hall's
services shows them greyed, with the reason."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import QComboBox, QLineEdit
from pytestqt.qtbot import QtBot

from kiosk.assisted.instant import OFFLINE_QUERY
from tests.ui.assisted_client_support import log_in, open_window
from tests.ui.assisted_village_laptop import village_laptop
from ui.assisted.case_editor import CaseEditor
from ui.assisted.instant_matter import NO_INSTANT, InstantSlipView
from ui.assisted.showcase import demo_id_number
from ui.assisted.window import AssistedWindow


def _editor(window: AssistedWindow, service: str) -> CaseEditor:
    log_in(window, 0)
    window.case_list.new_button.click()
    editor = window.page
    assert isinstance(editor, CaseEditor)
    editor.choose_service(service)
    form = editor.resident
    form.name.set_value("王秀英")
    form.id_number.set_value(demo_id_number(1))
    form.phone.set_value("13900000001")
    form.resident_did_change.emit()
    return editor


def _authorize(editor: CaseEditor) -> None:
    auth = editor.authorization
    auth.pad.add_stroke([QPointF(10, 10), QPointF(80, 40), QPointF(140, 20)])
    auth.grantee_id.set_value(demo_id_number(99, born=1980))
    auth.grantee_phone.set_value("13800000099")


def _values(view: InstantSlipView) -> dict[str, str]:
    return {line.label: line.value for line in view.slip.lines}


def test_a_query_for_the_resident_shows_its_answer_and_puts_it_on_the_slip(qtbot: QtBot, tmp_path: Path) -> None:
    with village_laptop(tmp_path, hall_services=True) as start:
        window = open_window(qtbot, start())
        editor = _editor(window, "YBCX-05")
        assert editor.send_button.text() == "代为查询"
        assert not editor.draft_button.isEnabled()  # answered now: nothing to keep for later
        editor.send_button.click()
        assert "委托人的确认" in editor.message.text()  # 全程代办 without consent: refused, as for a case
        _authorize(editor)
        fields = editor.fields
        assert fields is not None
        year = fields.widget("year")
        assert isinstance(year, QLineEdit)
        year.setText("2025")
        editor.send_button.click()
        qtbot.waitUntil(lambda: isinstance(window.page, InstantSlipView), timeout=10_000)
        view = window.page
        assert isinstance(view, InstantSlipView)
        lines = _values(view)
        assert view.slip.title == "帮办代办查询结果"
        assert lines["查询年份"] == "2025"
        assert lines["查询编号"].startswith("CX")
        assert lines["办事人"].startswith("王*英")
        assert "王秀英" not in view.slip.text() and demo_id_number(1) not in view.slip.text()
        assert "屏幕签名" in lines["委托"]
        assert "李代办" in lines["帮办代办员"]
        assert view.save_pdf().read_bytes().startswith(b"%PDF")
        view.done_button.click()
        assert window.case_list.model.rowCount() == 0  # a query is not a case to send


def test_a_ticket_is_taken_for_a_resident_who_is_there(qtbot: QtBot, tmp_path: Path) -> None:
    with village_laptop(tmp_path, hall_services=True) as start:
        window = open_window(qtbot, start())
        editor = _editor(window, "PDQH-06")
        assert editor.send_button.text() == "代为取号"
        editor.partial.setChecked(True)  # 环节帮办: the resident is at the desk, no 委托 needed
        editor.authorization.not_needed.setChecked(True)
        fields = editor.fields
        assert fields is not None
        counter = fields.widget("counter")
        assert isinstance(counter, QComboBox)
        counter.setCurrentIndex(counter.findData("B"))
        editor.send_button.click()
        qtbot.waitUntil(lambda: isinstance(window.page, InstantSlipView), timeout=10_000)
        view = window.page
        assert isinstance(view, InstantSlipView)
        lines = _values(view)
        assert lines["排队号码"].startswith("B")
        assert lines["前面等候"].endswith("人")
        assert "本人在场" in lines["委托"]
        assert view.slip.qr_text == f"排队号码:{lines['排队号码']}"


def test_offline_the_query_says_so_and_keeps_the_form(qtbot: QtBot, tmp_path: Path) -> None:
    with village_laptop(tmp_path, hall_services=True, online=False) as start:
        window = open_window(qtbot, start())
        editor = _editor(window, "YBCX-05")
        _authorize(editor)
        fields = editor.fields
        assert fields is not None
        year = fields.widget("year")
        assert isinstance(year, QLineEdit)
        year.setText("2025")
        editor.send_button.click()
        qtbot.waitUntil(lambda: editor.message.text() == OFFLINE_QUERY, timeout=10_000)
        assert window.page is editor
        assert editor.send_button.isEnabled()  # try again once the network is back


def test_without_the_hall_services_queries_and_tickets_are_greyed_with_the_reason(
    qtbot: QtBot, tmp_path: Path
) -> None:
    with village_laptop(tmp_path) as start:
        window = open_window(qtbot, start())
        log_in(window, 0)
        window.case_list.new_button.click()
        editor = window.page
        assert isinstance(editor, CaseEditor)
        model = editor.service_box.model()
        assert isinstance(model, QStandardItemModel)
        for code in ("SBZM-03", "YBCX-05", "PDQH-06"):
            item = model.item(editor.service_box.findData(code))
            assert item is not None
            assert not item.isEnabled()
            assert "不可代办" in item.text()
            assert item.data(Qt.ItemDataRole.ToolTipRole) == NO_INSTANT
        case_item = model.item(editor.service_box.findData("GLJT-01"))
        assert case_item is not None and case_item.isEnabled()
