"""The case list as a Qt table model: the cases the book lists (worst first, masked), nothing more.

The book sorts and filters (``CaseBook.listing(CaseFilter)``, from memory, each case's sort key and search text
made once); the model only swaps its list of listed cases in one reset. A row's text is made when the view first
paints it (``data()``) and kept with the listed case it belongs to, so opening the list over 5,000 cases makes
the text of the rows on screen, and a repaint asks Python for little more than a tuple lookup
(``bench/caselist.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from kiosk.assisted.case_listing import ListedCase
from kiosk.assisted.cases import CaseRow

_Index = QModelIndex | QPersistentModelIndex

COLUMNS = ("案件编号", "办事人", "办理事项", "状态", "办理方式", "更新时间", "说明")
#: What to do about a case that needs the staff member's hands, by the state it is in.
WHAT_TO_DO = {
    "quarantined": "平台未收下此件：按原因更正后按“修改后重新提交”，或联系中心平台管理员",
    "suspended": "办理中止：请按部门要求补齐材料，再联系办事人",
    "draft": "草稿未保存发送：打开后补全并“保存并发送”",
}
_STATE_COLOURS = {"quarantined": "#FBE4E4", "suspended": "#FDF3C8", "draft": "#EEF2F7"}
_BRUSHES: dict[str, QBrush] = {}
# The roles as plain numbers: a paint asks data() about seven roles of every visible cell.
_DISPLAY = Qt.ItemDataRole.DisplayRole.value
_TOOLTIP = Qt.ItemDataRole.ToolTipRole.value
_BACKGROUND = Qt.ItemDataRole.BackgroundRole.value
_HORIZONTAL = Qt.Orientation.Horizontal
#: A line of the list: the listed case, its cells' text in :data:`COLUMNS`' order, its background (or none).
Line = tuple[ListedCase, tuple[str, ...], QBrush | None]


def _brush(state: str) -> QBrush | None:
    if state not in _STATE_COLOURS:
        return None
    if state not in _BRUSHES:  # made once per state
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


def row_cells(row: CaseRow) -> tuple[str, ...]:
    """The text of one line, in :data:`COLUMNS`' order."""
    return (
        row.case_ref,
        row.resident_masked,
        row.service_title,
        row.state_label,
        row.mode_label,
        short_time(row.updated_at),
        what_to_do(row),
    )


class CaseTableModel(QAbstractTableModel):
    """The listed cases (:class:`kiosk.assisted.case_listing.ListedCase`), shown in :data:`COLUMNS`."""

    def __init__(self) -> None:
        super().__init__()
        self._listed: list[ListedCase] = []
        #: A painted line's cells and background by case, made for the listed case they belong to: a case
        #: that changed is listed anew, and its line made again the next time it is painted.
        self._cells: dict[str, Line] = {}

    def set_listed(self, listed: Sequence[ListedCase]) -> None:
        self.beginResetModel()
        self._listed = list(listed)
        self.endResetModel()

    def forget(self) -> None:
        """No lines and no kept text (another staff member's book is coming)."""
        self.set_listed([])
        self._cells.clear()

    def listed_at(self, row: int) -> ListedCase | None:
        return self._listed[row] if 0 <= row < len(self._listed) else None

    def row_at(self, row: int) -> CaseRow | None:
        listed = self.listed_at(row)
        return listed.row if listed is not None else None

    def row_of(self, case_id: str) -> int:
        """The line showing ``case_id``, or -1."""
        return next((number for number, listed in enumerate(self._listed) if listed.case_id == case_id), -1)

    def rows(self) -> list[CaseRow]:
        """Every line's row (makes them all: for tests and small lists)."""
        return [listed.row for listed in self._listed]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt's own default)
        return 0 if parent.isValid() else len(self._listed)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> object:
        if role == _DISPLAY and orientation == _HORIZONTAL:
            return COLUMNS[section]
        return None

    def line(self, number: int) -> Line | None:
        """Line ``number``: its listed case, cells and background, made the first time it is asked for."""
        if not 0 <= number < len(self._listed):
            return None
        listed = self._listed[number]
        line = self._cells.get(listed.case_id)
        if line is None or line[0] is not listed:
            row = listed.row
            line = (listed, row_cells(row), _brush(row.state))
            self._cells[listed.case_id] = line
        return line

    def data(self, index: _Index, role: int = _DISPLAY) -> object:
        if role != _DISPLAY and role != _TOOLTIP and role != _BACKGROUND:  # noqa: PLR1714 (ints: the fast test)
            return None
        line = self.line(index.row())
        if line is None:
            return None
        if role == _BACKGROUND:
            return line[2]
        return line[1][index.column()]
