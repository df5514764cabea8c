"""The technician at the kiosk at 7 a.m.: five quick taps open the PIN, the PIN shows dots and starts empty
after a wrong try, the panel speaks the hall's words, each device has a test (a card read masked, a spoken
sentence), and a setting changed there is validated, written to the config file with its comments, recorded in
the audit log and applied without a restart."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from accessibility.voice_recording import RecordingVoice
from devices.idcard.samples import SAMPLE_CARDS
from kiosk.hall.compose import Hall
from kiosk.hall.technician import HallTechnician
from ui.controller import KioskController

from .conftest import FakeClock

Make = Callable[..., tuple[KioskController, RecordingVoice, FakeClock]]
ELDER = SAMPLE_CARDS["zhao_shuying"]


def shown(controller: KioskController, name: str) -> QPushButton | None:
    return next((b for b in controller.window.findChildren(QPushButton, name) if b.isVisible()), None)


def tap(qtbot: QtBot, controller: KioskController, name: str) -> None:
    qtbot.waitUntil(lambda: shown(controller, name) is not None, timeout=10_000)
    button = shown(controller, name)
    assert button is not None
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def top_bar(controller: KioskController) -> QWidget:
    bar = next((w for w in controller.window.findChildren(QWidget, "top-bar") if w.isVisible()), None)
    assert bar is not None
    return bar


def quick_taps(widget: QWidget, count: int) -> None:
    """Taps as fast as a finger makes them: Qt turns every second press into a double-click."""
    where = QPointF(5, 5)  # the bar's own margin, beside its buttons
    glob = QPointF(widget.mapToGlobal(where.toPoint()))
    left, none = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
    for index in range(count):
        kind = QEvent.Type.MouseButtonDblClick if index % 2 else QEvent.Type.MouseButtonPress
        for event_type, buttons in ((kind, left), (QEvent.Type.MouseButtonRelease, none)):
            event = QMouseEvent(event_type, where, glob, left, buttons, Qt.KeyboardModifier.NoModifier)
            QApplication.sendEvent(widget, event)


def open_pin(qtbot: QtBot, controller: KioskController) -> None:
    bar = top_bar(controller)
    for _ in range(5):
        qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    overlay = controller.window.overlay
    assert overlay is not None and overlay.objectName() == "technician-pin-panel"


def enter(qtbot: QtBot, controller: KioskController, pin: str) -> None:
    for digit in pin:
        tap(qtbot, controller, f"key_{digit}")
    tap(qtbot, controller, "key_confirm")
    assert controller.bridge.wait_idle()


def message(controller: KioskController) -> str:
    overlay = controller.window.overlay
    assert overlay is not None
    found = overlay.findChild(QLabel, f"{overlay.objectName()}-message")
    assert found is not None
    return found.text()


def audit_details(hall: Hall, action: str, after: int) -> list[object]:
    assert hall.audit is not None
    entries = [json.loads(body) for body in hall.audit.entries(after)]
    return [e.get("detail") for e in entries if e["action"] == action and e["who"] == "technician"]


def test_five_quick_taps_open_the_pin_even_when_some_are_double_clicks(qtbot: QtBot, make_controller: Make) -> None:
    controller, _, _ = make_controller()
    quick_taps(top_bar(controller), 5)
    overlay = controller.window.overlay
    assert overlay is not None and overlay.objectName() == "technician-pin-panel"


@pytest.mark.parametrize("size", [(1080, 1920), (1920, 1080)], ids=["portrait", "landscape"])
def test_the_pin_shows_a_dot_per_digit_and_never_the_digits(
    qtbot: QtBot, make_controller: Make, size: tuple[int, int]
) -> None:
    controller, _, _ = make_controller(size)
    controller.set_theme("elder")
    open_pin(qtbot, controller)
    for digit in "246":
        tap(qtbot, controller, f"key_{digit}")
    dots = controller.window.findChild(QLabel, "technician-pin-dots")
    assert dots is not None and dots.isVisible()
    assert dots.text().count("●") == 3
    assert not any(d in dots.text() for d in "0123456789")


def test_after_a_wrong_pin_the_keypad_is_empty_and_the_right_pin_opens(qtbot: QtBot, make_controller: Make) -> None:
    controller, _, _ = make_controller()
    open_pin(qtbot, controller)
    enter(qtbot, controller, "1111")
    assert "还可尝试" in message(controller)
    dots = controller.window.findChild(QLabel, "technician-pin-dots")
    assert dots is not None and "●" not in dots.text()
    enter(qtbot, controller, "2468")  # no 清除 first: the keypad was emptied
    qtbot.waitUntil(lambda: controller.window.findChild(QLabel, "technician-status") is not None, timeout=10_000)


def open_panel(qtbot: QtBot, controller: KioskController) -> str:
    open_pin(qtbot, controller)
    enter(qtbot, controller, "2468")
    qtbot.waitUntil(lambda: controller.window.findChild(QLabel, "technician-status") is not None, timeout=10_000)
    status = controller.window.findChild(QLabel, "technician-status")
    assert status is not None
    return status.text()


def test_the_panel_speaks_the_hall_s_words_not_the_driver_s(qtbot: QtBot, make_controller: Make) -> None:
    controller, _, _ = make_controller()
    text = open_panel(qtbot, controller)
    assert "身份证读卡器：正常" in text and "回执打印机：正常" in text and "待发送" in text
    for raw in ("id_reader", "printer:", "ok —", "socket://", "reader ready", "pending"):
        assert raw not in text


def test_the_card_test_reads_a_card_and_shows_it_masked(qtbot: QtBot, make_controller: Make, demo_hall: Hall) -> None:
    controller, _, _ = make_controller()
    assert demo_hall.audit is not None and demo_hall.ports.demo is not None
    before = demo_hall.audit.size
    open_panel(qtbot, controller)
    demo_hall.ports.demo.place_card("zhao_shuying")  # type: ignore[call-arg]
    tap(qtbot, controller, "tech-test-card")
    qtbot.waitUntil(lambda: "读卡正常" in message(controller), timeout=15_000)
    said = message(controller)
    assert ELDER.name not in said and ELDER.id_number not in said
    assert ELDER.id_number[-4:] in said and ELDER.name[0] in said
    assert {"device": "id_reader", "ok": True} in audit_details(demo_hall, "device.test", before)


def test_the_voice_test_speaks_and_is_recorded(qtbot: QtBot, make_controller: Make, demo_hall: Hall) -> None:
    controller, voice, _ = make_controller()
    assert demo_hall.audit is not None
    before = demo_hall.audit.size
    open_panel(qtbot, controller)
    tap(qtbot, controller, "tech-test-voice")
    assert any("语音测试" in s for s in voice.said)
    assert {"device": "voice", "ok": True} in audit_details(demo_hall, "device.test", before)


@pytest.fixture
def config_file(tmp_path: Path, demo_hall: Hall) -> Iterator[Path]:
    """The demo hall's technician writes to a hall's own config file (with the hall's comments) for this test."""
    path = tmp_path / "config.toml"
    path.write_text(
        f'# 示范大厅 — 维护人员：张工\ndata_dir = "{demo_hall.config.data_dir}"\n\n'
        '[devices.printer]\nconnection = "sim://"   # 柜台左侧的打印机\npaper_width_mm = 80\n\n'
        '[voice]\nengine = "record"\n',
        encoding="utf-8",
    )
    desk = demo_hall.ports.technician
    assert isinstance(desk, HallTechnician)
    desk.config_path = path
    original = demo_hall.config
    yield path
    desk.config_path = None
    demo_hall.reopen_devices(original)


def test_paper_width_changed_at_the_kiosk_is_written_recorded_and_used_at_once(
    qtbot: QtBot, make_controller: Make, demo_hall: Hall, config_file: Path
) -> None:
    controller, _, _ = make_controller()
    assert demo_hall.audit is not None and demo_hall.printer is not None
    before = demo_hall.audit.size
    old_printer = demo_hall.printer
    assert old_printer.profile.paper_width_mm == 80
    open_panel(qtbot, controller)
    tap(qtbot, controller, "tech-settings")
    tap(qtbot, controller, "tech-paper")
    qtbot.waitUntil(lambda: "已保存" in message(controller), timeout=15_000)
    text = config_file.read_text(encoding="utf-8")
    assert "paper_width_mm = 58" in text
    assert "# 示范大厅 — 维护人员：张工" in text and "# 柜台左侧的打印机" in text  # the hall's comments stay
    assert demo_hall.printer is not None and demo_hall.printer is not old_printer
    assert demo_hall.printer.profile.paper_width_mm == 58  # re-opened in place, no restart
    changes = audit_details(demo_hall, "config.change", before)
    assert changes and changes[-1] == {
        "changes": {"devices.printer.paper_width_mm": 58},
        "before": {"devices.printer.paper_width_mm": 80},
        "ok": True,
    }


def test_a_connection_is_chosen_from_what_is_plugged_in(
    qtbot: QtBot, make_controller: Make, demo_hall: Hall, config_file: Path
) -> None:
    desk = demo_hall.ports.technician
    assert isinstance(desk, HallTechnician)
    found = desk.plugged_in()
    assert found["id_reader"][-1] == "sim://" and found["camera"][-1] == "sim://"
    desk._find_plugged_in = lambda: {"id_reader": ["sim://", "socket://127.0.0.1:9"], "printer": [], "camera": []}
    try:
        controller, _, _ = make_controller()
        open_panel(qtbot, controller)
        tap(qtbot, controller, "tech-settings")
        tap(qtbot, controller, "tech-connection-id_reader")
        qtbot.waitUntil(lambda: "已保存" in message(controller), timeout=15_000)
        assert 'connection = "socket://127.0.0.1:9"' in config_file.read_text(encoding="utf-8")
        assert demo_hall.config.devices.id_reader.connection == "socket://127.0.0.1:9"
    finally:
        desk._find_plugged_in = HallTechnician(demo_hall).plugged_in


def test_the_camera_test_shows_the_live_picture_and_frames_a_qr_code(
    qtbot: QtBot, make_controller: Make, demo_hall: Hall
) -> None:
    controller, _, _ = make_controller()
    assert demo_hall.audit is not None and demo_hall.ports.demo is not None
    before = demo_hall.audit.size
    open_panel(qtbot, controller)
    demo_hall.ports.demo.show_qr()
    tap(qtbot, controller, "tech-test-camera")

    def framed() -> bool:
        seen = controller.window.findChild(QLabel, "technician-camera-qr")
        return seen is not None and "已识别到二维码" in seen.text()

    qtbot.waitUntil(framed, timeout=15_000)
    picture = controller.window.findChild(QLabel, "technician-camera-picture")
    assert picture is not None and not picture.pixmap().isNull()
    image = picture.pixmap().toImage()
    green = sum(
        1
        for x in range(0, image.width(), 4)
        for y in range(0, image.height(), 4)
        if image.pixelColor(x, y).name() == "#00c853"
    )
    assert green > 20  # the QR code's frame is drawn on the picture
    assert {"device": "camera", "ok": True} in audit_details(demo_hall, "device.test", before)
    tap(qtbot, controller, "tech-back")
    qtbot.waitUntil(lambda: controller.window.findChild(QLabel, "technician-status") is not None, timeout=10_000)


def test_the_settings_page_is_laid_out_again_when_the_screen_turns(qtbot: QtBot, make_controller: Make) -> None:
    controller, _, _ = make_controller((1920, 1080))
    controller.set_theme("elder")
    open_panel(qtbot, controller)
    tap(qtbot, controller, "tech-settings")
    qtbot.waitUntil(lambda: shown(controller, "tech-paper") is not None, timeout=10_000)
    controller.window.resize(1080, 1920)

    def every_button_shows_its_text() -> bool:
        buttons = [b for b in controller.window.findChildren(QPushButton) if b.isVisible()]
        return bool(buttons) and all(
            b.fontMetrics().horizontalAdvance(b.text()) <= b.contentsRect().width() for b in buttons
        )

    qtbot.waitUntil(every_button_shows_its_text, timeout=10_000)
