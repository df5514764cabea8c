"""The kiosk's sd_notify watchdog against a real datagram socket, as systemd would hold it.

READY=1 comes after the first paint, WATCHDOG=1 keeps coming from the Qt thread, and stops while that thread is
blocked (a frozen interface), so systemd's ``WatchdogSec=`` restarts it. The last test runs the real
``kiosk run --demo`` with ``NOTIFY_SOCKET`` set, as ``hall-kiosk.service`` does.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from ui.watchdog import MIN_INTERVAL_MS, attach_watchdog, watchdog_interval_ms

INTERVAL_MS = 60


class NotifySocket:
    """A bound SOCK_DGRAM socket that records every message, as systemd's notify socket would receive them."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(str(path))
        self.messages: list[str] = []
        self.arrived = threading.Condition()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        while True:
            try:
                data = self.sock.recv(4096)
            except OSError:
                return
            with self.arrived:
                self.messages.append(data.decode())
                self.arrived.notify_all()

    def count(self, prefix: str) -> int:
        with self.arrived:
            return sum(1 for m in self.messages if m.startswith(prefix))

    def wait_for(self, predicate: Callable[[], bool], timeout: float) -> bool:
        """Wait (without the Qt loop) until ``predicate`` holds for the messages, or ``timeout`` passes."""
        with self.arrived:
            return self.arrived.wait_for(predicate, timeout)

    def close(self) -> None:
        self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()
        self._thread.join(timeout=5)


@pytest.fixture
def notify_socket(tmp_path: Path) -> Iterator[NotifySocket]:
    listener = NotifySocket(tmp_path / "notify")
    yield listener
    listener.close()


class PaintedWindow(QWidget):
    """A window with the shell's first-paint hook (``KioskWindow.window_did_first_paint``)."""

    def __init__(self) -> None:
        super().__init__()
        self.window_did_first_paint: list[Callable[[], None]] = []
        self.painted = False

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self.painted:
            self.painted = True
            for callback in self.window_did_first_paint:
                QTimer.singleShot(0, callback)


def test_interval_is_half_the_watchdog_and_absent_without_one() -> None:
    assert watchdog_interval_ms({"WATCHDOG_USEC": "30000000"}) == 15000
    assert watchdog_interval_ms({"WATCHDOG_USEC": "10"}) == MIN_INTERVAL_MS
    assert watchdog_interval_ms({}) is None
    assert watchdog_interval_ms({"WATCHDOG_USEC": "soon"}) is None


def test_nothing_is_attached_outside_a_notify_service(qtbot: QtBot) -> None:
    window = PaintedWindow()
    qtbot.addWidget(window)
    assert attach_watchdog(window.window_did_first_paint, window, {}) is None
    assert window.window_did_first_paint == []


def test_ready_after_first_paint_pings_keep_coming_and_stop_while_the_qt_thread_is_blocked(
    qtbot: QtBot, notify_socket: NotifySocket
) -> None:
    window = PaintedWindow()
    qtbot.addWidget(window)
    env = {"NOTIFY_SOCKET": str(notify_socket.path), "WATCHDOG_USEC": str(INTERVAL_MS * 2000)}
    watchdog = attach_watchdog(window.window_did_first_paint, window, env)
    assert watchdog is not None
    assert notify_socket.messages == []  # nothing before the window exists on screen

    window.show()
    qtbot.waitUntil(lambda: notify_socket.count("WATCHDOG=1") >= 3, timeout=10_000)
    assert window.painted
    assert notify_socket.messages[0].startswith("READY=1")
    assert notify_socket.count("READY=1") == 1

    # Block the Qt thread until a helper thread has seen ten intervals pass without a ping, then release it.
    blocked = threading.Event()
    release = threading.Event()
    silent: list[bool] = []

    def freeze() -> None:
        blocked.set()
        release.wait(timeout=30)

    def observe() -> None:
        blocked.wait(timeout=30)
        before = notify_socket.count("WATCHDOG=1")
        quiet = not notify_socket.wait_for(
            lambda: notify_socket.count("WATCHDOG=1") > before, timeout=10 * INTERVAL_MS / 1000
        )
        silent.append(quiet)
        release.set()

    observer = threading.Thread(target=observe)
    observer.start()
    QTimer.singleShot(0, freeze)
    qtbot.waitUntil(lambda: bool(silent), timeout=30_000)
    observer.join(timeout=5)
    assert silent == [True], "WATCHDOG=1 kept coming while the Qt thread was blocked"

    resumed_from = notify_socket.count("WATCHDOG=1")
    qtbot.waitUntil(lambda: notify_socket.count("WATCHDOG=1") >= resumed_from + 2, timeout=10_000)


def test_the_real_kiosk_reports_ready_and_pings(tmp_path: Path, notify_socket: NotifySocket) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'data_dir = "{tmp_path / "data"}"\n[voice]\nengine = "record"\n', encoding="utf-8")
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "NOTIFY_SOCKET": str(notify_socket.path),
        "WATCHDOG_USEC": "400000",
    }
    kiosk = subprocess.Popen(
        [sys.executable, "-m", "kiosk.cli.main", "--config", str(config), "run", "--demo"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        arrived = notify_socket.wait_for(lambda: notify_socket.count("WATCHDOG=1") >= 2, timeout=120)
        assert arrived, f"no READY/WATCHDOG from the kiosk: {notify_socket.messages}"
        assert notify_socket.messages[0].startswith("READY=1")
        assert kiosk.poll() is None
    finally:
        kiosk.terminate()
        kiosk.communicate(timeout=30)


def test_nightly_restart_only_once_in_the_hour_after_the_mark() -> None:
    from datetime import datetime

    from ui.watchdog import nightly_due

    started = datetime(2026, 5, 1, 8, 0)
    assert not nightly_due("03:30", started, datetime(2026, 5, 1, 23, 0))  # before the mark
    assert nightly_due("03:30", started, datetime(2026, 5, 2, 3, 31))  # the quiet hour
    assert nightly_due("03:30", started, datetime(2026, 5, 2, 4, 29))  # a visit ran late: still that hour
    assert not nightly_due("03:30", started, datetime(2026, 5, 2, 4, 31))  # the hour passed: tomorrow
    assert not nightly_due("03:30", datetime(2026, 5, 2, 3, 30, 20), datetime(2026, 5, 2, 3, 31))  # just restarted
