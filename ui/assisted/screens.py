"""Every screen of the staff member's client with representative data, for ``kiosk screenshots`` and the
accessibility audit: built over a demo laptop (``ui.assisted.showcase``) in a folder of the caller's."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import replace
from pathlib import Path
from tempfile import TemporaryDirectory

from PySide6.QtCore import QCoreApplication, QPointF
from PySide6.QtWidgets import QApplication

from kiosk.assisted.cases import CaseBook
from kiosk.assisted.limits import CaseLimits
from kiosk.assisted.staff import StaffSession
from kiosk.hall.assisted_sync import AssistedSyncReport, SyncProgress
from kiosk.visit.catalog import Catalog
from ui.assisted.case_editor import CaseEditor
from ui.assisted.desk import AssistedDesk
from ui.assisted.showcase import DEMO_NOW, DEMO_STAFF, demo_desk, demo_id_number, fill_cases
from ui.assisted.window import AssistedWindow

SIZES = {"laptop": (1366, 768), "desktop": (1920, 1080)}
Drive = Callable[[AssistedWindow], None]


class _Seconds:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _away(book: CaseBook, session: StaffSession, progress: Callable[[SyncProgress], None]) -> AssistedSyncReport:
    """A village without network: what the sync answers there."""
    return AssistedSyncReport(False, message="平台无法连接：案件都已安全保存在本机，联网后再同步")


def settle() -> None:
    for _ in range(3):
        QCoreApplication.sendPostedEvents()
        QApplication.processEvents()


def _log_in(window: AssistedWindow, index: int = 0) -> None:
    staff = DEMO_STAFF[index]
    window.log_in(staff.staff_no, staff.password)


def _with_cases(window: AssistedWindow) -> None:
    _log_in(window)
    assert window.book is not None
    if len(window.book) == 0:
        fill_cases(window.book, window.desk.catalog, DEMO_NOW)
    window.show_list()
    window.case_list.table.selectRow(0)


def _refused_login(window: AssistedWindow) -> None:
    window.login_screen.staff_no.setText("A001")
    window.login_screen.password.setText("wrong")
    window.login_screen.button.click()


def _syncing(window: AssistedWindow) -> None:
    _with_cases(window)
    window.case_list.sync_started()
    window.case_list.sync_progressed(SyncProgress("send", 3, 4, "正在发送 4 件：已发送 3 件"))


def _new_case(service: str, *, typed: bool) -> Drive:
    def drive(window: AssistedWindow) -> None:
        _log_in(window)
        editor = window.open_editor(None)
        assert editor is not None
        editor.choose_service(service)
        if typed:
            editor.resident.name.set_value("张桂兰")
            editor.resident.id_number.set_value(demo_id_number(7))
            editor.resident.phone.set_value("13900000007")
            editor.resident.resident_did_change.emit()

    return drive


def _refused_send(window: AssistedWindow) -> None:
    _new_case("GLJT-01", typed=True)(window)
    editor = window.page
    assert isinstance(editor, CaseEditor)
    editor.save_and_send()


def _signed(window: AssistedWindow) -> None:
    _new_case("GLJT-01", typed=True)(window)
    editor = window.page
    assert isinstance(editor, CaseEditor)
    editor.authorization.pad.add_stroke([QPointF(20, 60), QPointF(90, 30), QPointF(160, 70), QPointF(240, 40)])
    editor.authorization.grantee_id.set_value(demo_id_number(99, born=1980))
    editor.authorization.grantee_phone.set_value("13800000099")


def _first(window: AssistedWindow, state: str) -> str:
    _with_cases(window)
    assert window.book is not None
    return next(c.case_id for c in window.book.cases() if c.state == state)


def _slip(window: AssistedWindow) -> None:
    window.show_slip(_first(window, "queued"))


def _view(window: AssistedWindow) -> None:
    window.open_case(_first(window, "quarantined"))


def _event(kind: str) -> Drive:
    def drive(window: AssistedWindow) -> None:
        window.open_event(_first(window, "concluded"), kind)

    return drive


def _idle(window: AssistedWindow, *, lock: bool) -> None:
    _new_case("GLJT-01", typed=True)(window)
    clock = window.desk.monotonic
    assert isinstance(clock, _Seconds)
    clock.now += window.desk.idle.lock_after - window.desk.idle.warn_before + 3 + (60 if lock else 0)
    window.tick()


def _limits(limits: CaseLimits) -> Drive:
    def drive(window: AssistedWindow) -> None:
        _with_cases(window)
        assert window.book is not None
        window.book.limits = limits
        window.show_list()
        window.case_list.table.selectRow(0)

    return drive


def screens() -> list[tuple[str, Drive]]:
    """Every screen of the client (label, how to get there), in the order a working day meets them."""
    return [
        ("a01-login", lambda window: None),
        ("a02-login-refused", _refused_login),
        ("a03-case-list", _with_cases),
        ("a04-case-list-warn", _limits(CaseLimits(warn_unsent=3, refuse_unsent=100))),
        ("a05-case-list-refuse", _limits(CaseLimits(warn_unsent=2, refuse_unsent=3))),
        ("a06-case-list-syncing", _syncing),
        ("a07-new-case", _new_case("GLJT-01", typed=True)),
        ("a08-new-case-in-person-refused", _new_case("YLRZ-02", typed=False)),
        ("a09-new-case-not-yet", _refused_send),
        ("a10-new-case-signed", _signed),
        ("a11-slip", _slip),
        ("a12-case-needs-action", _view),
        ("a13-hand-back", _event("handed_back")),
        ("a14-follow-up", _event("followed_up")),
        ("a15-idle-warning", lambda window: _idle(window, lock=False)),
        ("a16-locked", lambda window: _idle(window, lock=True)),
    ]


@contextmanager
def demo_laptop(catalog: Catalog) -> Iterator[Callable[[], AssistedDesk]]:
    """Fresh demo laptops in a temporary folder: one per screen, so no screen sees another's cases."""
    with TemporaryDirectory(prefix="assisted-screens-") as folder:
        made = [0]

        def make() -> AssistedDesk:
            made[0] += 1
            desk = demo_desk(Path(folder) / str(made[0]), catalog)
            return replace(desk, monotonic=_Seconds(), sync=_away)

        yield make


def build(make: Callable[[], AssistedDesk], drive: Drive, size: tuple[int, int]) -> AssistedWindow:
    window = AssistedWindow(make())
    window.timer.stop()  # the screen as driven, not as a second later
    window.setFixedSize(*size)
    window.show()
    settle()
    drive(window)
    settle()
    return window


def render_assisted(catalog: Catalog, out_dir: Path) -> list[Path]:
    """``kiosk screenshots``: every screen at a laptop's 1366×768 and a desktop's 1920×1080."""
    return render_screens(demo_laptop(catalog), screens(), out_dir)


def render_screens(
    laptop: AbstractContextManager[Callable[[], AssistedDesk]], listed: list[tuple[str, Drive]], out_dir: Path
) -> list[Path]:
    """Each of ``listed`` over a laptop of ``laptop``, at every size of :data:`SIZES`, as a PNG in ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with laptop as make:
        for size_name, size in SIZES.items():
            for label, drive in listed:
                window = build(make, drive, size)
                path = out_dir / f"{label}__desktop__{size_name}.png"
                window.grab().save(str(path))
                written.append(path)
                window.close()
                window.deleteLater()
    return written
