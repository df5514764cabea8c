"""The kiosk shell, driven as a citizen would with pytest-qt offscreen, over a real demo hall."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontInfo
from PySide6.QtWidgets import QLabel, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from accessibility.voice_recording import RecordingVoice
from kiosk.visit.showcase import SAMPLE_APPLICANT
from ui.controller import KioskController

from .conftest import FakeClock, all_visible_text

Make = Callable[..., tuple[KioskController, RecordingVoice, FakeClock]]


def tap(qtbot: QtBot, controller: KioskController, name: str) -> None:
    widget = controller.window.findChild(QPushButton, name)
    assert widget is not None, f"no button {name!r} on {controller.window.screen_name}"
    assert widget.isVisible() and widget.isEnabled(), name
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def heading_px(controller: KioskController) -> int:
    labels = [w for w in controller.window.findChildren(QLabel) if w.property("role") == "heading" and w.isVisible()]
    assert labels
    return QFontInfo(labels[0].font()).pixelSize()


def to_phone_field(qtbot: QtBot, controller: KioskController) -> None:
    tap(qtbot, controller, "start")
    tap(qtbot, controller, "service-GLJT-01")
    controller.flow.identified(SAMPLE_APPLICANT)
    assert controller.window.screen_name == "form"


def type_digits(qtbot: QtBot, controller: KioskController, digits: str) -> None:
    for digit in digits:
        tap(qtbot, controller, f"key_{digit}")


def test_shell_boots_to_the_attract_screen_and_speaks(make_controller: Make) -> None:
    controller, voice, _ = make_controller()
    assert controller.window.screen_name == "attract"
    text = all_visible_text(controller.window)
    assert "开始办理" in text and "示范区政务服务中心" in text
    assert voice.said and "开始办理" in voice.said[0]
    for name in ("elder-toggle", "call-staff", "repeat", "volume-up", "volume-down"):
        assert controller.window.findChild(QPushButton, name) is not None


def test_elder_toggle_is_one_tap_from_every_screen_and_enlarges_text(qtbot: QtBot, make_controller: Make) -> None:
    controller, voice, _ = make_controller()
    standard = heading_px(controller)
    tap(qtbot, controller, "elder-toggle")
    assert controller.theme.name == "elder"
    assert heading_px(controller) > standard
    assert heading_px(controller) >= 48
    assert voice.elder
    tap(qtbot, controller, "start")
    tap(qtbot, controller, "elder-toggle")
    assert controller.theme.name == "standard"
    assert heading_px(controller) == standard


def test_idle_expiry_empties_every_field_and_returns_to_attract(qtbot: QtBot, make_controller: Make) -> None:
    controller, voice, clock = make_controller()
    to_phone_field(qtbot, controller)
    type_digits(qtbot, controller, "13812345678")
    assert "13812345678" in all_visible_text(controller.window)
    clock.advance(61)
    controller.tick()
    warning = controller.window.overlay
    assert warning is not None and warning.objectName() == "idle-warning"
    assert any("还在办理" in s for s in voice.said)
    clock.advance(31)
    controller.tick()
    assert controller.window.screen_name == "attract"
    assert controller.window.overlay is None
    assert "13812345678" not in all_visible_text(controller.window)
    assert controller.flow.session.answers == {}
    assert controller.flow.session.applicant is None


def test_extend_keeps_what_was_entered(qtbot: QtBot, make_controller: Make) -> None:
    controller, _, clock = make_controller()
    to_phone_field(qtbot, controller)
    type_digits(qtbot, controller, "13812345678")
    tap(qtbot, controller, "key_confirm")
    assert controller.flow.session.answers["phone"].value == "13812345678"
    for _ in range(10):  # WCAG 2.2.1: at least ten extensions
        clock.advance(61)
        controller.tick()
        tap(qtbot, controller, "idle-continue")
        assert controller.window.overlay is None
    assert controller.window.screen_name == "form"
    assert controller.flow.session.answers["phone"].value == "13812345678"


def test_elder_mode_doubles_the_idle_time(qtbot: QtBot, make_controller: Make) -> None:
    controller, _, clock = make_controller()
    tap(qtbot, controller, "elder-toggle")
    tap(qtbot, controller, "start")
    clock.advance(100)
    controller.tick()
    assert controller.window.overlay is None
    clock.advance(30)
    controller.tick()
    assert controller.window.overlay is not None


def test_wipe_restores_the_halls_theme_and_volume(qtbot: QtBot, make_controller: Make) -> None:
    controller, voice, clock = make_controller()
    default_volume = voice.volume
    tap(qtbot, controller, "elder-toggle")
    tap(qtbot, controller, "volume-up")
    assert voice.volume > default_volume
    tap(qtbot, controller, "start")
    clock.advance(400)
    controller.tick()
    assert controller.window.screen_name == "attract"
    assert controller.theme.name == "standard"
    assert voice.volume == default_volume


def test_call_staff_is_on_every_screen_and_answers_in_words_and_voice(qtbot: QtBot, make_controller: Make) -> None:
    controller, voice, _ = make_controller()
    tap(qtbot, controller, "start")
    tap(qtbot, controller, "call-staff")
    qtbot.waitUntil(lambda: controller.window.overlay is not None, timeout=10_000)
    assert controller.window.overlay is not None
    assert "工作人员马上到" in all_visible_text(controller.window.overlay)
    assert any("工作人员马上到" in s for s in voice.said)
    tap(qtbot, controller, "staff-close")
    assert controller.window.overlay is None


def test_both_orientations_lay_out_without_overflow(qtbot: QtBot, make_controller: Make) -> None:
    for size in ((1080, 1920), (1920, 1080)):
        controller, _, _ = make_controller(size=size)
        tap(qtbot, controller, "start")
        window = controller.window
        for button in window.findChildren(QPushButton):
            if button.isVisible():
                top_left = button.mapTo(window, button.rect().topLeft())
                assert window.rect().contains(top_left), button.objectName()
                bottom = button.mapTo(window, button.rect().bottomRight())
                assert window.rect().contains(bottom), (size, button.objectName())


def test_language_switch_on_the_attract_screen(qtbot: QtBot, make_controller: Make) -> None:
    controller, voice, _ = make_controller()
    tap(qtbot, controller, "language")
    assert "Start" in all_visible_text(controller.window)
    assert voice.language == "en"
    widget: QWidget = controller.window
    assert "开始办理" not in all_visible_text(widget)
