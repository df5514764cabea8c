"""What the tests of the staff member's client share: a laptop over the real demo hall (its outbox, its sync
engine, the embedded platform on loopback), with the demo staff directory and a clock the test moves."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

from pytestqt.qtbot import QtBot

from kiosk.assisted.staff import StaffSession
from kiosk.hall.assisted_outbox import AssistedOutbox
from kiosk.hall.assisted_sync import AssistedSync
from kiosk.hall.compose import Hall
from kiosk.visit.ports import Terminal
from ui.assisted.desk import AssistedDesk
from ui.assisted.showcase import DEMO_NOW, DEMO_STAFF, demo_desk
from ui.assisted.window import AssistedWindow

SIZE = (1366, 768)


@dataclass
class Clocks:
    """The hall's time and the idle lock's seconds, both moved by the test."""

    now: datetime = DEMO_NOW
    seconds: float = 1000.0

    def wall(self) -> datetime:
        return self.now

    def monotonic(self) -> float:
        return self.seconds


def laptop(root: Path, hall: Hall, clocks: Clocks, *, contacted_days_ago: float = 1) -> AssistedDesk:
    desk = demo_desk(root, hall.catalog(), clock=clocks.wall)
    if contacted_days_ago != 1:
        desk.directory.note_contact(clocks.now - timedelta(days=contacted_days_ago))
    config = hall.config
    outbox = AssistedOutbox(hall.outbox, Terminal(config.terminal.id, config.terminal.region_code))
    sync = AssistedSync(hall.sync.courier.client, desk.directory, outbox, hall.sync.run_once, clocks.wall)
    return replace(
        desk, monotonic=clocks.monotonic, send_case=outbox.send, send_event=outbox.send_event, sync=sync.run
    )


def open_window(qtbot: QtBot, desk: AssistedDesk) -> AssistedWindow:
    window = AssistedWindow(desk)
    qtbot.addWidget(window)
    window.timer.stop()  # the test ticks the idle clock itself
    window.resize(*SIZE)
    window.show()
    return window


def log_in(window: AssistedWindow, index: int) -> StaffSession | None:
    """Type the demo member's number and password and press 登录; the session, or ``None`` if refused."""
    staff = DEMO_STAFF[index]
    window.login_screen.staff_no.setText(staff.staff_no)
    window.login_screen.password.setText(staff.password)
    window.login_screen.button.click()
    return window.session


def closing(window: AssistedWindow) -> Iterator[AssistedWindow]:
    yield window
    if window.sync is not None:
        window.sync.wait(30)
    window.close()
