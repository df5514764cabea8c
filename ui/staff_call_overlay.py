"""呼叫工作人员 at the kiosk: the call goes to the platform on a worker; the person is told help is coming (or,
offline, where to go); while the overlay is up, the hall's acknowledgement in its console (no I/O: the heartbeat
brings it) turns it to 工作人员已确认，马上到, said aloud."""

from __future__ import annotations

from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QObject, QTimer

from accessibility.themes import Theme
from accessibility.voice import Voice
from kiosk.visit.ports import StaffCall
from kiosk.visit.strings import Texts
from ui.bridge import MainThreadBridge
from ui.shell import KioskWindow, OverlayButton

#: How often the overlay looks whether the hall acknowledged the call.
ACK_CHECK_MS = 1000


class StaffCallOverlay(QObject):
    def __init__(
        self,
        window: KioskWindow,
        voice: Voice,
        bridge: MainThreadBridge,
        staff: StaffCall,
        look: Callable[[], tuple[Theme, Texts]],
    ) -> None:
        super().__init__()
        self.window = window
        self.voice = voice
        self.bridge = bridge
        self.staff = staff
        self.look = look  # the visit's theme and words now
        self._ack_timer = QTimer(self)
        self._ack_timer.setInterval(ACK_CHECK_MS)
        self._ack_timer.timeout.connect(self.check_acknowledged)

    def call(self, screen: str) -> None:
        """The alert goes to the platform on a worker; the overlay says whether it reached the hall."""
        self.bridge.run_in_worker(
            lambda: self.staff.call_staff(screen),
            self.show_coming,
            lambda _exc: self.show_coming(False),
        )

    def show_coming(self, reached: bool) -> None:
        _theme, texts = self.look()
        self._show(texts("shell.staff_coming" if reached else "shell.staff_coming_offline"))
        if reached:
            self._ack_timer.start()

    def check_acknowledged(self) -> None:
        """The hall acknowledged the call (its console's 确认): the overlay says staff are on the way."""
        overlay = self.window.overlay
        # The window (and its overlay) may be gone already: a closing app, a window closed under the timer.
        if overlay is None or not shiboken6.isValid(overlay) or overlay.objectName() != "staff-called":
            self._ack_timer.stop()
            return
        if not self.staff.staff_coming():
            return
        self._ack_timer.stop()
        _theme, texts = self.look()
        self._show(texts("shell.staff_acknowledged"))

    def stop(self) -> None:
        self._ack_timer.stop()

    def _show(self, text: str) -> None:
        theme, texts = self.look()
        self.window.show_overlay(
            theme,
            texts("shell.call_staff"),
            text,
            [OverlayButton(texts("shell.close"), self.window.hide_overlay, "staff-close")],
            name="staff-called",
        )
        self.voice.say(text)
