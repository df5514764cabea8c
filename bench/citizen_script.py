"""A scripted resident for the flow and soak benchmarks: taps through 高龄津贴申请 with the demo ID card, as
the UI tests do, counting taps (digits on the keypad excluded) and timing tap → painted screen."""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QPointF, Qt
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
            # processEvents() leaves deleteLater() to the event loop; do what app.exec() would do
            QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
            time.sleep(0.002)

    def tap(self, name: str, *, counted: bool = True, timed: bool = True) -> None:
        # A button that appeared where another one stood takes taps only after the shell's tap guard lets it
        # (a person's finger is not that fast either).
        guard = self.controller.window.tap_guard
        self.wait(lambda: (found := self._button(name)) is not None and not guard.holds(found))
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
        self.wait(lambda: self.controller.flow.step == "result" and self._printed())
        outcome = self.controller.flow.outcome
        case_no = outcome.case_no if outcome else ""
        self.tap("done")  # the outcome and its receipt stay until the person moves on
        self.on("rating")
        self.tap("rate-5")
        self.on("thanks")
        self.controller.wipe()
        self.on("attract")
        return case_no

    def _printed(self) -> bool:
        view = self.controller.flow.screen.view
        return getattr(view, "print_state", "") == "printed"


@contextlib.contextmanager
def external_platform(folder: Path, terminal_id: str = "demo-0001") -> Iterator[str]:
    """A central platform in its own process on loopback; yields the ``[platform]`` TOML for the terminal."""
    central = [sys.executable, "-m", "central.cli"]
    db = f"sqlite:///{folder / 'central.sqlite3'}"
    keys = folder / "platform-keys.json"
    subprocess.run([*central, "keygen", "--out", str(keys)], check=True, capture_output=True)
    token = subprocess.run(
        [*central, "enroll", terminal_id, "--db", db], check=True, capture_output=True, text=True
    ).stdout.strip().splitlines()[-1]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [*central, "serve", "--port", str(port), "--db", db, "--keys", str(keys)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(url + "/api/v1/platform-keys", timeout=2) as answer:
                    platform_keys = json.load(answer)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield (
            f'[platform]\nurl = "{url}"\ntoken = "{token}"\n'
            f'public_key = "{platform_keys["seal_public_key"]}"\nverify_tls = false\n'
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
