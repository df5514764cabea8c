"""The door to 长辈版 as real 适老化 home screens show it, and the keypad's digits once inside, at the real sizes."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontInfo
from PySide6.QtWidgets import QAbstractButton, QLabel, QPushButton
from pytestqt.qtbot import QtBot

from accessibility.voice_recording import RecordingVoice
from kiosk.visit.showcase import SAMPLE_APPLICANT
from ui.controller import KioskController

from .conftest import FakeClock, settle

Make = Callable[..., tuple[KioskController, RecordingVoice, FakeClock]]
SIZES = {"portrait": (1080, 1920), "landscape": (1920, 1080)}


def targets(controller: KioskController) -> list[QAbstractButton]:
    found = [b for b in controller.window.findChildren(QAbstractButton) if b.isVisible() and b.isEnabled()]
    return sorted(found, key=lambda b: b.width() * b.height(), reverse=True)


@pytest.mark.parametrize("shape", ["portrait", "landscape"])
def test_the_elder_door_is_the_second_largest_target_and_looks_like_no_other(
    qtbot: QtBot, make_controller: Make, shape: str
) -> None:
    controller, _, _ = make_controller(SIZES[shape])
    settle()
    assert controller.theme.name == "standard"
    ranked = targets(controller)
    assert [b.objectName() for b in ranked[:2]] == ["start", "elder-toggle"]
    door = ranked[1]
    assert door.width() * door.height() > 1.25 * max(b.width() * b.height() for b in ranked[2:])
    assert door.height() >= 1.5 * controller.theme.target_px
    # not one of the small grey buttons: a colour and a name of its own, and one door on the screen
    volume = controller.window.findChild(QPushButton, "volume-down")
    assert volume is not None and door.property("role") != volume.property("role")
    image = controller.window.grab().toImage()
    inside = door.mapTo(controller.window, door.rect().topLeft()) + door.rect().center() / 4
    assert image.pixelColor(inside) != image.pixelColor(volume.mapTo(controller.window, volume.rect().center()))
    assert [b.objectName() for b in ranked].count("elder-toggle") == 1
    assert "大字" in " ".join(words.accessibleName() for words in door.findChildren(QLabel))  # what it gives


def test_the_door_opens_elder_mode_and_the_way_back_is_where_it_was(qtbot: QtBot, make_controller: Make) -> None:
    controller, _, _ = make_controller(SIZES["portrait"])
    settle()
    door = controller.window.findChild(QPushButton, "elder-toggle")
    assert door is not None
    qtbot.mouseClick(door, Qt.MouseButton.LeftButton)
    assert controller.theme.name == "elder"
    settle()
    doors = [b for b in controller.window.findChildren(QPushButton, "elder-toggle") if b.isVisible()]
    start = controller.window.findChild(QPushButton, "start")
    assert len(doors) == 1 and start is not None
    back = doors[0]
    assert back.accessibleName() == "退出长辈版"
    below = back.mapTo(controller.window, back.rect().topLeft()).y()
    assert 0 <= below - start.mapTo(controller.window, start.rect().bottomLeft()).y() <= 2 * controller.theme.spacing_px


@pytest.mark.parametrize("shape", ["portrait", "landscape"])
def test_in_elder_mode_the_keypad_digits_are_heading_sized(qtbot: QtBot, make_controller: Make, shape: str) -> None:
    controller, _, _ = make_controller(SIZES[shape])
    controller.set_theme("elder")
    controller.start()
    controller.choose_service("GLJT-01")
    controller.flow.identified(SAMPLE_APPLICANT)
    settle()
    theme = controller.theme
    for name in ("key_1", "key_0"):
        key = controller.window.findChild(QPushButton, name)
        assert key is not None and key.isVisible()
        assert QFontInfo(key.font()).pixelSize() == theme.heading_px, name
    confirm = controller.window.findChild(QPushButton, "key_confirm")
    assert confirm is not None and QFontInfo(confirm.font()).pixelSize() == theme.button_px
    controller.set_theme("standard")
    settle()
    key = controller.window.findChild(QPushButton, "key_1")
    assert key is not None and QFontInfo(key.font()).pixelSize() == controller.theme.button_px
