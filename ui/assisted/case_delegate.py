"""How a cell of the case list is painted: the text laid out once and kept, not at every paint.

Qt's own delegate lays out and elides each cell's text on every paint; on the staff laptop that is most of a
filter's time over thousands of cases (docs/performance.md, "Assisted client's case list"). This one keeps
each visible cell's text as a :class:`QStaticText`, elided to the column's width, for the listed case it
belongs to, and draws it where Qt's delegate draws it (left, centred in the row, the style's text margin): the
pixels are the same. A selected or focused cell, or a disabled table, is left to Qt's delegate, so the
selection and the keyboard focus look exactly as everywhere else.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPointF, Qt
from PySide6.QtGui import QPainter, QPalette, QStaticText
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from kiosk.assisted.case_listing import ListedCase
from ui.assisted.case_model import CaseTableModel

_Index = QModelIndex | QPersistentModelIndex
#: Texts kept at most (a few screenfuls of seven columns); past it, the kept texts are dropped and made again.
KEPT_TEXTS = 3000
# The state flags as plain numbers: testing Python enum flags costs more than painting the cell's text.
_LEFT_TO_QT = (QStyle.StateFlag.State_Selected | QStyle.StateFlag.State_HasFocus).value
_ENABLED = QStyle.StateFlag.State_Enabled.value
_WINDOW_ACTIVE = QStyle.StateFlag.State_Active.value
_ELIDE = Qt.TextElideMode.ElideRight
_ACTIVE = QPalette.ColorGroup.Active
_INACTIVE = QPalette.ColorGroup.Inactive
_TEXT = QPalette.ColorRole.Text


class CaseCellDelegate(QStyledItemDelegate):
    """Paints the cells of a :class:`ui.assisted.case_model.CaseTableModel` shown in ``view``."""

    def __init__(self, model: CaseTableModel, view: QWidget) -> None:
        super().__init__(view)
        self._model = model
        self._view = view
        self._margin = -1
        self._texts: dict[tuple[ListedCase, int, int], QStaticText] = {}

    def forget(self) -> None:
        """Drop the kept texts (another staff member's book is coming, or the look changed)."""
        self._texts.clear()
        self._margin = -1

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        state = option.state.value
        if state & _LEFT_TO_QT or not state & _ENABLED:
            super().paint(painter, option, index)
            return
        number = index.row()
        column = index.column()
        line = self._model.line(number)
        if line is None:
            return
        listed, cells, brush = line
        rect = option.rect
        if brush is not None:
            painter.fillRect(rect, brush)
        if self._margin < 0:  # asked once the style sheet is in force
            # Qt's delegate leaves this much space left and right of a cell's text (QCommonStyle's text margin).
            view = self._view
            self._margin = view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1
        width = rect.width() - 2 * self._margin
        key = (listed, column, width)
        text = self._texts.get(key)
        if text is None:
            if len(self._texts) >= KEPT_TEXTS:
                self._texts.clear()
            metrics = option.fontMetrics
            text = QStaticText(metrics.elidedText(cells[column], _ELIDE, width))
            text.setTextFormat(Qt.TextFormat.PlainText)
            text.prepare(painter.transform(), option.font)
            self._texts[key] = text
        group = _ACTIVE if state & _WINDOW_ACTIVE else _INACTIVE
        painter.setPen(option.palette.color(group, _TEXT))
        top = rect.y() + (rect.height() - text.size().height()) / 2
        painter.drawStaticText(QPointF(rect.x() + self._margin, top), text)
