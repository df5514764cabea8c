"""The "还在办理吗?" countdown: shown when nobody has touched the screen for a while.

"继续办理" gives the full time again and keeps everything entered; reaching zero ends the visit. The clock itself
(``kiosk.visit.idle.IdleClock``) is pure Python; this is its face on the kiosk window, with its voice prompt.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QLabel

from accessibility.chinese_text import keep_last_together
from accessibility.themes import Theme
from accessibility.voice import Voice
from kiosk.visit.idle import IdleClock, IdlePhase
from kiosk.visit.strings import Texts
from ui.shell import KioskWindow, OverlayButton


class IdleWarning:
    """Keeps the countdown overlay in step with the idle clock, once a second."""

    def __init__(
        self,
        window: KioskWindow,
        voice: Voice,
        idle: IdleClock,
        on_expired: Callable[[], None],
        on_extend: Callable[[], None],
    ) -> None:
        self.window = window
        self.voice = voice
        self.idle = idle
        self.on_expired = on_expired
        self.on_extend = on_extend  # the owner's extend: it knows the time
        self._overlay: QLabel | None = None

    def check(self, now: float, theme: Theme, texts: Texts) -> None:
        status = self.idle.status(now)
        if status.phase is IdlePhase.ACTIVE:
            if self._overlay is not None:
                self._overlay = None
                self.window.hide_overlay()
            return
        if status.phase is IdlePhase.EXPIRED:
            self.on_expired()
            return
        countdown = texts("idle.countdown", seconds=status.seconds_left)
        shown = self.window.overlay
        if shown is None or shown.objectName() != "idle-warning":
            self._overlay = None
        if self._overlay is None:
            buttons = []
            if status.can_extend:
                buttons.append(OverlayButton(texts("idle.continue"), self.on_extend, "idle-continue"))
            self._overlay = self.window.show_overlay(
                theme, texts("idle.title"), countdown, buttons, name="idle-warning"
            )
            self.voice.say(texts("idle.prompt"))
        else:
            self._overlay.setText(keep_last_together(countdown))  # no lone 页。 on the last line

    def extend(self, now: float) -> None:
        """The big "继续办理": full time again, everything entered kept."""
        self.idle.extend(now)
        self._overlay = None
        self.window.hide_overlay()
        self.voice.repeat()

    def forget(self) -> None:
        """The overlay was taken down by someone else (the visit ended)."""
        self._overlay = None
