"""The text keyboard as an 80-year-old meets it, on the real glass (1080×1920, 1920×1080), in elder mode: the
screen fits in every state, no key moves when the candidate row or an error shows, a wrong answer stays to be
corrected, an address with digits and rare characters can be typed or handwritten, and the audit catches a
screen built to break each rule."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QPushButton, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from accessibility.audit import audit_widget, key_rectangles
from accessibility.audit_run import keys_moved
from accessibility.themes import ELDER, THEMES
from kiosk.hall.handwriting import ZinniaHandwriting
from kiosk.visit.validation import check_address
from ui.controller import KioskController
from ui.widgets.pinyin_keyboard import PinyinKeyboard

GLASS = {"portrait": (1080, 1920), "landscape": (1920, 1080)}
Make = Callable[..., tuple[KioskController, object, object]]

#: 亓 as a hand writes it on a 300-pixel pad: 一 (short), 一 (long), 丿 (left leg), 丨 (right leg).
QI_STROKES = (
    ((90, 60), (150, 60), (210, 60)),
    ((30, 140), (150, 140), (270, 140)),
    ((115, 140), (112, 200), (95, 240), (60, 275)),
    ((190, 140), (190, 210), (190, 275)),
)


def _at_text_field(make_controller: Make, shape: str, theme: str = "elder") -> tuple[KioskController, PinyinKeyboard]:
    controller, _voice, _clock = make_controller(GLASS[shape])
    controller.window.setFixedSize(*GLASS[shape])  # the glass: a kiosk window cannot grow
    controller.set_theme(theme)
    flow = controller.flow
    flow.start()
    flow.choose_service("JZZ-04")
    if flow.step == "identify":
        from kiosk.visit.showcase import SAMPLE_APPLICANT

        flow.identified(SAMPLE_APPLICANT)
    flow.edit("residence")
    keyboard = controller.window.findChild(PinyinKeyboard)
    assert keyboard is not None
    return controller, keyboard


def _keyboard(controller: KioskController) -> PinyinKeyboard:
    keyboard = controller.window.findChild(PinyinKeyboard)
    assert keyboard is not None
    return keyboard


def _keys(controller: KioskController) -> dict[str, tuple[str, tuple[int, int, int, int]]]:
    return {n: v for n, v in key_rectangles(controller.window).items() if not n.startswith("candidate_")}


def _on_glass(controller: KioskController, shape: str) -> None:
    width, height = GLASS[shape]
    for name, (_text, (x, y, w, h)) in key_rectangles(controller.window).items():
        assert x >= 0 and y >= 0 and x + w <= width and y + h <= height, f"{name} is off the glass"


def _tap(qtbot: QtBot, key: QPushButton) -> None:
    assert key.isVisible(), key.objectName()
    qtbot.mouseClick(key, Qt.MouseButton.LeftButton)


def _pick(qtbot: QtBot, keyboard: PinyinKeyboard, char: str) -> None:
    """Page through the candidate row until ``char`` shows, then tap it."""
    while char not in keyboard.shown_candidates():
        assert keyboard.next_key.isEnabled(), f"{char} is not offered"
        _tap(qtbot, keyboard.next_key)
    _tap(qtbot, keyboard.candidate_keys[keyboard.shown_candidates().index(char)])


@pytest.mark.parametrize("shape", GLASS)
def test_no_key_moves_when_candidates_or_an_error_show_and_the_wrong_answer_stays(
    qtbot: QtBot, make_controller: Make, shape: str
) -> None:
    controller, keyboard = _at_text_field(make_controller, shape)
    before = _keys(controller)
    _on_glass(controller, shape)
    for letter in "bei":
        _tap(qtbot, keyboard.letter_keys[letter])
    assert keyboard.candidate_keys, "the candidate row shows"
    assert _keys(controller) == before | {k: v for k, v in _keys(controller).items() if k not in before}
    assert keys_moved("13", "elder", shape, {"": before, "candidates": _keys(controller)}) == []
    _pick(qtbot, keyboard, "北")
    _tap(qtbot, keyboard.function_keys[-1])  # 确定: "北" is no address
    qtbot.waitUntil(lambda: controller.flow.screen.view.error is not None)
    keyboard = _keyboard(controller)
    assert keyboard.text() == "北", "the wrong answer stays, to be corrected"
    assert keys_moved("13", "elder", shape, {"": before, "error": _keys(controller)}) == []
    _on_glass(controller, shape)


@pytest.mark.parametrize("shape", GLASS)
def test_the_phone_keypad_does_not_move_for_an_error_and_keeps_the_digits(
    qtbot: QtBot, make_controller: Make, shape: str
) -> None:
    controller, _voice, _clock = make_controller(GLASS[shape])
    controller.window.setFixedSize(*GLASS[shape])
    controller.set_theme("elder")
    from kiosk.visit.showcase import ELDER_SERVICE, SAMPLE_APPLICANT

    controller.flow.start()
    controller.flow.choose_service(ELDER_SERVICE)
    controller.flow.identified(SAMPLE_APPLICANT)
    before = _keys(controller)
    controller.flow.answer("12345")
    qtbot.waitUntil(lambda: controller.flow.screen.view.error is not None)
    assert controller.flow.screen.view.value == "12345"
    assert keys_moved("06", "elder", shape, {"": before, "error": _keys(controller)}) == []
    _on_glass(controller, shape)


@pytest.mark.parametrize("shape", GLASS)
def test_a_real_address_with_digits_and_rare_characters_is_typed_and_handwritten(
    qtbot: QtBot, make_controller: Make, shape: str
) -> None:
    if ZinniaHandwriting().unavailable():
        pytest.fail("install libzinnia0 and tegaki-zinnia-simplified-chinese (installer/setup.sh)")
    controller, keyboard = _at_text_field(make_controller, shape)
    for letters, char in (("xuan", "禤"), ("kan", "阚"), ("yan", "䶮")):
        for letter in letters:
            _tap(qtbot, keyboard.letter_keys[letter])
        _pick(qtbot, keyboard, char)
    _tap(qtbot, keyboard.mode_keys["numbers"])
    for word in ("市", "8", "8", "号", "院", "3", "号", "楼"):
        _tap(qtbot, keyboard.number_keys[word])
    _tap(qtbot, keyboard.mode_keys["handwriting"])
    pad = keyboard.pad
    scale = pad.width() / 300
    for stroke in QI_STROKES:
        points = [QPoint(round(x * scale), round(y * scale)) for x, y in stroke]
        qtbot.mousePress(pad, Qt.MouseButton.LeftButton, pos=points[0])
        for point in points[1:]:
            qtbot.mouseMove(pad, point)
        qtbot.mouseRelease(pad, Qt.MouseButton.LeftButton, pos=points[-1])
    qtbot.waitUntil(lambda: "亓" in keyboard.shown_candidates())
    _pick(qtbot, keyboard, "亓")
    _tap(qtbot, keyboard.mode_keys["numbers"])
    _tap(qtbot, keyboard.number_keys["村"])
    assert keyboard.text() == "禤阚䶮市88号院3号楼亓村"
    _tap(qtbot, keyboard.function_keys[-1])
    qtbot.waitUntil(lambda: "residence" in controller.flow.session.answers)
    assert controller.flow.session.answers["residence"].value == "禤阚䶮市88号院3号楼亓村"


def test_the_pad_says_when_there_is_no_model_and_the_keys_still_work(qtbot: QtBot) -> None:
    missing = ZinniaHandwriting(model=Path("/nonexistent/handwriting.model"))
    assert "tegaki-zinnia-simplified-chinese" in missing.unavailable()
    keyboard = PinyinKeyboard(ELDER, handwriting=missing)
    qtbot.addWidget(keyboard)
    keyboard.show()
    keyboard.set_mode("handwriting")
    assert "tegaki" in keyboard.pad.message
    keyboard.set_mode("numbers")
    keyboard.number_keys["8"].click()
    assert keyboard.text() == "8"


def test_the_engine_reads_a_handwritten_rare_surname() -> None:
    found = ZinniaHandwriting().recognise(QI_STROKES, 300)
    assert "亓" in found[:3], found


def test_an_address_is_an_area_and_a_place_in_it() -> None:
    assert not check_address("北")
    assert not check_address("北京市")
    assert check_address("北京市东城区示例大街88号院3号楼2单元501室")
    assert check_address("河北省保定市某某县某某村")


# -- the audit's rules, against screens built to break them ---------------------------------------------------


def _screen(keys_at: int, count: int, theme_name: str = "elder") -> QWidget:
    theme = THEMES[theme_name]
    root = QWidget()
    column = QVBoxLayout(root)
    column.addSpacing(keys_at)
    for index in range(count):
        key = QPushButton(f"键{index}")
        key.setObjectName(f"key_{index}")
        key.setFixedSize(theme.target_px * 2, theme.target_px)
        column.addWidget(key)
    column.addStretch(1)
    return root


def test_the_audit_fails_a_screen_taller_than_the_glass(qtbot: QtBot) -> None:
    root = _screen(0, 20)  # twenty keys of 112 px and their gaps: more than 1080
    qtbot.addWidget(root)
    found = audit_widget(root, ELDER, screen_name="tall", has_voice_prompt=True, error_messages={}, glass=(1920, 1080))
    assert any(v.rule == "screen-overflow" for v in found)
    assert root.size().height() == 1080, "the audit renders at the real size, it does not grow the window"


def test_the_audit_fails_keys_that_move_between_states(qtbot: QtBot) -> None:
    rectangles = {}
    for state, offset in (("", 0), ("error", 130)):
        root = _screen(offset, 3)
        qtbot.addWidget(root)
        audit_widget(root, ELDER, screen_name="s", has_voice_prompt=True, error_messages={}, glass=(1080, 1920))
        rectangles[state] = key_rectangles(root)
    moved = keys_moved("s", "elder", "portrait", rectangles)
    assert {v.rule for v in moved} == {"keys-moved"}
    assert len(moved) == 3
