"""Two actions beside the case list's buttons: 导出到U盘 (this member's unsent cases to a drive, when the village
has had no network for days) and 修改后重新提交 (a 需处理 case made again as a draft, to correct and send).

The export asks for a folder (the drive) and writes into a folder of its own there, named by the staff number
and the time, exactly what ``kiosk queue export`` writes, but only this member's cases
(:func:`kiosk.hall.assisted_export.export_member_cases`), then says how many went where. Tests set the folder
instead of clicking through the dialog (:attr:`CaseActions.choose_folder`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QItemSelection, QObject, Signal
from PySide6.QtWidgets import QBoxLayout, QFileDialog, QHBoxLayout, QLabel, QPushButton, QWidget

from kiosk.assisted.cases import CaseBook
from offline_cache.models import OutboxError
from ui.assisted.case_list import CaseListScreen
from ui.assisted.desk import AssistedDesk

#: What has not reached the platform and is in the outbox (a draft is not: it was never saved to be sent).
_EXPORTABLE = frozenset({"queued", "sending"})


def _dialog_folder(parent: QWidget) -> Callable[[], Path | None]:
    def choose() -> Path | None:
        chosen = QFileDialog.getExistingDirectory(parent, "选择U盘（导出到哪个文件夹）")
        return Path(chosen) if chosen else None

    return choose


class CaseActions(QObject):
    """The export and redo buttons, placed in the case list's row of actions (right-hand end)."""

    redo_requested = Signal(str)
    #: An export finished: (how many cases, the folder), for whoever shows it.
    export_did_finish = Signal(int, str)

    def __init__(self, screen: CaseListScreen, desk: AssistedDesk) -> None:
        super().__init__(screen)
        self.screen = screen
        self.desk = desk
        self.book: CaseBook | None = None
        #: Asks for the folder to export to; ``None`` when the staff member cancels.
        self.choose_folder: Callable[[], Path | None] = _dialog_folder(screen)
        self.redo_button = QPushButton("修改后重新提交")
        self.redo_button.setObjectName("redo-case")
        self.redo_button.setToolTip("选中一件“需处理”的案件：按原案件建立新草稿（委托、签名和材料沿用），更正后再发送")
        self.export_button = QPushButton("导出到U盘")
        self.export_button.setObjectName("export-to-drive")
        self.export_button.setEnabled(desk.export_cases is not None)
        self.export_button.setToolTip(
            "把本人未送达平台的案件（已保存发送的）加密导出到U盘，由大厅导入平台"
            if desk.export_cases is not None
            else "本机未接通发件箱，不能导出"
        )
        self.note = QLabel("")
        self.note.setObjectName("export-note")
        self.note.setWordWrap(True)
        self._place()
        screen.table.selectionModel().selectionChanged.connect(self._selected)
        screen.model.modelReset.connect(self._selected)
        self.redo_button.clicked.connect(self._redo)
        self.export_button.clicked.connect(self.export)
        self._selected()

    def _place(self) -> None:
        """At the end of the row that holds 新建案件; a row of their own under the list if there is none."""
        outer = self.screen.layout()
        assert isinstance(outer, QBoxLayout)
        row: QBoxLayout | None = None
        for index in range(outer.count()):
            item = outer.itemAt(index)
            inner = item.layout() if item is not None else None
            if isinstance(inner, QBoxLayout) and inner.indexOf(self.screen.new_button) >= 0:
                row = inner
        if row is None:
            row = QHBoxLayout()
            outer.addLayout(row)
        row.addWidget(self.redo_button)
        row.addWidget(self.export_button)
        outer.addWidget(self.note)

    def show_book(self, book: CaseBook | None) -> None:
        self.book = book
        if book is None:
            self.note.setText("")
        self._selected()

    def _selected(self, *_: QItemSelection) -> None:
        case_id = self.screen.selected_case_id()
        state = None
        if case_id is not None and self.book is not None:
            state = self.book.case(case_id).state
        self.redo_button.setEnabled(state == "quarantined")

    def _redo(self) -> None:
        case_id = self.screen.selected_case_id()
        if case_id is not None:
            self.redo_requested.emit(case_id)

    def _say(self, text: str, role: str) -> None:
        self.note.setText(text)
        self.note.setProperty("role", role)
        self.note.style().unpolish(self.note)
        self.note.style().polish(self.note)

    def export(self) -> Path | None:
        """导出到U盘: ask for the drive, write this member's unsent cases there, say how many and where."""
        book, export = self.book, self.desk.export_cases
        if book is None or export is None:
            return None
        unsent = [c for c in book.cases() if c.state in _EXPORTABLE]
        drafts = sum(1 for c in book.cases() if c.state == "draft")
        left = f"；{drafts} 件草稿未保存发送，不在其中" if drafts else ""
        if not unsent:
            self._say(f"没有待发送的案件，不需要导出{left}", "ok")
            return None
        chosen = self.choose_folder()
        if chosen is None:
            self._say("已取消导出", "muted")
            return None
        now = self.desk.clock()
        folder = chosen / f"帮办代办导出-{book.staff_no}-{now:%Y%m%d-%H%M%S}"
        try:
            result = export(book, folder, now)
        except OutboxError as exc:
            self._say(str(exc), "error")
            return None
        self._say(
            f"已导出 {result.submissions} 件到 {result.folder}（已加密，只有中心平台能打开）。"
            f"请把U盘交大厅导入平台；导入回执前案件仍显示待发送{left}",
            "ok",
        )
        self.screen.show_health(book.health(now), now)
        self.export_did_finish.emit(result.submissions, str(result.folder))
        return result.folder
