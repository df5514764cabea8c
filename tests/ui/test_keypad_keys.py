"""The numeric keypad: big enough in every theme and orientation, and it types what was tapped."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from accessibility.audit import MIN_TARGET_GAP_PX, audit_widget, format_violations
from accessibility.audit_run import LANDSCAPE, PORTRAIT, Orientation
from accessibility.themes import ELDER, STANDARD, THEMES, Theme
from ui.widgets.keypad import NumericKeypad, digit_px

SHAPES = {"portrait": PORTRAIT, "landscape": LANDSCAPE}


def _screen(theme: Theme, keypad: NumericKeypad) -> QWidget:
    root = QWidget()
    root.setObjectName("screen")
    root.setStyleSheet(
        f"QWidget#screen {{ background: {theme.palette.background}; }}"
        f"QLabel {{ color: {theme.palette.text}; font-size: {theme.heading_px}px; }}"
    )
    column = QVBoxLayout(root)
    column.addWidget(QLabel("请输入手机号码"))
    column.addWidget(keypad)
    column.addStretch(1)
    return root


@pytest.fixture
def windows(qtbot: QtBot) -> Iterator[list[QWidget]]:
    made: list[QWidget] = []
    yield made
    for widget in made:
        widget.close()
        widget.deleteLater()


def _shown(windows: list[QWidget], theme: Theme, shape: Orientation, *, show_x: bool) -> NumericKeypad:
    keypad = NumericKeypad(theme, show_x=show_x)
    root = _screen(theme, keypad)
    windows.append(root)
    root.resize(shape.width, shape.height)
    root.show()
    return keypad


def _box(widget: QWidget) -> QRect:
    return QRect(widget.mapTo(widget.window(), widget.rect().topLeft()), widget.size())


@pytest.mark.parametrize("shape", SHAPES.values(), ids=SHAPES.keys())
@pytest.mark.parametrize("theme", THEMES.values(), ids=THEMES.keys())
def test_every_key_is_big_enough_and_far_enough_apart(windows: list[QWidget], theme: Theme, shape: Orientation) -> None:
    keypad = _shown(windows, theme, shape, show_x=True)
    root = keypad.window()
    found = audit_widget(root, theme, screen_name="keypad", has_voice_prompt=True, error_messages={})
    assert found == [], format_violations(found)
    keys = [k for k in keypad.keys.values() if k.isVisible()]
    assert len(keys) == 14
    for key in keys:
        assert key.width() >= theme.target_px
        assert key.height() >= theme.target_px
        size = digit_px(theme) if key.property("digit") else theme.button_px  # elder digits: heading-sized
        assert key.font().pixelSize() == size or key.fontInfo().pixelSize() == size
    one, two, four = _box(keypad.keys["1"]), _box(keypad.keys["2"]), _box(keypad.keys["4"])
    assert two.left() - (one.left() + one.width()) >= MIN_TARGET_GAP_PX
    assert four.top() - (one.top() + one.height()) >= MIN_TARGET_GAP_PX
    # A telephone layout: 1 2 3 across the top, 0 under 8.
    assert one.top() == two.top()
    assert _box(keypad.keys["0"]).center().x() == _box(keypad.keys["8"]).center().x()


def test_taps_type_the_value_and_read_it_back(windows: list[QWidget], qtbot: QtBot) -> None:
    heard: list[str] = []
    keypad = NumericKeypad(STANDARD, max_length=11, on_read_back=heard.append)
    root = _screen(STANDARD, keypad)
    windows.append(root)
    root.resize(PORTRAIT.width, PORTRAIT.height)
    root.show()
    digits: list[str] = []
    keypad.digit_entered.connect(digits.append)
    for key in "138001380009":  # one digit too many: the twelfth is refused
        qtbot.mouseClick(keypad.keys[key], Qt.MouseButton.LeftButton)
    assert keypad.value() == "13800138000"
    assert "".join(digits) == "13800138000"
    with qtbot.waitSignal(keypad.backspaced):
        qtbot.mouseClick(keypad.keys["back"], Qt.MouseButton.LeftButton)
    assert keypad.value() == "1380013800"
    assert heard[-1] == "1380013800"
    with qtbot.waitSignal(keypad.confirmed):
        qtbot.mouseClick(keypad.keys["confirm"], Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(keypad.cleared):
        qtbot.mouseClick(keypad.keys["clear"], Qt.MouseButton.LeftButton)
    assert keypad.value() == ""
    assert heard[-1] == ""


def test_x_only_when_enabled_and_only_as_the_check_digit(windows: list[QWidget], qtbot: QtBot) -> None:
    keypad = _shown(windows, ELDER, PORTRAIT, show_x=False)
    assert not keypad.keys["X"].isVisible()
    keypad.press("X")
    assert keypad.value() == ""

    keypad.set_x_enabled(True)
    assert keypad.keys["X"].isVisible()
    qtbot.mouseClick(keypad.keys["X"], Qt.MouseButton.LeftButton)
    assert keypad.value() == "", "X is only the 18th character of an ID number"
    for key in "11010519491231002":
        qtbot.mouseClick(keypad.keys[key], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(keypad.keys["X"], Qt.MouseButton.LeftButton)
    assert keypad.value() == "11010519491231002X"
    # The keys moved with X, and are still big and apart.
    found = audit_widget(keypad.window(), ELDER, screen_name="id", has_voice_prompt=True, error_messages={})
    assert found == [], format_violations(found)


def test_a_usb_keyboard_types_too(windows: list[QWidget], qtbot: QtBot) -> None:
    keypad = _shown(windows, STANDARD, LANDSCAPE, show_x=False)
    qtbot.keyClicks(keypad, "12a3")
    qtbot.keyClick(keypad, Qt.Key.Key_Backspace)
    assert keypad.value() == "12"
    with qtbot.waitSignal(keypad.confirmed):
        qtbot.keyClick(keypad, Qt.Key.Key_Return)
