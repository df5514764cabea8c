"""Technician mode on the kiosk: the PIN keypad, then the devices' states, a test receipt and send-now."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from accessibility.themes import Theme
from kiosk.hall.technician_pin import PinAnswer, PinLock
from kiosk.visit.ports import HallError, StatusLine, TechnicianDesk
from kiosk.visit.strings import Texts
from ui.bridge import MainThreadBridge
from ui.shell import KioskWindow, OverlayButton
from ui.widgets.keypad import NumericKeypad

MARKS = {"ok": "✔", "degraded": "⚠", "offline": "✖"}


class TechnicianPanel:
    def __init__(
        self, window: KioskWindow, desk: TechnicianDesk | None, bridge: MainThreadBridge, lock: PinLock
    ) -> None:
        self.window = window
        self.desk = desk
        self.bridge = bridge
        self.lock = lock
        self._theme: Theme | None = None
        self._texts = Texts()

    def open(self, theme: Theme, texts: Texts) -> None:
        """The PIN first: a keypad over everything, nothing of the screen beneath reachable."""
        self._theme, self._texts = theme, texts
        keypad = NumericKeypad(theme, max_length=12)
        keypad.setObjectName("technician-pin")
        keypad.confirmed.connect(lambda: self.check_pin(keypad.value()))
        self.window.show_overlay(
            theme,
            texts("tech.title"),
            texts("tech.pin_prompt"),
            [OverlayButton(texts("tech.exit"), self.window.hide_overlay, "technician-exit", "secondary")],
            name="technician-pin-panel",
            extra=keypad,
        )

    def check_pin(self, pin: str) -> None:
        """The slow hash (≈ 0.1 s) is checked on a worker; the answer comes back to the keypad."""
        self.bridge.run_in_worker(lambda: self._try(pin), self._answered)

    def _try(self, pin: str) -> PinAnswer:
        answer = self.lock.try_pin(pin)
        if self.desk is not None:
            self.desk.pin_entered(answer.ok, answer.locked_seconds)  # into the audit log, right or wrong
        return answer

    def _answered(self, answer: PinAnswer) -> None:
        if answer.ok:
            self._refresh()
            return
        overlay = self.window.overlay
        message = overlay.findChild(QLabel, "technician-pin-panel-message") if overlay else None
        if message is not None:
            if answer.locked_seconds:
                message.setText(self._texts("tech.locked", seconds=answer.locked_seconds))
            else:
                message.setText(self._texts("tech.pin_wrong", left=answer.attempts_left))

    def _report(self) -> list[StatusLine]:
        return self.desk.report() if self.desk is not None else []

    def _refresh(self, note: str = "") -> None:
        """The states are read on a worker (the outbox's counts, each device's health), then shown."""
        self.bridge.run_in_worker(self._report, lambda lines: self._show_panel(lines, note))

    def _show_panel(self, lines: list[StatusLine], note: str = "") -> None:
        theme, texts = self._theme, self._texts
        assert theme is not None
        status = QLabel(
            "\n".join(f"{MARKS.get(line.state, '?')} {line.name}: {line.state} — {line.reason}" for line in lines)
        )
        status.setObjectName("technician-status")
        status.setWordWrap(True)
        status.setProperty("role", "small")
        buttons = [
            OverlayButton(texts("tech.test_print"), lambda: self._do("test_print"), "tech-test-print"),
            OverlayButton(texts("tech.sync_now"), lambda: self._do("sync_now"), "tech-sync-now"),
            OverlayButton(texts("tech.exit"), self.window.hide_overlay, "technician-exit", "secondary"),
        ]
        self.window.show_overlay(theme, texts("tech.title"), note, buttons, name="technician-panel", extra=status)

    def _do(self, what: str) -> None:
        desk = self.desk
        if desk is None:
            return
        work = desk.test_print if what == "test_print" else desk.sync_now

        def then_report() -> tuple[str, list[StatusLine]]:
            return work(), self._report()

        def failed(exc: Exception) -> None:
            self._refresh(exc.message if isinstance(exc, HallError) else str(exc))

        self.bridge.run_in_worker(then_report, lambda done: self._show_panel(done[1], done[0]), failed)
