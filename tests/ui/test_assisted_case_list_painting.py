"""The case list paints fast without looking any different: its cells are the very pixels Qt's own delegate
paints, a changed case is never shown with its old text, another staff member's lines are not kept, and a
filter paints the table once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QStyledItemDelegate, QWidget
from pytestqt.qtbot import QtBot

from kiosk.assisted.cases import CaseBook, CaseFilter
from kiosk.assisted.limits import CaseLimits
from kiosk.assisted.vault import Vault, new_data_key
from kiosk.hall.catalog_store import bundled_catalog
from ui.assisted.case_list import STATE_FILTERS, CaseListScreen
from ui.assisted.showcase import DEMO_NOW, fill_cases
from ui.assisted.style import desk_style_sheet

LIMITS = CaseLimits(warn_unsent=10_000, refuse_unsent=10_000, warn_days=10_000, refuse_days=10_000)


def _book(folder: Path, staff_no: str, count: int) -> CaseBook:
    book = CaseBook(Vault(folder / staff_no, new_data_key()), staff_no, LIMITS)
    fill_cases(book, bundled_catalog(), DEMO_NOW, count)
    return book


@pytest.fixture
def screen(qtbot: QtBot) -> CaseListScreen:
    screen = CaseListScreen()
    qtbot.addWidget(screen)
    screen.setStyleSheet(desk_style_sheet())
    screen.resize(1366, 768)
    screen.show()
    qtbot.waitExposed(screen)
    return screen


class _Paints(QObject):
    """Counts paint events: of any widget, and of the table's viewport."""

    def __init__(self, viewport: QWidget | None = None) -> None:
        super().__init__()
        self.viewport = viewport
        self.table = 0
        self.any = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.any += 1
            self.table += watched is self.viewport
        return False


def _settle() -> None:
    """Run the event loop until a pass of it paints nothing more."""
    app = QApplication.instance()
    assert app is not None
    watch = _Paints()
    app.installEventFilter(watch)
    try:
        for _ in range(50):
            before = watch.any
            QApplication.processEvents()
            if watch.any == before:
                return
    finally:
        app.removeEventFilter(watch)


def _painted(screen: CaseListScreen) -> QImage:
    _settle()
    return screen.table.grab().toImage()


def _as_qt_paints_it(screen: CaseListScreen) -> QImage:
    """The same table painted by Qt's own delegate, then ours put back."""
    qt = QStyledItemDelegate(screen.table)
    screen.table.setItemDelegate(qt)
    image = _painted(screen)
    screen.table.setItemDelegate(screen.cells)
    return image


def test_the_cells_are_the_pixels_qts_own_delegate_paints(screen: CaseListScreen, tmp_path: Path) -> None:
    screen.show_book(_book(tmp_path, "A001", 60), "李代办（代办员，工号 A001）")
    assert _painted(screen) == _as_qt_paints_it(screen)  # 需处理 / 中止 / 草稿 rows coloured, long 说明 elided
    screen.table.selectRow(3)
    assert _painted(screen) == _as_qt_paints_it(screen)
    screen.table.setFocus()
    screen.table.setCurrentIndex(screen.model.index(5, 2))  # the keyboard's cell shows its focus frame
    assert _painted(screen) == _as_qt_paints_it(screen)
    screen.table.verticalScrollBar().setValue(17)
    assert _painted(screen) == _as_qt_paints_it(screen)


def test_a_changed_case_is_shown_as_it_is_now_and_another_members_list_keeps_nothing_of_the_first(
    screen: CaseListScreen, tmp_path: Path
) -> None:
    book = _book(tmp_path, "A001", 40)
    screen.show_book(book, "李代办")
    screen.search.setText("待发送")
    queued = screen.model.row_at(0)
    assert queued is not None
    before = _painted(screen)
    book.record_delivery(queued.case_id, "delivered", DEMO_NOW + timedelta(minutes=5), case_no="CG2026112599")
    screen.search.setText("")
    screen.apply_filter()  # as after a sync
    screen.search.setText("CG2026112599")
    assert [row.state_label for row in screen.model.rows()] == ["已送达（CG2026112599）"]
    after = _painted(screen)
    assert after != before
    assert after == _as_qt_paints_it(screen)

    other = _book(tmp_path, "A002", 3)
    screen.search.setText("")
    screen.show_book(other, "王帮办")
    assert {row.case_id for row in screen.model.rows()} == {case.case_id for case in other.cases()}
    assert _painted(screen) == _as_qt_paints_it(screen)


def test_a_filter_paints_the_table_once(screen: CaseListScreen, tmp_path: Path) -> None:
    book = _book(tmp_path, "A001", 300)
    screen.show_book(book, "李代办")
    _settle()
    app = QApplication.instance()
    assert app is not None
    labels = [label for label, _, _ in STATE_FILTERS]
    changes: list[Callable[[], object]] = [
        lambda: screen.search.setText("张*兰"),
        lambda: screen.search.setText("没有这个"),  # nothing: the scroll bar stays, the columns do not move
        lambda: screen.search.setText(""),
        lambda: screen.state_filter.setCurrentIndex(labels.index("草稿")),
        lambda: screen.state_filter.setCurrentIndex(0),
    ]
    widths = [screen.table.columnWidth(column) for column in range(7)]
    for change in changes:
        paints = _Paints(screen.table.viewport())
        app.installEventFilter(paints)
        try:
            change()
            _settle()
        finally:
            app.removeEventFilter(paints)
        assert paints.table == 1
        assert [screen.table.columnWidth(column) for column in range(7)] == widths
    assert screen.count_label.text() == f"{len(book.rows(CaseFilter()))} / {len(book)} 件"
