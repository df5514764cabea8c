"""Draw a QR code as a crisp QPixmap (for the e-receipt), from the ``qrcode`` package's module matrix."""

from __future__ import annotations

import qrcode
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPainter, QPixmap


def qr_pixmap(text: str, size_px: int) -> QPixmap:
    code = qrcode.QRCode(border=2, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(text)
    code.make(fit=True)
    matrix: list[list[bool]] = code.get_matrix()
    modules = len(matrix)
    scale = max(1, size_px // modules)
    pixmap = QPixmap(modules * scale, modules * scale)
    pixmap.fill(Qt.GlobalColor.white)
    painter = QPainter(pixmap)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor("black"))
    for y, line in enumerate(matrix):
        for x, dark in enumerate(line):
            if dark:
                painter.drawRect(x * scale, y * scale, scale, scale)
    painter.end()
    return pixmap
