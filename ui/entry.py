"""Input for people who cannot type: digits on a big keypad, Chinese text on a big pinyin keyboard."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QSizePolicy

from kiosk.visit.views import FieldView
from ui.parts import ScreenContext
from ui.widgets.keypad import NumericKeypad
from ui.widgets.pinyin_keyboard import PinyinKeyboard

_MAX_DIGITS = {"phone": 11, "id_number": 18, "date": 8, "number": 6, "bank_account": 19}


def keypad_entry(view: FieldView, ctx: ScreenContext) -> tuple[QLabel, NumericKeypad]:
    """The value in big type and a telephone keypad; 确定 answers, every key is read back."""
    shown = QLabel(view.value or " ")
    shown.setObjectName("field-input")
    shown.setProperty("role", "value")
    shown.setAccessibleName(view.label)
    kind = view.field.kind
    keypad = NumericKeypad(ctx.theme, show_x=kind == "id_number", max_length=_MAX_DIGITS.get(kind, 18))
    keypad.set_value(view.value.replace("-", ""))
    keypad.value_changed.connect(lambda text: shown.setText(text or " "))
    keypad.digit_entered.connect(ctx.actions.read_back)
    keypad.confirmed.connect(lambda: ctx.actions.answer(keypad.value()))
    return shown, keypad


def keyboard_entry(view: FieldView, ctx: ScreenContext) -> tuple[QLabel, PinyinKeyboard]:
    """Chinese text: what is written so far in big type, and a big pinyin keyboard; 确定 answers."""
    shown = QLabel(view.value or " ")
    shown.setObjectName("field-input")
    shown.setProperty("role", "value")
    shown.setWordWrap(True)
    shown.setAccessibleName(view.label)
    keyboard = PinyinKeyboard(ctx.theme, max_length=view.field.max_length)
    keyboard.text_changed.connect(lambda text: shown.setText(text or " "))
    keyboard.confirmed.connect(lambda: ctx.actions.answer(keyboard.text() or view.value))
    keyboard.help_requested.connect(ctx.actions.call_staff)
    # The keyboard gets the rest of the page; its spelling line stays one line high, the keys keep their size.
    keyboard.letters_label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
    return shown, keyboard
