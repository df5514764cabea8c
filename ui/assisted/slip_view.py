"""The resident's 受理单 (slip) after a case is saved: on the receipt printer if the laptop has one, else a PDF
(``QPdfWriter``) or an on-screen QR code the resident photographs. Everything on it is masked."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, Qt, Signal
from PySide6.QtGui import QFont, QPageLayout, QPageSize, QPainter, QPdfWriter
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from kiosk.assisted.slip import Slip
from ui.assisted.desk import PrintSlip
from ui.qr_image import qr_pixmap


def write_slip_pdf(slip: Slip, path: Path) -> Path:
    """The slip as an A5 PDF: the title, its lines, the footnote, and the QR code."""
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = QPdfWriter(str(path))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A5))
    writer.setPageMargins(QMarginsF(12, 12, 12, 12), QPageLayout.Unit.Millimeter)
    writer.setResolution(150)
    writer.setTitle(slip.title)
    painter = QPainter(writer)
    width = writer.width()
    title = QFont()
    title.setPixelSize(40)
    title.setBold(True)
    body = QFont()
    body.setPixelSize(26)
    painter.setFont(title)
    painter.drawText(QRectF(0, 0, width, 60), Qt.AlignmentFlag.AlignHCenter, slip.title)
    painter.setFont(body)
    y = 90.0
    for line in slip.lines:
        rect = QRectF(0, y, width, 200)
        used = painter.boundingRect(rect, Qt.TextFlag.TextWordWrap, f"{line.label}：{line.value}")
        painter.drawText(rect, Qt.TextFlag.TextWordWrap, f"{line.label}：{line.value}")
        y += used.height() + 10
    rect = QRectF(0, y + 10, width, 200)
    used = painter.boundingRect(rect, Qt.TextFlag.TextWordWrap, slip.footnote)
    painter.drawText(rect, Qt.TextFlag.TextWordWrap, slip.footnote)
    painter.drawPixmap(0, int(y + 30 + used.height()), qr_pixmap(slip.qr_text, 220))
    painter.end()
    return path


class SlipView(QWidget):
    done = Signal()

    def __init__(self, slip: Slip, print_slip: PrintSlip | None, pdf_folder: Path) -> None:  # noqa: PLR0915
        super().__init__()
        self.setObjectName("assisted-slip")
        self.slip = slip
        self._print = print_slip
        self._folder = pdf_folder
        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 16, 24, 16)
        saved = QLabel("案件已加密保存并排队发送，请把受理单交给办事人")
        saved.setProperty("role", "ok")
        outer.addWidget(saved)
        card = QFrame()
        card.setProperty("role", "panel")
        card.setMaximumWidth(980)
        row = QHBoxLayout(card)
        text = QVBoxLayout()
        title = QLabel(slip.title)
        title.setProperty("role", "title")
        text.addWidget(title)
        grid = QGridLayout()
        grid.setHorizontalSpacing(16)
        grid.setColumnStretch(1, 1)
        for number, line in enumerate(slip.lines):
            label = QLabel(line.label)
            label.setProperty("role", "muted")
            value = QLabel(line.value)
            value.setWordWrap(True)
            value.setObjectName(f"slip-{number}")
            grid.addWidget(label, number, 0)
            grid.addWidget(value, number, 1)
        text.addLayout(grid)
        foot = QLabel(slip.footnote)
        foot.setWordWrap(True)
        text.addWidget(foot)
        row.addLayout(text, 1)
        qr_column = QVBoxLayout()
        self.qr = QLabel()
        self.qr.setObjectName("slip-qr")
        self.qr.setPixmap(qr_pixmap(slip.qr_text, 220))
        qr_note = QLabel("请办事人用手机拍下二维码")
        qr_note.setProperty("role", "muted")
        qr_column.addWidget(self.qr)
        qr_column.addWidget(qr_note)
        qr_column.addStretch(1)
        row.addLayout(qr_column)
        outer.addWidget(card)
        self.status = QLabel("")
        self.status.setObjectName("slip-status")
        self.status.setWordWrap(True)
        outer.addWidget(self.status)
        actions = QHBoxLayout()
        self.print_button = QPushButton("打印受理单")
        self.print_button.setObjectName("print-slip")
        self.print_button.setEnabled(print_slip is not None)
        if print_slip is None:
            self.print_button.setText("本机无打印机")
        self.pdf_button = QPushButton("保存为 PDF")
        self.pdf_button.setObjectName("slip-pdf")
        self.done_button = QPushButton("完成，返回列表")
        self.done_button.setObjectName("slip-done")
        self.done_button.setProperty("role", "primary")
        for button in (self.print_button, self.pdf_button, self.done_button):
            actions.addWidget(button)
        actions.addStretch(1)
        outer.addLayout(actions)
        outer.addStretch(1)
        self.print_button.clicked.connect(self.print_now)
        self.pdf_button.clicked.connect(self.save_pdf)
        self.done_button.clicked.connect(self.done)

    def print_now(self) -> bool:
        printed = self._print is not None and self._print(self.slip)
        self.status.setText("受理单已打印" if printed else "打印未成功：请保存为 PDF 或让办事人拍下二维码")
        return printed

    def save_pdf(self) -> Path:
        number = self.slip.qr_text.split(":", 1)[-1]
        path = write_slip_pdf(self.slip, self._folder / f"受理单-{number}.pdf")
        self.status.setText(f"已保存：{path}")
        return path
