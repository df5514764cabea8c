"""UI fixtures: one real demo hall (simulated devices, embedded platform on loopback) per module, and
controllers over it with a voice that records what it was asked to say."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from accessibility.voice_recording import RecordingVoice
from kiosk.config import Config, parse_config
from kiosk.hall.compose import Hall, open_hall
from kiosk.paths import TerminalPaths
from kiosk.visit.session import Session
from ui.bridge import MainThreadBridge
from ui.controller import KioskController
from ui.garbage import collect_on_main_thread


class FakeClock:
    """The idle clock's time, moved by the test (the only thing here that is not real)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture(scope="session", autouse=True)
def _garbage_on_the_main_thread(qapp: QApplication) -> None:
    """As in the app: Python's collector runs on the Qt thread only (other threads must not delete widgets)."""
    collect_on_main_thread(qapp)


@pytest.fixture(scope="module")
def demo_config(tmp_path_factory: pytest.TempPathFactory) -> Config:
    data = tmp_path_factory.mktemp("kiosk-data")
    return parse_config(f'data_dir = "{data}"\n[voice]\nengine = "record"\n')


@pytest.fixture(scope="module")
def demo_hall(demo_config: Config, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hall]:
    hall = open_hall(demo_config, demo=True, paths=TerminalPaths(tmp_path_factory.mktemp("hall")))
    yield hall
    hall.close()


@pytest.fixture
def make_controller(
    qtbot: QtBot, demo_config: Config, demo_hall: Hall, session_root: Path
) -> Iterator[Callable[..., tuple[KioskController, RecordingVoice, FakeClock]]]:
    bridge = MainThreadBridge()
    made: list[KioskController] = []

    def make(
        size: tuple[int, int] = (1080, 1920), config: Config | None = None
    ) -> tuple[KioskController, RecordingVoice, FakeClock]:
        voice = RecordingVoice()
        clock = FakeClock()
        controller = KioskController(
            config or demo_config,
            demo_hall.catalog(),
            demo_hall.ports,
            voice,
            bridge,
            clock=clock,
            session=Session(temp_root=session_root),
        )
        qtbot.addWidget(controller.window)
        # qtbot taps the moment a screen is up; the guard against late taps has tests of its own (test_outcome_stays)
        controller.window.tap_guard.seconds = 0.0
        controller.window.resize(*size)
        controller.window.show()
        controller.activate()
        made.append(controller)
        return controller, voice, clock

    yield make
    for controller in made:
        controller.deactivate()
        controller.ports.identification.stop_waiting()
    bridge.shutdown()


def all_visible_text(root: object) -> str:
    """Every text a person could see or a screen reader could read in the window."""
    from PySide6.QtWidgets import QAbstractButton, QLabel, QLineEdit, QWidget

    assert isinstance(root, QWidget)
    parts: list[str] = []
    for widget in root.findChildren(QWidget):
        if isinstance(widget, (QLabel, QAbstractButton, QLineEdit)):
            parts.append(widget.text())
        parts.append(widget.accessibleName())
    return "\n".join(parts)


@pytest.fixture
def session_root(tmp_path: Path) -> Path:
    """Where the visit's photos, scans and signatures go (checked empty after each wipe)."""
    return tmp_path / "sessions"


def settle() -> None:
    """Deliver every event already posted (layout requests, deferred deletes, queued signals): the window is
    laid out as a person would see it, without waiting any fixed time."""
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication

    for _ in range(3):  # a layout pass may post the next one
        QCoreApplication.sendPostedEvents()
        QApplication.processEvents()
