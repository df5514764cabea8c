"""The staff member's window (帮办代办客户端): login → my cases → a case, with the idle lock over all of it.

The idle lock (``kiosk.assisted.idle``) warns, then locks: the case being typed is saved as a draft in the
member's vault first, the book notes it (``hold_for_resume``), the session and its key are dropped, and the
login screen says so. The same member's next login reopens that case where it was; another member sees only
their own list. Any key, click or mouse movement counts as activity.

The case form is sealed in the member's vault as it stands after every change (``kiosk.assisted.form_state``):
the next login after a restart, a crash or a flat battery reopens it exactly as it was left, 委托 and signatures
included. The case list's window also exports the member's unsent cases to a drive (导出到U盘) and makes a
需处理 case again for correction (修改后重新提交): ``ui.assisted.case_actions``.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.assisted.cases import CaseBook, CaseRefused, UnknownCaseError
from kiosk.assisted.form_state import FormStore, SealedForm
from kiosk.assisted.idle import IdleLock
from kiosk.assisted.slip import Slip, case_slip
from kiosk.assisted.staff import LoginRefused, StaffSession
from kiosk.hall.assisted_sync import AssistedSyncReport, SyncProgress
from ui.assisted.case_actions import CaseActions
from ui.assisted.case_editor import CaseEditor
from ui.assisted.case_list import CaseListScreen
from ui.assisted.case_view import CaseView
from ui.assisted.desk import AssistedDesk, authorization_summary
from ui.assisted.event_form import EventForm
from ui.assisted.instant_matter import InstantSlipView
from ui.assisted.login import LoginScreen
from ui.assisted.slip_view import SlipView
from ui.assisted.style import desk_style_sheet
from ui.assisted.sync_runner import StaffPull, SyncRunner

_ACTIVITY = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.InputMethod,
        QEvent.Type.TouchBegin,
    }
)
LOCK_NOTICE = "屏幕已锁定，正在办理的案件已加密保存；重新登录后回到该案件"


class AssistedWindow(QMainWindow):
    def __init__(self, desk: AssistedDesk) -> None:
        super().__init__()
        self.desk = desk
        self.setWindowTitle(f"帮办代办 · {desk.hall_name}")
        self.setStyleSheet(desk_style_sheet())
        self.session: StaffSession | None = None
        self.book: CaseBook | None = None
        self.idle = IdleLock(desk.idle, desk.monotonic())
        self.sync = SyncRunner(desk.sync) if desk.sync else None
        self.staff_pull = StaffPull(desk.pull_staff) if desk.pull_staff else None

        root = QWidget()
        root.setObjectName("assisted-root")
        column = QVBoxLayout(root)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        self.warning = QFrame()
        self.warning.setObjectName("idle-warning")
        self.warning.setProperty("role", "strip-warn")
        strip = QHBoxLayout(self.warning)
        self.warning_label = QLabel("")
        self.warning_label.setObjectName("idle-warning-text")
        strip.addWidget(self.warning_label)
        self.warning.setVisible(False)
        column.addWidget(self.warning)
        self.stack = QStackedWidget()
        column.addWidget(self.stack, 1)
        self.setCentralWidget(root)

        self.login_screen = LoginScreen(desk.hall_name, desk.demo_hint)
        self.case_list = CaseListScreen()
        self.stack.addWidget(self.login_screen)
        self.stack.addWidget(self.case_list)
        self.case_actions = CaseActions(self.case_list, desk)
        self.page: QWidget | None = None
        #: The form left open at the idle lock, with whose it is (memory only, never shown to another member).
        self._held: tuple[str, CaseEditor] | None = None
        self._connect()

        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self.tick)
        self.timer.start()
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self.login_screen.reset()

    def _connect(self) -> None:
        self.login_screen.login_requested.connect(self.log_in)
        self.login_screen.staff_pull_requested.connect(self.pull_staff)
        self.login_screen.pull_button.setEnabled(self.staff_pull is not None)
        if self.staff_pull is not None:
            self.staff_pull.pull_did_finish.connect(self._staff_pulled)
        self.case_list.new_case_requested.connect(lambda: self.open_editor(None))
        self.case_list.open_requested.connect(self.open_case)
        self.case_list.event_requested.connect(self.open_event)
        self.case_list.sync_requested.connect(self.start_sync)
        self.case_list.lock_requested.connect(self.lock)
        self.case_list.logout_requested.connect(self.log_out)
        self.case_list.sync_button.setEnabled(self.sync is not None)
        self.case_actions.redo_requested.connect(self.redo)
        if self.sync is not None:
            self.sync.sync_did_progress.connect(self._sync_progressed)
            self.sync.sync_did_finish.connect(self._sync_finished)

    # -- activity and the idle lock ----------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _ACTIVITY and self.session is not None:
            self.idle.touch(self.desk.monotonic())
        return False

    def tick(self) -> None:
        if self.session is None:
            self.warning.setVisible(False)
            return
        state = self.idle.state(self.desk.monotonic())
        if state.phase == "locked":
            self.lock()
            return
        self.warning.setVisible(state.phase == "warning")
        self.warning_label.setText(state.message)

    def _case_in_progress(self) -> str | None:
        if isinstance(self.page, CaseEditor):
            case_id = self.page.save_draft(quiet=True)
            self.page.seal()  # the whole form, for the next login (this one's, or after a restart)
            return case_id
        if isinstance(self.page, CaseView | EventForm):
            return self.page.case_id
        return None

    def lock(self) -> None:
        """Keep the case in progress (sealed), drop the key, ask for the password again."""
        self._leave(LOCK_NOTICE, keep_form=True)

    def log_out(self) -> None:
        self._leave("已退出登录", keep_form=False)

    def _forget_held(self) -> None:
        if self._held is not None:
            self._held[1].deleteLater()
            self._held = None

    def _leave(self, notice: str, *, keep_form: bool) -> None:
        if self.session is None or self.book is None:
            return
        if self.sync is not None and self.sync.running:
            self.sync.wait()  # the sync works on this member's book: let it end before the key goes
        case_id = self._case_in_progress()
        self.book.hold_for_resume(case_id)  # a restart reopens it from the vault
        staff_no = self.session.staff_no
        self.session = None
        self.book = None
        self.idle.lock()
        self._forget_held()
        if keep_form and isinstance(self.page, CaseEditor):
            # The form itself waits for the same member, so the 委托 and signatures already taken stay too.
            editor = self.page
            self.stack.removeWidget(editor)
            editor.detach()
            self._held = (staff_no, editor)
            self.page = None
        self._drop_page()
        self.case_list.forget_book()
        self.case_actions.show_book(None)
        self.warning.setVisible(False)
        self.stack.setCurrentWidget(self.login_screen)
        self.login_screen.staff_no.setText(staff_no)
        self.login_screen.reset(notice, keep_staff_no=True)

    # -- logging in ---------------------------------------------------------------------------------------

    def log_in(self, staff_no: str, password: str) -> bool:
        try:
            session = self.desk.directory.login(staff_no, password, self.desk.clock())
        except LoginRefused as exc:
            self.login_screen.show_refusal(str(exc))
            return False
        self.session = session
        self.book = self.desk.open_book(session)
        self.idle.unlocked(self.desk.monotonic())
        self.show_list()
        resume = self.book.take_resume()
        held, self._held = self._held, None
        if held is not None and held[0] == session.staff_no:
            held[1].attach(self.book, session)
            self._show_page(held[1])
        elif self._reopen_form():
            pass  # the form as it was left: after a restart, a crash, or another member's turn
        elif resume is not None:
            self.open_case(resume.case_id)
        if held is not None and held[0] != session.staff_no:
            held[1].deleteLater()  # another member: the form of the one who left goes, unseen
        return True

    def _reopen_form(self) -> bool:
        """Reopen the form this member left on the screen, if its case is still a draft (or it has none yet)."""
        if self.book is None:
            return False
        forms = FormStore(self.book.vault)
        sealed = forms.open_form()
        if sealed is None:
            return False
        if sealed.case_id is not None:
            try:
                still_draft = self.book.case(sealed.case_id).state == "draft"
            except UnknownCaseError:
                still_draft = False
            if not still_draft:  # sent (or given up) since: the case carries what the form held
                forms.drop(sealed.key)
                return False
        return self.open_editor(sealed.case_id, sealed) is not None

    def pull_staff(self) -> bool:
        """Before a first login (or after an account changed at the platform): the staff list, now."""
        if self.staff_pull is None or not self.staff_pull.start():
            return False
        self.login_screen.pull_button.setEnabled(False)
        self.login_screen.pull_note.setText("正在连接平台…")
        return True

    def _staff_pulled(self, message: str, reached: bool) -> None:
        self.login_screen.pull_button.setEnabled(True)
        self.login_screen.pull_note.setText(message)
        self.login_screen.pull_note.setProperty("role", "ok" if reached else "error")
        self.login_screen.pull_note.style().unpolish(self.login_screen.pull_note)
        self.login_screen.pull_note.style().polish(self.login_screen.pull_note)

    # -- pages ----------------------------------------------------------------------------------------------

    def _drop_page(self) -> None:
        if self.page is not None:
            self.stack.removeWidget(self.page)
            self.page.deleteLater()
            self.page = None

    def _show_page(self, page: QWidget) -> None:
        self._drop_page()
        self.page = page
        self.stack.addWidget(page)
        self.stack.setCurrentWidget(page)

    def show_list(self) -> None:
        self._drop_page()
        if self.session is None or self.book is None:
            return
        who = f"{self.session.name}（{self.session.role_label}，工号 {self.session.staff_no}）"
        self.case_list.show_book(self.book, who)
        self.case_list.show_health(self.book.health(self.desk.clock()), self.desk.clock())
        self.case_actions.show_book(self.book)
        self.stack.setCurrentWidget(self.case_list)
        self.case_list.search.setFocus()

    def open_editor(self, case_id: str | None, form: SealedForm | None = None) -> CaseEditor | None:
        """The case form: new, a draft (with the form sealed for it: 委托 and signatures), or a sealed form."""
        if self.session is None or self.book is None:
            return None
        case = self.book.case(case_id) if case_id else None
        if form is None and case_id is not None:
            form = FormStore(self.book.vault).for_case(case_id)
        editor = CaseEditor(self.desk, self.book, self.session, case, form)
        editor.case_did_send.connect(self.show_slip)
        editor.instant_did_finish.connect(self.show_instant_slip)
        editor.closed.connect(self.show_list)
        self._show_page(editor)
        editor.service_box.setFocus()
        return editor

    def open_case(self, case_id: str) -> QWidget | None:
        """A draft opens in the form, anything later in the read-only view; another member's case is unknown."""
        if self.book is None:
            return None
        try:
            case = self.book.case(case_id)
        except UnknownCaseError:
            self.case_list.detail.setText("没有这件案件（每位工作人员只能打开自己的案件）")
            return None
        if case.state == "draft":
            return self.open_editor(case_id)
        view = CaseView(case, self.desk.catalog)
        view.closed.connect(self.show_list)
        view.redo_requested.connect(self.redo)
        view.slip_requested.connect(self.show_slip)
        view.event_requested.connect(self.open_event)
        self._show_page(view)
        return view

    def show_slip(self, case_id: str) -> SlipView | None:
        if self.session is None or self.book is None:
            return None
        case = self.book.case(case_id)
        slip = case_slip(
            case,
            staff_no=self.session.staff_no,
            staff_name=self.session.name,
            hall_name=self.desk.hall_name,
            authorization_summary=authorization_summary(
                case.authorization, case.resident.masked_name, self.desk.catalog
            ),
            printed_at=self.desk.clock(),
        )
        view = SlipView(slip, self.desk.print_slip, self.desk.cases_root.parent / "slips" / self.session.staff_no)
        view.done.connect(self.show_list)
        self._show_page(view)
        view.done_button.setFocus()
        return view

    def show_instant_slip(self, slip: Slip) -> InstantSlipView | None:
        """A query's answer or a ticket taken for the resident: on the screen, to print, save or photograph."""
        if self.session is None:
            return None
        folder = self.desk.cases_root.parent / "slips" / self.session.staff_no
        view = InstantSlipView(slip, self.desk.print_slip, folder)
        view.done.connect(self.show_list)
        self._show_page(view)
        view.done_button.setFocus()
        return view

    def open_event(self, case_id: str, kind: str) -> EventForm | None:
        if self.book is None:
            return None
        form = EventForm(self.book.case(case_id), kind)
        form.closed.connect(self.show_list)
        form.saved.connect(lambda note, png: self._record_event(case_id, kind, note, png))
        self._show_page(form)
        return form

    def _record_event(self, case_id: str, kind: str, note: str, signature: bytes) -> None:
        if self.book is None or self.session is None:
            return
        files = [(signature, "image/png")] if signature else []
        event = self.book.record_event(
            case_id, "handed_back" if kind == "handed_back" else "followed_up", self.desk.clock(), note, files
        )
        if self.desk.send_event is not None:
            self.desk.send_event(self.book, self.session, case_id, event.event_id)
        self.show_list()

    def redo(self, case_id: str) -> CaseEditor | None:
        """修改后重新提交: a 需处理 case made again as a draft (its 委托 and attachments kept), open to correct."""
        if self.book is None:
            return None
        try:
            new = self.book.redo(case_id, self.desk.clock())
        except (CaseRefused, UnknownCaseError) as exc:
            self.show_list()
            self.case_list.detail.setText(f"不能重新办理：{exc}")
            return None
        editor = self.open_editor(new.case_id)
        if editor is not None:
            editor.say(f"已按原案件重新建立草稿（原案件标为已重办）：{new.reason}。请按原因更正后再保存并发送")
        return editor

    # -- sync -------------------------------------------------------------------------------------------------

    def start_sync(self) -> bool:
        if self.sync is None or self.session is None or self.book is None:
            return False
        if not self.sync.start(self.book, self.session):
            return False
        self.case_list.sync_started()
        self._drop_page()
        self.case_list.setEnabled(True)
        for part in (
            self.case_list.new_button,
            self.case_list.open_button,
            self.case_list.table,
            self.case_list.search,
            self.case_actions.export_button,  # the sync works on the same outbox and book: one at a time
            self.case_actions.redo_button,
        ):
            part.setEnabled(False)
        return True

    def _sync_progressed(self, step: SyncProgress) -> None:
        self.case_list.sync_progressed(step)

    def _sync_finished(self, report: AssistedSyncReport) -> None:
        for part in (self.case_list.table, self.case_list.search):
            part.setEnabled(True)
        self.case_list.sync_finished(report)
        self.case_actions.export_button.setEnabled(self.desk.export_cases is not None)
        self.case_actions.show_book(self.book)
        if self.book is not None:
            self.case_list.show_health(self.book.health(self.desk.clock()), self.desk.clock())

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.session is not None and self.book is not None:
            self.book.hold_for_resume(self._case_in_progress())
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self.timer.stop()
        super().closeEvent(event)
