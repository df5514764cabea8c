"""A signature pad: the person writes with a finger; the strokes become a PNG for the record."""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from accessibility.themes import Theme


class SignaturePad(QWidget):
    signature_did_change = Signal(bool)

    def __init__(self, theme: Theme) -> None:
        super().__init__()
        self._theme = theme
        self._paths: list[QPainterPath] = []
        self.setObjectName("signature-pad")
        self.setMinimumHeight(theme.target_px * 3)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAttribute(Qt.WidgetAttribute.WA_StaticContents)

    def has_signature(self) -> bool:
        return any(path.elementCount() > 1 for path in self._paths)

    def strokes(self) -> list[list[tuple[float, float]]]:
        """The strokes as drawn, each a list of points: what :meth:`add_stroke` takes back (a form kept
        through a restart draws them again)."""
        return [
            [(path.elementAt(i).x, path.elementAt(i).y) for i in range(path.elementCount())]
            for path in self._paths
            if path.elementCount()
        ]

    def clear(self) -> None:
        self._paths.clear()
        self.update()
        self.signature_did_change.emit(False)

    def add_stroke(self, points: list[QPointF]) -> None:
        """Strokes from touch or mouse (also used by tests to sign without a finger)."""
        if not points:
            return
        path = QPainterPath(points[0])
        for point in points[1:]:
            path.lineTo(point)
        self._paths.append(path)
        self.update()
        self.signature_did_change.emit(self.has_signature())

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._paths.append(QPainterPath(event.position()))

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._paths:
            self._paths[-1].lineTo(event.position())
            self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self.signature_did_change.emit(self.has_signature())

    def paintEvent(self, event: QPaintEvent) -> None:
        palette = self._theme.palette
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor(palette.surface))
        painter.setPen(QPen(QColor(palette.border), self._theme.border_px, Qt.PenStyle.DashLine))
        painter.drawRect(self.rect().adjusted(1, 1, -2, -2))
        painter.setPen(QPen(QColor(palette.text), 6, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        for path in self._paths:
            painter.drawPath(path)
        painter.end()

    def to_png(self) -> bytes:
        image = QImage(self.size(), QImage.Format.Format_RGB32)
        image.fill(QColor("white"))
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor("black"), 6, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        for path in self._paths:
            painter.drawPath(path)
        painter.end()
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")  # type: ignore[call-overload]  # the stubs say bytes; the binding wants str
        return bytes(data.data())
