"""A scripted resident for the flow and soak benchmarks: taps through 高龄津贴申请 with the demo ID card, as
the UI tests do, counting taps (digits on the keypad excluded) and timing tap → painted screen."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import QEvent, QObject, QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QPushButton

from ui.controller import KioskController
from ui.signature import SignaturePad


class PaintWatch(QObject):
    """Notes when anything in the window last painted."""

    def __init__(self) -> None:
        super().__init__()
        self.painted_at = 0.0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Paint:
            self.painted_at = time.perf_counter()
        return False


@dataclass
class Resident:
    controller: KioskController
    place_card: Callable[[], None]
    latencies_ms: list[float] = field(default_factory=list)
    taps: int = 0
    watch: PaintWatch = field(default_factory=PaintWatch)

    def __post_init__(self) -> None:
        app = QApplication.instance()
        assert app is not None
        app.installEventFilter(self.watch)

    def _button(self, name: str) -> QPushButton | None:
        for widget in self.controller.window.findChildren(QPushButton, name):
            if widget.isVisible() and widget.isEnabled():
                return widget
        return None

    def wait(self, condition: Callable[[], bool], timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError(f"stuck on {self.controller.window.screen_name}")
            QApplication.processEvents()
            time.sleep(0.002)

    def tap(self, name: str, *, counted: bool = True, timed: bool = True) -> None:
        self.wait(lambda: self._button(name) is not None)
        button = self._button(name)
        assert button is not None
        started = time.perf_counter()
        self.watch.painted_at = 0.0
        QTest.mouseClick(button, Qt.MouseButton.LeftButton)
        if timed:
            # the next screen (or the same screen with new content) has painted
            self.wait(lambda: self.watch.painted_at >= started, timeout=5)
            self.latencies_ms.append((self.watch.painted_at - started) * 1000)
        if counted:
            self.taps += 1

    def on(self, screen: str) -> None:
        self.wait(lambda: self.controller.window.screen_name == screen)

    def old_age_allowance(self) -> str:
        """One whole visit; returns the case number."""
        self.tap("start")
        self.tap("service-GLJT-01")
        self.on("identify")
        self.place_card()
        self.on("form")
        for digit in "13812345678":
            self.tap(f"key_{digit}", counted=False, timed=False)
        self.tap("key_confirm")
        self.tap("choice-sscard")
        self.tap("choice-no")
        pad = self.controller.window.findChild(SignaturePad, "signature-pad")
        assert pad is not None
        pad.add_stroke([QPointF(30, 30), QPointF(200, 100), QPointF(300, 40)])  # a finger's stroke, not a tap
        self.tap("next")
        self.on("review")
        self.tap("submit")
        self.wait(lambda: self.controller.flow.step == "receipt" and self._printed())
        outcome = self.controller.flow.outcome
        case_no = outcome.case_no if outcome else ""
        self.on("rating")  # it comes by itself after the receipt: no tap
        self.tap("rate-5")
        self.on("thanks")
        self.controller.wipe()
        self.on("attract")
        return case_no

    def _printed(self) -> bool:
        view = self.controller.flow.screen.view
        return getattr(view, "state", "") == "printed"
