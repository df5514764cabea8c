"""Input for people who cannot type: digits on a big keypad, Chinese text on a big pinyin keyboard."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from kiosk.views import FieldView
from ui.parts import ScreenContext
from ui.widgets.keypad import NumericKeypad
from ui.widgets.pinyin_keyboard import PinyinKeyboard

_MAX_DIGITS = {"phone": 11, "id_number": 18, "date": 8, "number": 6}


def keypad_entry(view: FieldView, ctx: ScreenContext) -> QWidget:
    """The value in big type above a telephone keypad; 确定 answers, every key is read back."""
    holder = QWidget()
    layout = QVBoxLayout(holder)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(ctx.theme.spacing_px)
    shown = QLabel(view.value or " ")
    shown.setObjectName("field-input")
    shown.setProperty("role", "value")
    shown.setAccessibleName(view.label)
    layout.addWidget(shown)
    kind = view.field.kind
    keypad = NumericKeypad(ctx.theme, show_x=kind == "id_number", max_length=_MAX_DIGITS.get(kind, 18))
    keypad.set_value(view.value.replace("-", ""))
    keypad.value_changed.connect(lambda text: shown.setText(text or " "))
    keypad.digit_entered.connect(ctx.actions.read_back)
    keypad.confirmed.connect(lambda: ctx.actions.answer(keypad.value()))
    layout.addWidget(keypad)
    return holder


def keyboard_entry(view: FieldView, ctx: ScreenContext) -> QWidget:
    """Chinese text: what is written so far in big type, over a big pinyin keyboard; 确定 answers."""
    holder = QWidget()
    layout = QVBoxLayout(holder)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(ctx.theme.spacing_px)
    shown = QLabel(view.value or " ")
    shown.setObjectName("field-input")
    shown.setProperty("role", "value")
    shown.setWordWrap(True)
    shown.setAccessibleName(view.label)
    layout.addWidget(shown)
    keyboard = PinyinKeyboard(ctx.theme, max_length=view.field.max_length)
    keyboard.text_changed.connect(lambda text: shown.setText(text or " "))
    keyboard.confirmed.connect(lambda: ctx.actions.answer(keyboard.text() or view.value))
    keyboard.help_requested.connect(ctx.actions.call_staff)
    layout.addWidget(keyboard)
    return holder
