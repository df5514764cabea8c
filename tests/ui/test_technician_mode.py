"""Technician mode at the kiosk: five taps on the top bar, the PIN, then every device's state and a test print."""

from __future__ import annotations

import json
from collections.abc import Callable

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QLabel, QPushButton
from pytestqt.qtbot import QtBot

from accessibility.voice_recording import RecordingVoice
from kiosk.hall.compose import Hall
from ui.controller import KioskController

from .conftest import FakeClock

Make = Callable[..., tuple[KioskController, RecordingVoice, FakeClock]]


def tap(qtbot: QtBot, controller: KioskController, name: str) -> None:
    def visible() -> QPushButton | None:
        return next((b for b in controller.window.findChildren(QPushButton, name) if b.isVisible()), None)

    qtbot.waitUntil(lambda: visible() is not None, timeout=10_000)
    button = visible()
    assert button is not None
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def open_pin_panel(qtbot: QtBot, controller: KioskController) -> None:
    bar = controller.window.findChild(QLabel, "hall-name")
    assert bar is not None
    top = bar.parentWidget()
    assert top is not None
    for _ in range(5):
        qtbot.mouseClick(top, Qt.MouseButton.LeftButton, pos=QPoint(top.width() - 5, 5))
    overlay = controller.window.overlay
    assert overlay is not None and overlay.objectName() == "technician-pin-panel"


def enter(qtbot: QtBot, controller: KioskController, pin: str) -> None:
    for digit in pin:
        tap(qtbot, controller, f"key_{digit}")
    tap(qtbot, controller, "key_confirm")
    assert controller.bridge.wait_idle()  # the PIN's slow hash is checked on a worker


def audit_details(hall: Hall, action: str, after: int) -> list[object]:
    """What the hall's audit log recorded of ``action`` from entry ``after`` on."""
    assert hall.audit is not None
    entries = [json.loads(body) for body in hall.audit.entries(after)]
    return [e.get("detail") for e in entries if e["action"] == action and e["who"] == "technician"]


def test_the_right_pin_shows_every_device_and_prints_a_test_receipt(
    qtbot: QtBot, make_controller: Make, demo_hall: Hall
) -> None:
    controller, _, _ = make_controller()
    assert demo_hall.audit is not None
    before = demo_hall.audit.size
    open_pin_panel(qtbot, controller)
    enter(qtbot, controller, "2468")
    status = controller.window.findChild(QLabel, "technician-status")
    assert status is not None
    text = status.text()
    for device in ("身份证读卡器", "回执打印机", "摄像头", "待发送队列"):  # in the hall's words
        assert device in text
    tap(qtbot, controller, "tech-test-print")

    def said_printed() -> bool:
        message = controller.window.findChild(QLabel, "technician-panel-message")
        return message is not None and "测试回执已打印" in message.text()

    qtbot.waitUntil(said_printed, timeout=10_000)
    assert audit_details(demo_hall, "technician.pin", before) == [{"ok": True, "locked_seconds": 0}]
    assert audit_details(demo_hall, "device.test", before) == [{"device": "printer"}]
    tap(qtbot, controller, "technician-exit")
    assert controller.window.overlay is None
    assert controller.window.screen_name == "attract"


def test_wrong_pins_are_counted_then_locked(qtbot: QtBot, make_controller: Make, demo_hall: Hall) -> None:
    controller, _, _ = make_controller()
    assert demo_hall.audit is not None
    before = demo_hall.audit.size
    open_pin_panel(qtbot, controller)
    enter(qtbot, controller, "1111")
    message = controller.window.findChild(QLabel, "technician-pin-panel-message")
    assert message is not None and "还可尝试 4 次" in message.text()
    for _ in range(4):
        tap(qtbot, controller, "key_clear")
        enter(qtbot, controller, "1111")
    assert "请 300 秒后再试" in message.text()
    tap(qtbot, controller, "key_clear")
    enter(qtbot, controller, "2468")  # locked: even the right PIN waits
    assert controller.window.findChild(QLabel, "technician-status") is None
    # Every try is in the audit log, the wrong ones and the one refused by the lock.
    tries = audit_details(demo_hall, "technician.pin", before)
    assert tries == [{"ok": False, "locked_seconds": 0}] * 4 + [{"ok": False, "locked_seconds": 300}] * 2
