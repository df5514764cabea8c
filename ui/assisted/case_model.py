"""The case list as a Qt table model: the rows the case book gives (worst first, masked), nothing more.

The book sorts and filters (``CaseBook.rows(CaseFilter)``, from memory); the model only swaps the rows in one
reset, so opening the list or changing a filter over thousands of cases costs one pass (``bench/caselist.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from kiosk.assisted.cases import CaseRow

_Index = QModelIndex | QPersistentModelIndex

COLUMNS = ("案件编号", "办事人", "办理事项", "状态", "办理方式", "更新时间", "说明")
#: What to do about a case that needs the staff member's hands, by the state it is in.
WHAT_TO_DO = {
    "quarantined": "平台未收下此件：按原因更正后新建案件，或联系中心平台管理员",
    "suspended": "办理中止：请按部门要求补齐材料，再联系办事人",
    "draft": "草稿未保存发送：打开后补全并“保存并发送”",
}
_STATE_COLOURS = {"quarantined": "#FBE4E4", "suspended": "#FDF3C8", "draft": "#EEF2F7"}
_BRUSHES: dict[str, QBrush] = {}


def _brush(state: str) -> QBrush:
    if state not in _BRUSHES:  # made once: a paint asks for every visible cell
        _BRUSHES[state] = QBrush(QColor(_STATE_COLOURS[state]))
    return _BRUSHES[state]


def what_to_do(row: CaseRow) -> str:
    """The 说明 of a row: the reason (when there is one) and what to do next."""
    advice = WHAT_TO_DO.get(row.state, "")
    if row.reason and advice:
        return f"{row.reason}。{advice}"
    return row.reason or advice


def short_time(stamp: str) -> str:
    try:
        return datetime.fromisoformat(stamp).strftime("%m-%d %H:%M")
    except ValueError:
        return stamp


class CaseTableModel(QAbstractTableModel):
    """Rows of :class:`kiosk.assisted.cases.CaseRow`, shown in :data:`COLUMNS`."""

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[CaseRow] = []

    def set_rows(self, rows: Sequence[CaseRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> CaseRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rows(self) -> list[CaseRow]:
        return list(self._rows)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt's own default)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._text(row, index.column())
        if role == Qt.ItemDataRole.BackgroundRole and row.state in _STATE_COLOURS:
            return _brush(row.state)
        return None

    @staticmethod
    def _text(row: CaseRow, column: int) -> str:
        values = (
            row.case_ref,
            row.resident_masked,
            row.service_title,
            row.state_label,
            row.mode_label,
        )
        if column < len(values):
            return values[column]
        return short_time(row.updated_at) if column == len(values) else what_to_do(row)
