"""The pinyin keyboard: a person who cannot type writes "张三" with big taps, in every theme and shape."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from accessibility.audit import audit_widget, format_violations
from accessibility.audit_run import LANDSCAPE, PORTRAIT, Orientation
from accessibility.themes import ELDER, STANDARD, THEMES, Theme
from ui.widgets.pinyin_keyboard import PinyinKeyboard
from ui.widgets.pinyin_table import SYLLABLES, candidates

SHAPES = {"portrait": PORTRAIT, "landscape": LANDSCAPE}
CATALOG = Path(__file__).resolve().parents[2] / "kiosk" / "data" / "sample_catalog.json"


@pytest.fixture
def windows(qtbot: QtBot) -> Iterator[list[QWidget]]:
    made: list[QWidget] = []
    yield made
    for widget in made:
        widget.close()
        widget.deleteLater()


def _shown(windows: list[QWidget], theme: Theme, shape: Orientation, **kwargs: object) -> PinyinKeyboard:
    root = QWidget()
    root.setObjectName("screen")
    root.setStyleSheet(f"QWidget#screen {{ background: {theme.palette.background}; }}")
    column = QVBoxLayout(root)
    column.addStretch(1)
    keyboard = PinyinKeyboard(theme, **kwargs)  # type: ignore[arg-type]
    column.addWidget(keyboard)
    windows.append(root)
    root.resize(shape.width, shape.height)
    root.show()
    return keyboard


def _tap(qtbot: QtBot, key: QPushButton) -> None:
    assert key.isVisible(), key.objectName()
    qtbot.mouseClick(key, Qt.MouseButton.LeftButton)


def _spell(qtbot: QtBot, keyboard: PinyinKeyboard, letters: str) -> None:
    for letter in letters:
        _tap(qtbot, keyboard.letter_keys[letter])


def _pick(qtbot: QtBot, keyboard: PinyinKeyboard, text: str) -> None:
    (key,) = [k for k in keyboard.candidate_keys if k.text() == text]
    _tap(qtbot, key)


@pytest.mark.parametrize("theme", THEMES.values(), ids=THEMES.keys())
def test_taps_write_zhang_san(windows: list[QWidget], qtbot: QtBot, theme: Theme) -> None:
    heard: list[str] = []
    keyboard = _shown(windows, theme, PORTRAIT, on_read_back=heard.append)
    _spell(qtbot, keyboard, "zhang")
    assert keyboard.letters() == "zhang"
    assert keyboard.letters_label.text() == "zhang"
    assert keyboard.shown_candidates()[0] == "张"
    with qtbot.waitSignal(keyboard.text_changed) as written:
        _pick(qtbot, keyboard, "张")
    assert written.args == ["张"]
    _spell(qtbot, keyboard, "san")
    _pick(qtbot, keyboard, "三")
    assert keyboard.text() == "张三"
    assert keyboard.letters() == ""
    assert heard == ["张", "张三"]


def test_letters_typed_in_one_go_are_used_up_one_syllable_at_a_time(windows: list[QWidget], qtbot: QtBot) -> None:
    keyboard = _shown(windows, STANDARD, LANDSCAPE)
    _spell(qtbot, keyboard, "zhangsan")
    _pick(qtbot, keyboard, "张")
    assert keyboard.letters() == "san"
    _pick(qtbot, keyboard, "三")
    assert keyboard.text() == "张三"


@pytest.mark.parametrize("shape", SHAPES.values(), ids=SHAPES.keys())
@pytest.mark.parametrize("theme", THEMES.values(), ids=THEMES.keys())
def test_every_key_meets_the_theme_while_choosing(
    windows: list[QWidget], qtbot: QtBot, theme: Theme, shape: Orientation
) -> None:
    keyboard = _shown(windows, theme, shape)
    _spell(qtbot, keyboard, "zh")  # a long candidate list, so the page keys are in play
    root = keyboard.window()
    assert root.width() == shape.width, "the keyboard must not push the window wider than the screen"
    found = audit_widget(root, theme, screen_name="pinyin", has_voice_prompt=True, error_messages={})
    assert found == [], format_violations(found)
    for key in keyboard.letter_keys.values():
        assert key.width() >= theme.target_px
        assert key.height() >= theme.target_px
        assert key.geometry().right() < keyboard.width()


@pytest.mark.parametrize("shape", SHAPES.values(), ids=SHAPES.keys())
def test_letters_are_a_to_z_in_rows_of_seven_in_every_theme(windows: list[QWidget], shape: Orientation) -> None:
    places = []
    for theme in THEMES.values():
        keyboard = _shown(windows, theme, shape, landscape=shape is LANDSCAPE)
        a, g, h = (keyboard.letter_keys[ch].geometry() for ch in "agh")
        assert a.top() == g.top() and a.left() < g.left()
        assert h.top() > a.top() and h.left() == a.left()
        places.append(
            [keyboard.letter_keys[ch].parentWidget().layout().indexOf(keyboard.letter_keys[ch]) for ch in "aqz"]
        )
        assert keyboard.letter_keys["v"].text() == "ü"
    assert places[0] == places[1] == places[2], "the same arrangement in every theme"


def test_page_keys_reach_every_candidate(windows: list[QWidget], qtbot: QtBot) -> None:
    keyboard = _shown(windows, ELDER, PORTRAIT)
    _spell(qtbot, keyboard, "zh")
    first = keyboard.shown_candidates()
    assert not keyboard.prev_key.isEnabled()
    _tap(qtbot, keyboard.next_key)
    second = keyboard.shown_candidates()
    assert second
    assert not set(first) & set(second)
    _pick(qtbot, keyboard, second[0])
    assert keyboard.text() == second[0]


def test_backspace_keep_help_and_confirm(windows: list[QWidget], qtbot: QtBot) -> None:
    keyboard = _shown(windows, STANDARD, PORTRAIT)
    keys = {key.objectName(): key for key in keyboard.function_keys}
    _spell(qtbot, keyboard, "li")
    _pick(qtbot, keyboard, "李")
    _spell(qtbot, keyboard, "xq")
    _tap(qtbot, keys["key_back"])
    assert keyboard.letters() == "x"
    _tap(qtbot, keys["key_back"])
    _tap(qtbot, keys["key_back"])
    assert keyboard.text() == ""
    _spell(qtbot, keyboard, "bai")
    _tap(qtbot, keys["key_keep"])  # not in the table? keep the letters as typed
    assert keyboard.text() == "bai"
    with qtbot.waitSignal(keyboard.help_requested):
        _tap(qtbot, keys["key_help"])
    with qtbot.waitSignal(keyboard.confirmed):
        _tap(qtbot, keys["key_confirm"])
    _tap(qtbot, keys["key_clear"])
    assert keyboard.text() == ""


def test_the_table_has_words_surnames_and_every_sample_service_character() -> None:
    assert candidates("beijing")[0].text == "北京"
    assert candidates("fuqin")[0].text == "父亲"
    assert candidates("ouyang")[0].text == "欧阳"
    assert candidates("lv")[0].text == "吕"
    assert candidates("wang")[0].text == "王"
    known = {char for chars in SYLLABLES.values() for char in chars}
    services = json.loads(CATALOG.read_text(encoding="utf-8"))["services"]
    names = "".join(s["name"]["zh"] + s["department"]["zh"] + s["category"]["zh"] for s in services)
    assert set(names) - known == set(), "add these characters to ui/widgets/pinyin_table.py"
