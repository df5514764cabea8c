"""The case list (我的案件): every case of the logged-in staff member, worst first, with filters and search,
"未同步 since …" and the oldest unsent case's age always in view, and the 同步 button with its progress.

Over thousands of cases a filter repaints the table and nothing else that need not change: one model whose
list of cases is swapped in a reset (the book filters from memory), rows of one fixed height, column widths set
once and never measured from the contents, and a count label as wide as its widest text, so a new count does
not move the filter row (``bench/caselist.py``; docs/performance.md, "Assisted client's case list")."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QItemSelection, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from kiosk.assisted.cases import LIFECYCLE, CaseBook, CaseFilter
from kiosk.assisted.limits import SyncHealth, describe_age
from kiosk.hall.assisted_sync import AssistedSyncReport, SyncProgress
from ui.assisted.case_delegate import CaseCellDelegate
from ui.assisted.case_model import CaseTableModel, what_to_do

#: The state filter: label → (states, unsent only).
STATE_FILTERS: tuple[tuple[str, frozenset[str], bool], ...] = (
    ("全部状态", frozenset(), False),
    ("需处理", frozenset({"quarantined"}), False),
    ("未送达平台", frozenset(), True),
    ("草稿", frozenset({"draft"}), False),
    ("待发送", frozenset({"queued"}), False),
    ("发送中", frozenset({"sending"}), False),
    ("已送达", frozenset({"delivered"}), False),
    ("受理/办理中", frozenset({"accepted", "processing", "resumed"}), False),
    ("中止", frozenset({"suspended"}), False),
    ("办结/终止", frozenset({"concluded", "terminated"}), False),
    ("已回交/回访", frozenset({"handed_back", "followed_up"}), False),
)


def _button(text: str, name: str, *, primary: bool = False) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    if primary:
        button.setProperty("role", "primary")
    return button


def _label(text: str = "", role: str = "") -> QLabel:
    label = QLabel(text)
    if role:
        label.setProperty("role", role)
    return label


def _when(stamp: str | None, now: datetime) -> str:
    if stamp is None:
        return "从未同步"
    moment = datetime.fromisoformat(stamp)
    age = describe_age(max(0.0, (now - moment).total_seconds()))
    return f"上次同步 {moment.astimezone(now.tzinfo).strftime('%m-%d %H:%M')}（{age}前）"


class CaseListScreen(QWidget):
    new_case_requested = Signal()
    open_requested = Signal(str)
    event_requested = Signal(str, str)
    sync_requested = Signal()
    lock_requested = Signal()
    logout_requested = Signal()

    def __init__(self) -> None:  # noqa: PLR0915 - the screen's parts, one statement each
        super().__init__()
        self.setObjectName("assisted-case-list")
        self.book: CaseBook | None = None
        self.model = CaseTableModel()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 12, 16, 12)
        outer.setSpacing(8)

        top = QHBoxLayout()
        self.title = _label("我的案件", "title")
        self.who = _label("", "muted")
        self.lock_button = _button("锁定屏幕", "lock")
        self.logout_button = _button("退出登录", "logout")
        top.addWidget(self.title)
        top.addSpacing(12)
        top.addWidget(self.who, 1)
        top.addWidget(self.lock_button)
        top.addWidget(self.logout_button)
        outer.addLayout(top)

        self.health_strip = QFrame()
        self.health_strip.setProperty("role", "strip-ok")
        strip = QHBoxLayout(self.health_strip)
        strip.setContentsMargins(10, 4, 10, 4)
        self.unsynced_label = _label()
        self.unsynced_label.setObjectName("unsynced-since")
        self.oldest_label = _label()
        self.oldest_label.setObjectName("oldest-unsent")
        self.health_label = _label()
        self.health_label.setObjectName("health-message")
        self.health_label.setWordWrap(True)
        self.sync_button = _button("同步", "sync", primary=True)
        self.progress = QProgressBar()
        self.progress.setObjectName("sync-progress")
        self.progress.setFixedWidth(180)
        self.progress.setVisible(False)
        self.sync_counts = _label()
        self.sync_counts.setObjectName("sync-counts")
        info = QVBoxLayout()
        line = QHBoxLayout()
        line.addWidget(self.unsynced_label)
        line.addSpacing(16)
        line.addWidget(self.oldest_label)
        line.addStretch(1)
        info.addLayout(line)
        info.addWidget(self.health_label)
        strip.addLayout(info, 1)
        strip.addWidget(self.sync_counts)
        strip.addWidget(self.progress)
        strip.addWidget(self.sync_button)
        outer.addWidget(self.health_strip)

        filters = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setObjectName("case-search")
        self.search.setPlaceholderText("搜索：案件编号、办事人（脱敏姓名）、事项、状态")
        self.search.setAccessibleName("搜索案件")
        self.state_filter = QComboBox()
        self.state_filter.setObjectName("state-filter")
        self.state_filter.setAccessibleName("按状态筛选")
        for label, _, _ in STATE_FILTERS:
            self.state_filter.addItem(label)
        self.count_label = _label("", "muted")
        filters.addWidget(self.search, 1)
        filters.addWidget(self.state_filter)
        filters.addWidget(self.count_label)
        outer.addLayout(filters)

        self.table = QTableView()
        self.table.setObjectName("case-table")
        self.table.setModel(self.model)
        self.cells = CaseCellDelegate(self.model, self.table)
        self.table.setItemDelegate(self.cells)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(False)
        self.table.setWordWrap(False)
        vertical = self.table.verticalHeader()
        vertical.setVisible(False)
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(34)
        # Always there: a scroll bar that came and went with a filter's count would lay the table out and paint
        # it a second time, and move the columns' widths under the staff member's eyes.
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((170, 110, 190, 210, 100, 120)):
            self.table.setColumnWidth(column, width)
        outer.addWidget(self.table, 1)

        self.detail = _label("", "")
        self.detail.setObjectName("case-detail")
        self.detail.setWordWrap(True)
        outer.addWidget(self.detail)

        actions = QHBoxLayout()
        self.new_button = _button("新建案件", "new-case", primary=True)
        self.open_button = _button("打开案件", "open-case")
        self.hand_back_button = _button("登记回交", "hand-back")
        self.follow_up_button = _button("登记回访", "follow-up")
        for button in (self.new_button, self.open_button, self.hand_back_button, self.follow_up_button):
            actions.addWidget(button)
        actions.addStretch(1)
        outer.addLayout(actions)

        self.search.textChanged.connect(self.apply_filter)
        self.state_filter.currentIndexChanged.connect(self.apply_filter)
        self.table.selectionModel().selectionChanged.connect(self._selected)
        self.table.doubleClicked.connect(lambda index: self._open_row(index.row()))
        self.new_button.clicked.connect(self.new_case_requested)
        self.open_button.clicked.connect(lambda: self._open_row(self._current_row()))
        self.hand_back_button.clicked.connect(lambda: self._event("handed_back"))
        self.follow_up_button.clicked.connect(lambda: self._event("followed_up"))
        self.sync_button.clicked.connect(self.sync_requested)
        self.lock_button.clicked.connect(self.lock_requested)
        self.logout_button.clicked.connect(self.logout_requested)
        self.setTabOrder(self.search, self.state_filter)
        self.setTabOrder(self.state_filter, self.table)
        self.setTabOrder(self.table, self.new_button)
        self._selected()

    # -- what is shown ----------------------------------------------------------------------------------

    def show_book(self, book: CaseBook, who: str) -> None:
        if book is not self.book:
            self.model.forget()  # another member's lines are not kept
            self.cells.forget()
        self.book = book
        self.who.setText(who)
        self._fit_count_label(len(book))
        self.apply_filter()

    def forget_book(self) -> None:
        """Logged out or locked: no lines, no kept text, no name (the next member sees nothing of these)."""
        self.book = None
        self.model.forget()
        self.cells.forget()
        self.who.setText("")
        self.count_label.setText("")
        self._selected()

    def _fit_count_label(self, cases: int) -> None:
        widest = "8" * len(str(max(cases, 9999)))
        self.count_label.ensurePolished()
        width = self.count_label.fontMetrics().horizontalAdvance(f"{widest} / {widest} 件") + 8
        if width > self.count_label.minimumWidth():
            self.count_label.setMinimumWidth(width)

    def current_filter(self) -> CaseFilter:
        _, states, unsent = STATE_FILTERS[max(0, self.state_filter.currentIndex())]
        return CaseFilter(self.search.text(), states, unsent)

    def apply_filter(self) -> None:
        if self.book is None:
            self.model.set_listed([])
            return
        listed = self.book.listing(self.current_filter())
        self.model.set_listed(listed)
        self.table.doItemsLayout()  # now, not from a timer after the first paint: one paint of the table, not two
        self.count_label.setText(f"{len(listed)} / {len(self.book)} 件")
        self._selected()

    def show_health(self, health: SyncHealth, now: datetime) -> None:
        self.unsynced_label.setText(_when(health.unsynced_since, now))
        if health.oldest_unsent_age is None:
            self.oldest_label.setText("没有未送达的案件")
        else:
            waited = describe_age(health.oldest_unsent_age)
            self.oldest_label.setText(f"最早未送达：已等 {waited}（共 {health.unsent} 件）")
        self.health_label.setText(health.message)
        role = {"ok": "strip-ok", "warn": "strip-warn", "refuse": "strip-refuse"}[health.level]
        self.health_strip.setProperty("role", role)
        self.health_strip.style().unpolish(self.health_strip)
        self.health_strip.style().polish(self.health_strip)
        self.new_button.setEnabled(not health.refuse_new)
        self.new_button.setToolTip(health.message if health.refuse_new else "")

    # -- sync ---------------------------------------------------------------------------------------------

    def sync_started(self) -> None:
        self.sync_button.setEnabled(False)
        self.sync_button.setText("正在同步…")
        self.progress.setRange(0, 0)
        self.progress.setVisible(True)
        self.sync_counts.setText("正在连接平台")

    def sync_progressed(self, step: SyncProgress) -> None:
        if step.total > 0:
            self.progress.setRange(0, step.total)
            self.progress.setValue(step.done)
        else:
            self.progress.setRange(0, 0)
        self.sync_counts.setText(step.message)

    def sync_finished(self, report: AssistedSyncReport) -> None:
        self.sync_button.setEnabled(True)
        self.sync_button.setText("同步")
        self.progress.setRange(0, 1)
        self.progress.setValue(1 if report.reached else 0)
        self.progress.setVisible(False)
        self.sync_counts.setText(report.message)
        self.sync_counts.setProperty("role", "ok" if report.reached else "error")
        self.sync_counts.style().unpolish(self.sync_counts)
        self.sync_counts.style().polish(self.sync_counts)
        self.apply_filter()

    # -- selection ------------------------------------------------------------------------------------------

    def _current_row(self) -> int:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].row() if rows else -1

    def selected_case_id(self) -> str | None:
        row = self.model.row_at(self._current_row())
        return row.case_id if row else None

    def select_case(self, case_id: str) -> bool:
        number = self.model.row_of(case_id)
        if number < 0:
            return False
        self.table.selectRow(number)
        return True

    def _selected(self, *_: QItemSelection) -> None:
        row = self.model.row_at(self._current_row())
        self.open_button.setEnabled(row is not None)
        sent = row is not None and row.state in LIFECYCLE  # 回交/回访 follow what the department did
        self.hand_back_button.setEnabled(sent)
        self.follow_up_button.setEnabled(sent)
        if row is None:
            self.detail.setText("选中一行查看说明；双击或按“打开案件”查看详情")
            return
        advice = what_to_do(row)
        self.detail.setText(f"{row.case_ref} · {row.state_label}" + (f"：{advice}" if advice else ""))

    def _open_row(self, number: int) -> None:
        row = self.model.row_at(number)
        if row is not None:
            self.open_requested.emit(row.case_id)

    def _event(self, kind: str) -> None:
        case_id = self.selected_case_id()
        if case_id is not None:
            self.event_requested.emit(case_id, kind)
