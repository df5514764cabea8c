"""One case that has left the draft (待发送 onwards): what it is, where it stands, its 委托, its 回交/回访,
and the way to its slip. Read only: a saved case is corrected by a new one, never edited."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from kiosk.assisted.cases import LIFECYCLE, MODE_LABELS, STATE_LABELS, Case
from kiosk.visit.catalog import Catalog
from ui.assisted.case_model import WHAT_TO_DO, short_time
from ui.assisted.desk import authorization_summary

_EVENT_LABELS = {"handed_back": "回交", "followed_up": "回访"}


class CaseView(QWidget):
    slip_requested = Signal(str)
    event_requested = Signal(str, str)
    #: 修改后重新提交: make this 需处理 case again as a draft to correct.
    redo_requested = Signal(str)
    closed = Signal()

    def __init__(self, case: Case, catalog: Catalog | None = None) -> None:  # noqa: PLR0915 - the screen's parts, one statement each
        super().__init__()
        self.setObjectName("assisted-case-view")
        self.case_id = case.case_id
        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 16, 24, 16)
        title = QLabel(f"案件 {case.reference}")
        title.setProperty("role", "title")
        outer.addWidget(title)
        card = QFrame()
        card.setProperty("role", "panel")
        form = QFormLayout(card)
        state = STATE_LABELS.get(case.state, case.state)
        if case.case_no:
            state += f"（受理编号 {case.case_no}）"
        self.state_label = QLabel(state)
        self.state_label.setObjectName("case-state")
        form.addRow("状态", self.state_label)
        advice = WHAT_TO_DO.get(case.state, "")
        if case.state == "quarantined":  # the way to correct it is on this screen
            advice = "平台未收下此件：按原因更正后按“修改后重新提交”（委托、签名和材料沿用），或联系中心平台管理员"
        if case.reason or advice:
            reason = QLabel("；".join(part for part in (case.reason, advice) if part))
            reason.setProperty("role", "error" if case.state == "quarantined" else "")
            reason.setWordWrap(True)
            form.addRow("说明", reason)
        form.addRow("办理事项", QLabel(case.service_title))
        form.addRow("办事人", QLabel(case.resident.masked))
        form.addRow("办理方式", QLabel(MODE_LABELS.get(case.mode, case.mode)))
        summary = QLabel(authorization_summary(case.authorization, case.resident.masked_name, catalog))
        summary.setWordWrap(True)
        form.addRow("委托", summary)
        form.addRow("临时编号", QLabel(case.temporary_no or "—"))
        form.addRow("更新时间", QLabel(short_time(case.updated_at)))
        events = "；".join(
            f"{_EVENT_LABELS[e.kind]} {short_time(e.at)}{('：' + e.note) if e.note else ''}"
            + ("（已发送）" if e.submission_id else "（待发送）")
            for e in case.events
        )
        events_label = QLabel(events or "尚无")
        events_label.setWordWrap(True)
        form.addRow("回交/回访", events_label)
        outer.addWidget(card)
        actions = QHBoxLayout()
        back = QPushButton("返回列表")
        back.setObjectName("back-to-list")
        slip = QPushButton("受理单")
        slip.setObjectName("show-slip")
        slip.setEnabled(bool(case.case_no or case.temporary_no))
        hand_back = QPushButton("登记回交")
        hand_back.setObjectName("hand-back")
        follow_up = QPushButton("登记回访")
        follow_up.setObjectName("follow-up")
        at_platform = case.state in LIFECYCLE  # 回交/回访 follow what the department did
        hand_back.setEnabled(at_platform)
        follow_up.setEnabled(at_platform)
        self.redo_button = QPushButton("修改后重新提交")
        self.redo_button.setObjectName("redo-case")
        self.redo_button.setProperty("role", "primary")
        self.redo_button.setVisible(case.state == "quarantined")
        self.redo_button.setToolTip("按原案件建立新草稿（委托、签名和材料沿用），更正后再保存并发送")
        for button in (back, slip, hand_back, follow_up, self.redo_button):
            actions.addWidget(button)
        actions.addStretch(1)
        outer.addLayout(actions)
        outer.addStretch(1)
        back.clicked.connect(self.closed)
        self.redo_button.clicked.connect(lambda: self.redo_requested.emit(self.case_id))
        slip.clicked.connect(lambda: self.slip_requested.emit(self.case_id))
        hand_back.clicked.connect(lambda: self.event_requested.emit(self.case_id, "handed_back"))
        follow_up.clicked.connect(lambda: self.event_requested.emit(self.case_id, "followed_up"))
