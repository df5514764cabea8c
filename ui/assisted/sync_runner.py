"""One sync at a time on a worker thread, its progress and its report delivered on the Qt thread (signals
emitted from the worker are queued to the receiver's thread)."""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Signal

from kiosk.assisted.cases import CaseBook
from kiosk.assisted.staff import StaffSession
from kiosk.hall.assisted_sync import AssistedSyncReport
from ui.assisted.desk import PullStaff, RunSync


class StaffPull(QObject):
    """The staff list from the platform, on a worker thread; ``pull_did_finish(message, reached)``."""

    pull_did_finish = Signal(str, bool)

    def __init__(self, pull: PullStaff) -> None:
        super().__init__()
        self._pull = pull
        self._thread: threading.Thread | None = None

    def start(self) -> bool:
        if self._thread is not None and self._thread.is_alive():
            return False

        def work() -> None:
            try:
                count = self._pull()
            except Exception as exc:  # noqa: BLE001 - the platform away: said in words on the login screen
                self.pull_did_finish.emit(f"未能同步工作人员名单：{exc}；请检查网络后再试", False)
                return
            self.pull_did_finish.emit(f"已同步工作人员名单（{count} 人），可以登录", True)

        self._thread = threading.Thread(target=work, name="assisted-staff-pull", daemon=True)
        self._thread.start()
        return True

    def wait(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)


class SyncRunner(QObject):
    sync_did_progress = Signal(object)
    sync_did_finish = Signal(object)

    def __init__(self, run: RunSync) -> None:
        super().__init__()
        self._run = run
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, book: CaseBook, session: StaffSession) -> bool:
        if self.running:
            return False

        def work() -> None:
            try:
                report = self._run(book, session, self.sync_did_progress.emit)
            except Exception as exc:  # noqa: BLE001 - shown to the staff member, never a traceback on screen
                report = AssistedSyncReport(
                    False, message=f"同步未完成：{exc.__class__.__name__}；案件仍安全保存在本机"
                )
            self.sync_did_finish.emit(report)

        self._thread = threading.Thread(target=work, name="assisted-sync", daemon=True)
        self._thread.start()
        return True

    def wait(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)
