"""systemd's notify protocol for the kiosk: READY=1 once the attract screen is painted, WATCHDOG=1 from the Qt thread.

``hall-kiosk.service`` is ``Type=notify`` with ``WatchdogSec=``: systemd counts the kiosk as started only when
the first screen is on the glass, and restarts it when the pings stop. The pings come from a timer on the Qt
thread, so an interface that no longer runs its event loop (a frozen screen) stops them, while a process that
is merely alive does not keep them going.

The kiosk runs as a child of the compositor (``cage -- kiosk run``), so systemd's ``WATCHDOG_PID`` names the
compositor, not this process; the unit says ``NotifyAccess=all`` and the pid is not checked here. Without
``NOTIFY_SOCKET`` (a desktop, a test, the demo) nothing is sent.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from PySide6.QtCore import QObject, QTimer

log = logging.getLogger(__name__)

#: The shortest ping interval, so that a tiny ``WatchdogSec=`` cannot busy the Qt thread.
MIN_INTERVAL_MS = 50


class SystemdNotifier:
    """Sends sd_notify datagrams to ``NOTIFY_SOCKET`` (a path, or ``@name`` for the abstract namespace)."""

    def __init__(self, address: str) -> None:
        self._address = "\0" + address[1:] if address.startswith("@") else address
        self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)

    def send(self, message: str) -> bool:
        """Send one message; a lost message is logged, never raised (systemd decides what a silence means)."""
        try:
            self._socket.sendto(message.encode(), self._address)
        except OSError as exc:
            log.warning("sd_notify %r not sent: %s", message.split("\n", 1)[0], exc)
            return False
        return True

    def close(self) -> None:
        self._socket.close()


def watchdog_interval_ms(environ: Mapping[str, str]) -> int | None:
    """Half of systemd's ``WATCHDOG_USEC`` in milliseconds, or ``None`` when no watchdog is asked for."""
    try:
        usec = int(environ.get("WATCHDOG_USEC", ""))
    except ValueError:
        return None
    if usec <= 0:
        return None
    return max(MIN_INTERVAL_MS, usec // 2000)


class KioskWatchdog(QObject):
    """READY=1 after the first paint, then WATCHDOG=1 every half ``WatchdogSec`` from the Qt thread's timer."""

    def __init__(self, notifier: SystemdNotifier, interval_ms: int | None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._notifier = notifier
        self._timer = QTimer(self)
        if interval_ms is not None:
            self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._ping)
        self._interval_ms = interval_ms
        self.ready_sent = False

    def first_paint(self) -> None:
        """Called on the Qt thread once the attract screen is painted."""
        if self.ready_sent:
            return
        self.ready_sent = self._notifier.send("READY=1\nSTATUS=attract screen painted")
        if self._interval_ms is not None:
            self._ping()
            self._timer.start()

    def stopping(self) -> None:
        self._timer.stop()
        self._notifier.send("STOPPING=1")
        self._notifier.close()

    def _ping(self) -> None:
        self._notifier.send("WATCHDOG=1")


def attach_watchdog(
    first_paint: list[Callable[[], None]], parent: QObject, environ: Mapping[str, str] | None = None
) -> KioskWatchdog | None:
    """Wire systemd's notify protocol to a window's first-paint callbacks; ``None`` outside a notify service."""
    env = os.environ if environ is None else environ
    address = env.get("NOTIFY_SOCKET", "")
    if not address:
        return None
    watchdog = KioskWatchdog(SystemdNotifier(address), watchdog_interval_ms(env), parent)
    first_paint.append(watchdog.first_paint)
    return watchdog


#: ``HH:MM`` (local time) in ``/etc/hall-kiosk/kiosk.env``: restart the kiosk at that quiet hour, if no visit is on.
NIGHTLY_ENV = "HALL_KIOSK_NIGHTLY_RESTART"
#: How long after the hour a restart may still happen (waiting for the last visit to end).
NIGHTLY_WINDOW = timedelta(hours=1)


def nightly_due(at: str, started: datetime, now: datetime) -> bool:
    """Whether a kiosk started at ``started`` should restart at ``now`` for the nightly hour ``at`` (``HH:MM``)."""
    hour, minute = (int(part) for part in at.split(":", 1))
    mark = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if now < mark:
        mark -= timedelta(days=1)
    return started < mark <= now < mark + NIGHTLY_WINDOW


def attach_nightly_restart(
    parent: QObject, between_visits: Callable[[], bool], quit_app: Callable[[], None], environ: Mapping[str, str]
) -> QTimer | None:
    """Quit (and so be restarted by ``Restart=always``) at the configured quiet hour, never during a visit."""
    at = environ.get(NIGHTLY_ENV, "").strip()
    if not at:
        return None
    try:
        nightly_due(at, datetime.now(), datetime.now())
    except ValueError:
        log.warning("%s=%r is not HH:MM; no nightly restart", NIGHTLY_ENV, at)
        return None
    started = datetime.now()
    timer = QTimer(parent)
    timer.setInterval(30_000)

    def check() -> None:
        if nightly_due(at, started, datetime.now()) and between_visits():
            log.info("nightly restart at the quiet hour %s", at)
            quit_app()

    timer.timeout.connect(check)
    timer.start()
    return timer
