"""The writing pad (手写板): a square with a 田字格 guide, written on with a finger.

Each stroke is kept as the points the finger passed through, in the pad's own pixels; after each stroke the
pad emits ``strokes_changed`` with every stroke so far, and the keyboard asks the recogniser what character
they could be. When there is no recogniser (the model is not installed) the pad says so in words and takes
no strokes; the keyboard's other keys still work.
"""

from __future__ import annotations

import itertools

from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from accessibility.themes import Theme
from kiosk.visit.ports import Strokes

#: Points closer than this to the last one are not kept (a resting finger jitters).
MIN_STEP_PX = 3


class HandwritingPad(QWidget):
    """A square pad of ``side`` pixels. ``strokes()`` is what was written; ``clear()`` and ``undo()`` edit it."""

    strokes_changed = Signal()

    def __init__(self, theme: Theme, side: int, *, message: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.theme = theme
        self.setObjectName("handwriting-pad")
        self.setFixedSize(side, side)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        #: Shown inside the pad instead of taking strokes (no recogniser on this terminal).
        self.message = message
        self.setProperty("touchTarget", not message)
        self.setAccessibleName(message or "手写板")
        self._strokes: list[list[tuple[int, int]]] = []

    def strokes(self) -> Strokes:
        return tuple(tuple(stroke) for stroke in self._strokes if stroke)

    def clear(self) -> bool:
        had = bool(self._strokes)
        self._strokes = []
        self.update()
        return had

    def undo(self) -> bool:
        """Take the last stroke away; False when there was none."""
        if not self._strokes:
            return False
        self._strokes.pop()
        self.update()
        self.strokes_changed.emit()
        return True

    # -- the finger -------------------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if self.message:
            return
        self._strokes.append([self._point(event)])
        self.update()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self.message or not self._strokes:
            return
        point, last = self._point(event), self._strokes[-1][-1]
        if abs(point[0] - last[0]) + abs(point[1] - last[1]) >= MIN_STEP_PX:
            self._strokes[-1].append(point)
            self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self.message or not self._strokes:
            return
        self.mouseMoveEvent(event)
        self.strokes_changed.emit()

    def _point(self, event: QMouseEvent) -> tuple[int, int]:
        pos = event.position()
        return (min(max(0, round(pos.x())), self.width() - 1), min(max(0, round(pos.y())), self.height() - 1))

    # -- drawing ----------------------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        t, p = self.theme, self.theme.palette
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), Qt.GlobalColor.white if t.name != "high_contrast" else Qt.GlobalColor.black)
        frame = QPen(QColor(p.border))
        frame.setWidth(t.border_px)
        painter.setPen(frame)
        half = t.border_px // 2
        painter.drawRect(self.rect().adjusted(half, half, -half - 1, -half - 1))
        guide = QPen(QColor(p.muted_text))
        guide.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(guide)
        w, h = self.width(), self.height()
        painter.drawLine(w // 2, 0, w // 2, h)
        painter.drawLine(0, h // 2, w, h // 2)
        if self.message:
            font = painter.font()
            font.setPixelSize(t.body_px)
            painter.setFont(font)
            painter.setPen(QPen(QColor(p.text)))
            flags = Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap
            painter.drawText(self.rect().adjusted(24, 24, -24, -24), int(flags.value), self.message)
            return
        ink = QPen(Qt.GlobalColor.black if t.name != "high_contrast" else Qt.GlobalColor.white)
        ink.setWidth(max(6, w // 60))
        ink.setCapStyle(Qt.PenCapStyle.RoundCap)
        ink.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter.setPen(ink)
        for stroke in self._strokes:
            for a, b in itertools.pairwise(stroke):
                painter.drawLine(QPointF(*a), QPointF(*b))
            if len(stroke) == 1:
                painter.drawPoint(QPointF(*stroke[0]))
