"""Device waits start once per step, each with its own cancellation.

The identify screen with the ID card reader unplugged says so once and then leaves the event loop alone; the
QR screen without a camera does the same; a cancelled QR wait never comes back to life; a failed camera
preview frame does not stop the frames after it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QLabel, QPushButton
from pytestqt.qtbot import QtBot

from accessibility.voice_recording import RecordingVoice
from devices.base import DeviceState
from devices.camera.drivers import SimulatedCamera, SourceCamera
from devices.camera.frames import Frame
from devices.camera.sources import FrameSource
from devices.idcard.sim_reader import SimulatedIdCardReader
from kiosk.config import Config
from kiosk.hall.capture import CameraCapture
from kiosk.hall.compose import Hall
from kiosk.hall.identification import ReaderIdentification
from kiosk.hall.notices import CAMERA_USE_CARD, READER_UNAVAILABLE
from kiosk.hall.opening import HallOpening
from kiosk.visit.catalog import parse_catalog
from kiosk.visit.session import Applicant, Session
from kiosk.visit.strings import Texts
from kiosk.visit.views import FlowScreen
from tests.ui.conftest import FakeClock
from ui.bridge import MainThreadBridge
from ui.controller import KioskController

NO_READER = READER_UNAVAILABLE.text(Texts())
NO_CAMERA = CAMERA_USE_CARD.text(Texts())

Make = Callable[..., tuple[KioskController, RecordingVoice, FakeClock]]
WAIT_MS = 20_000
WAIT_S = WAIT_MS / 1000
#: Event-loop turns after the screen settled: a screen that restarts its wait re-renders on every one.
TURNS = 300


def visible_button(controller: KioskController, name: str) -> QPushButton | None:
    for widget in controller.window.findChildren(QPushButton, name):
        if widget.isVisible():
            return widget
    return None


def screen_text(controller: KioskController) -> str:
    """What the labels show (less the zero-width joiner that keeps a text's last two characters on one line)."""
    return "\n".join(w.text().replace("\u2060", "") for w in controller.window.findChildren(QLabel) if w.isVisible())


def count_renders(controller: KioskController, screen: str) -> list[FlowScreen]:
    """Every time the flow hands the controller ``screen`` to render."""
    seen: list[FlowScreen] = []
    controller.flow.on_change.append(lambda s: seen.append(s) if s.name == screen else None)
    return seen


def turn_the_event_loop(turns: int = TURNS) -> None:
    for _ in range(turns):
        QCoreApplication.processEvents()


@pytest.fixture
def reader_unplugged(demo_hall: Hall) -> Iterator[SimulatedIdCardReader]:
    reader = demo_hall.reader
    assert isinstance(reader, SimulatedIdCardReader)
    reader.simulator.unplug()
    try:
        assert reader.check().state is DeviceState.OFFLINE
        yield reader
    finally:
        reader.simulator.replug()
        reader.check()


@pytest.fixture
def camera_unplugged(demo_hall: Hall) -> Iterator[SimulatedCamera]:
    camera = demo_hall.camera
    assert isinstance(camera, SimulatedCamera)
    camera.set_connected(False)
    try:
        assert camera.check().state is DeviceState.OFFLINE
        yield camera
    finally:
        camera.set_connected(True)
        camera.check()


def test_reader_offline_the_identify_screen_says_so_once_and_the_loop_is_idle(
    qtbot: QtBot, make_controller: Make, reader_unplugged: SimulatedIdCardReader
) -> None:
    controller, voice, _ = make_controller()
    renders = count_renders(controller, "identify")
    controller.start()
    controller.choose_service("SBZM-03")
    qtbot.waitUntil(lambda: NO_READER in screen_text(controller), timeout=WAIT_MS)
    turn_the_event_loop()
    assert len(renders) == 2  # the card prompt, then the reader's state: nothing after
    assert voice.said.count(NO_READER) == 1
    assert screen_text(controller).count(NO_READER) == 1
    assert visible_button(controller, "call-staff") is not None
    offer = visible_button(controller, "use-qr")
    assert offer is not None and offer.text() == "改用二维码"


def test_reader_offline_the_qr_code_offered_instead_identifies(
    qtbot: QtBot, make_controller: Make, demo_hall: Hall, reader_unplugged: SimulatedIdCardReader
) -> None:
    camera = demo_hall.camera
    assert isinstance(camera, SimulatedCamera)
    controller, _, _ = make_controller()
    controller.start()
    controller.choose_service("SBZM-03")
    qtbot.waitUntil(lambda: visible_button(controller, "use-qr") is not None, timeout=WAIT_MS)
    offer = visible_button(controller, "use-qr")
    assert offer is not None
    qtbot.mouseClick(offer, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: visible_button(controller, "use-card") is not None, timeout=WAIT_MS)
    try:
        camera.show_scene("qr")
        qtbot.waitUntil(lambda: controller.window.screen_name == "form", timeout=WAIT_MS)
    finally:
        camera.show_scene("empty")
    assert controller.flow.session.applicant is not None and controller.flow.session.applicant.source == "qr"


def test_no_camera_the_qr_screen_says_so_once_and_the_loop_is_idle(
    qtbot: QtBot, make_controller: Make, camera_unplugged: SimulatedCamera
) -> None:
    controller, voice, _ = make_controller()
    renders = count_renders(controller, "identify")
    controller.start()
    controller.choose_service("YBCX-05")
    qtbot.waitUntil(lambda: NO_CAMERA in screen_text(controller), timeout=WAIT_MS)
    turn_the_event_loop()
    assert len(renders) == 2
    assert voice.said.count(NO_CAMERA) == 1
    assert visible_button(controller, "use-card") is not None
    assert visible_button(controller, "call-staff") is not None


def test_a_cancelled_qr_wait_stays_ended_when_the_next_one_starts(demo_hall: Hall) -> None:
    identification = demo_hall.ports.identification
    camera = demo_hall.camera
    assert isinstance(identification, ReaderIdentification) and isinstance(camera, SimulatedCamera)
    camera.show_scene("empty")
    told_first: list[object] = []
    second: list[Applicant] = []
    read = threading.Event()

    def second_read(applicant: Applicant) -> None:
        second.append(applicant)
        read.set()

    first = identification.wait_for_qr(told_first.append, told_first.append)
    first.cancel()
    then = identification.wait_for_qr(second_read, lambda _message: None)
    try:
        assert first.join(WAIT_S)  # the next wait did not bring the first back to life
        camera.show_scene("qr")
        assert read.wait(WAIT_S)
        assert then.join(WAIT_S)
        assert told_first == [] and len(second) == 1 and second[0].source == "qr"
    finally:
        then.cancel()
        camera.show_scene("empty")


def test_a_card_wait_tells_a_lost_reader_once_and_nothing_once_cancelled(demo_hall: Hall) -> None:
    identification = demo_hall.ports.identification
    reader = demo_hall.reader
    assert isinstance(identification, ReaderIdentification) and isinstance(reader, SimulatedIdCardReader)
    assert reader.check().usable
    told: list[object] = []
    told_again = threading.Event()
    wait = identification.wait_for_card(told.append, told.append)
    try:
        reader.simulator.unplug()
        assert reader.check().state is DeviceState.OFFLINE
        assert reader.check().state is DeviceState.OFFLINE
        assert told == [READER_UNAVAILABLE]
    finally:
        wait.cancel()
        reader.simulator.replug()
    assert reader.check().usable
    later = identification.wait_for_card(lambda _applicant: told_again.set(), lambda _message: None)
    try:
        reader.simulator.remove_card()
        reader.simulator.place_card("wang_yan")
        assert told_again.wait(WAIT_S)
        assert told == [READER_UNAVAILABLE]  # the cancelled wait heard nothing of the card
    finally:
        later.cancel()
        reader.simulator.remove_card()


class FlakyFrames(FrameSource):
    """Frames of a new shade each time; asked to, one read fails as a camera driver's read can."""

    description = "frames that can fail once"

    def __init__(self) -> None:
        self.shade = 0
        self.fail_next = threading.Event()
        self.failed = threading.Event()

    def open(self) -> None:
        pass

    def read(self) -> Frame | None:
        if self.fail_next.is_set():
            self.fail_next.clear()
            self.failed.set()
            raise OSError("VIDIOC_DQBUF: input/output error")
        self.shade = (self.shade + 40) % 240
        return np.full((120, 160, 3), self.shade, np.uint8)

    def close(self) -> None:
        pass


@pytest.fixture
def flaky_camera() -> Iterator[tuple[SourceCamera, FlakyFrames]]:
    frames = FlakyFrames()
    camera = SourceCamera("camera", frames, max_fps=20)
    assert camera.open().usable
    yield camera, frames
    camera.close()


def test_a_failed_preview_frame_does_not_stop_the_frames_after_it(
    flaky_camera: tuple[SourceCamera, FlakyFrames],
) -> None:
    camera, frames = flaky_camera
    shown: list[bytes] = []
    arrived = threading.Condition()

    def on_frame(frame: bytes) -> None:
        with arrived:
            shown.append(frame)
            arrived.notify_all()

    wait = CameraCapture(camera).watch_preview(on_frame)
    try:
        with arrived:
            assert arrived.wait_for(lambda: len(shown) >= 1, WAIT_S)
        frames.fail_next.set()
        assert frames.failed.wait(WAIT_S)
        with arrived:
            after = len(shown)
            assert arrived.wait_for(lambda: len(shown) >= after + 2, WAIT_S)
    finally:
        wait.cancel()
    assert wait.join(WAIT_S)


CAMERA_CATALOG = """{"version": "test", "services": [{"code": "SCAN-01", "identification": "none",
  "name": {"zh": "材料扫描", "en": "Scan a document"}, "department": {"zh": "大厅", "en": "Hall"},
  "category": {"zh": "其他", "en": "Other"},
  "fields": [{"key": "page", "kind": "document", "label": {"zh": "材料", "en": "Document"}}]}]}"""


def preview_shade(controller: KioskController) -> int | None:
    for label in controller.window.findChildren(QLabel, "camera-preview"):
        pixmap = label.pixmap()
        if label.isVisible() and not pixmap.isNull():
            return int(pixmap.toImage().pixelColor(4, 4).red())
    return None


def test_the_camera_step_keeps_showing_new_pictures_after_a_failed_frame(
    qtbot: QtBot,
    demo_config: Config,
    demo_hall: Hall,
    session_root: Path,
    flaky_camera: tuple[SourceCamera, FlakyFrames],
) -> None:
    camera, frames = flaky_camera
    ports = replace(demo_hall.ports, capture=CameraCapture(camera))
    bridge = MainThreadBridge()
    controller = KioskController(
        demo_config,
        parse_catalog(CAMERA_CATALOG),
        ports,
        RecordingVoice(),
        bridge,
        clock=FakeClock(),
        session=Session(temp_root=session_root),
    )
    qtbot.addWidget(controller.window)
    controller.window.show()
    try:
        controller.start()
        controller.choose_service("SCAN-01")
        qtbot.waitUntil(lambda: preview_shade(controller) is not None, timeout=WAIT_MS)
        frames.fail_next.set()
        qtbot.waitUntil(frames.failed.is_set, timeout=WAIT_MS)
        stale = preview_shade(controller)
        qtbot.waitUntil(lambda: preview_shade(controller) not in (None, stale), timeout=WAIT_MS)
    finally:
        controller.deactivate()
        bridge.shutdown()


def test_a_wait_asked_for_while_the_hall_opens_starts_with_it_unless_cancelled(
    demo_hall: Hall, reader_unplugged: SimulatedIdCardReader
) -> None:
    gate = threading.Event()

    def open_late() -> Hall:
        gate.wait(WAIT_S)
        return demo_hall

    opening = HallOpening(open_late, demo=True)
    opening.start()
    identification = opening.ports.identification
    told_cancelled: list[object] = []
    told: list[object] = []
    early = identification.wait_for_card(told_cancelled.append, told_cancelled.append)
    early.cancel()
    on_time = identification.wait_for_card(told.append, told.append)
    gate.set()
    for thread in threading.enumerate():
        if thread.name == "identify-when-open":
            thread.join(WAIT_S)
    on_time.cancel()
    assert told == [READER_UNAVAILABLE]  # the reader is unplugged: the wait that started says so, once
    assert told_cancelled == []
