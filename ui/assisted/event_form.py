"""回交 (the result handed back to the resident, who signs for it) and 回访 (a follow-up's outcome), recorded
offline into the case and sent with the next sync."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kiosk.assisted.cases import Case
from ui.assisted.style import DESKTOP
from ui.signature import SignaturePad

FOLLOW_UP_OUTCOMES = ("满意", "基本满意", "不满意", "未联系上")


class EventForm(QWidget):
    """``saved(note, signature_png)``: the window records the event; a 回交 needs the resident's signature."""

    saved = Signal(str, bytes)
    closed = Signal()

    def __init__(self, case: Case, kind: str) -> None:
        super().__init__()
        self.setObjectName(f"assisted-event-{kind}")
        self.kind = kind
        self.case_id = case.case_id
        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 16, 24, 16)
        what = "回交：把办理结果交给办事人" if kind == "handed_back" else "回访：记录回访结果"
        title = QLabel(f"{what}（{case.reference}）")
        title.setProperty("role", "title")
        title.setWordWrap(True)
        outer.addWidget(title)
        outer.addWidget(QLabel(f"{case.service_title} · {case.resident.masked}"))
        form = QFormLayout()
        self.outcome = QComboBox()
        self.outcome.setObjectName("follow-up-outcome")
        self.outcome.addItems(FOLLOW_UP_OUTCOMES)
        if kind == "followed_up":
            form.addRow("回访结果", self.outcome)
        self.note = QPlainTextEdit()
        self.note.setObjectName("event-note")
        self.note.setPlaceholderText("交回了什么（证件、证明、结果通知），或回访时办事人说了什么")
        self.note.setFixedHeight(96)
        form.addRow("记录", self.note)
        outer.addLayout(form)
        self.pad = SignaturePad(DESKTOP)
        self.pad.setMinimumHeight(140)
        if kind == "handed_back":
            outer.addWidget(QLabel("办事人签收（在下方签名）"))
            outer.addWidget(self.pad)
        else:
            self.pad.setVisible(False)
        self.error = QLabel("")
        self.error.setObjectName("event-error")
        self.error.setProperty("role", "error")
        outer.addWidget(self.error)
        actions = QHBoxLayout()
        back = QPushButton("返回")
        back.setObjectName("event-back")
        save = QPushButton("保存")
        save.setObjectName("event-save")
        save.setProperty("role", "primary")
        actions.addWidget(back)
        actions.addWidget(save)
        actions.addStretch(1)
        outer.addLayout(actions)
        outer.addStretch(1)
        back.clicked.connect(self.closed)
        save.clicked.connect(self.save)

    def save(self) -> None:
        note = self.note.toPlainText().strip()
        if self.kind == "followed_up":
            note = f"{self.outcome.currentText()}" + (f"：{note}" if note else "")
        elif not self.pad.has_signature():
            self.error.setText("回交须办事人签收：请办事人在签名区签名")
            return
        elif not note:
            self.error.setText("请写明交回了什么")
            return
        self.saved.emit(note, self.pad.to_png() if self.kind == "handed_back" else b"")
