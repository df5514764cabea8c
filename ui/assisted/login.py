"""The login screen (登录): staff number and password, and a refusal a person can act on.

The refusals are the staff directory's own sentences (locked until when, offline login expired, account
disabled, wrong password with the tries left). After the idle lock the same screen says that the case in
progress was kept and will reopen.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFormLayout, QFrame, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget


class LoginScreen(QWidget):
    login_requested = Signal(str, str)
    staff_pull_requested = Signal()

    def __init__(self, hall_name: str, demo_hint: str = "") -> None:  # noqa: PLR0915 - one statement per part
        super().__init__()
        self.setObjectName("assisted-login")
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        card = QFrame()
        card.setProperty("role", "panel")
        card.setFixedWidth(560)
        column = QVBoxLayout(card)
        column.setContentsMargins(32, 24, 32, 24)
        column.setSpacing(12)
        title = QLabel("帮办代办 · 工作人员登录")
        title.setProperty("role", "title")
        place = QLabel(hall_name)
        place.setProperty("role", "muted")
        self.notice = QLabel("")
        self.notice.setObjectName("login-notice")
        self.notice.setWordWrap(True)
        self.notice.setVisible(False)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.setVerticalSpacing(12)
        self.staff_no = QLineEdit()
        self.staff_no.setObjectName("staff-no")
        self.staff_no.setAccessibleName("工号")
        self.staff_no.setPlaceholderText("例如 A001")
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setAccessibleName("密码")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow("工号", self.staff_no)
        form.addRow("密码", self.password)
        self.refusal = QLabel("")
        self.refusal.setObjectName("login-refusal")
        self.refusal.setProperty("role", "error")
        self.refusal.setWordWrap(True)
        self.refusal.setVisible(False)
        self.button = QPushButton("登录")
        self.button.setObjectName("login")
        self.button.setProperty("role", "primary")
        self.button.setDefault(True)
        self.pull_button = QPushButton("同步工作人员名单")
        self.pull_button.setObjectName("pull-staff")
        self.pull_note = QLabel("")
        self.pull_note.setObjectName("pull-staff-note")
        self.pull_note.setWordWrap(True)
        hint = QLabel("不联网也能登录（最近一次同步后的期限内）；本机每位工作人员只能看到自己的案件。")
        hint.setProperty("role", "muted")
        hint.setWordWrap(True)
        for widget in (title, place, self.notice):
            column.addWidget(widget)
        if demo_hint:  # demo mode: who to log in as
            demo = QLabel(demo_hint)
            demo.setObjectName("login-demo-hint")
            demo.setWordWrap(True)
            column.addWidget(demo)
        column.addLayout(form)
        column.addWidget(self.refusal)
        column.addWidget(self.button)
        column.addWidget(hint)
        column.addWidget(self.pull_button, 0, Qt.AlignmentFlag.AlignLeft)
        column.addWidget(self.pull_note)
        outer.addWidget(card, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(2)
        self.setTabOrder(self.staff_no, self.password)
        self.setTabOrder(self.password, self.button)
        self.button.clicked.connect(self._submit)
        self.pull_button.clicked.connect(self.staff_pull_requested)
        self.staff_no.returnPressed.connect(self.password.setFocus)
        self.password.returnPressed.connect(self._submit)

    def _submit(self) -> None:
        self.login_requested.emit(self.staff_no.text().strip(), self.password.text())

    def reset(self, notice: str = "", *, keep_staff_no: bool = False) -> None:
        """Ready for the next login; ``notice`` says why it is shown (the lock, a logout)."""
        if not keep_staff_no:
            self.staff_no.clear()
        self.password.clear()
        self.refusal.setVisible(False)
        self.refusal.clear()
        self.notice.setText(notice)
        self.notice.setVisible(bool(notice))
        (self.password if keep_staff_no and self.staff_no.text() else self.staff_no).setFocus()

    def show_refusal(self, message: str) -> None:
        self.password.clear()
        self.refusal.setText(message)
        self.refusal.setVisible(True)
        self.password.setFocus()
