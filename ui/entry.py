"""Input for people who cannot type: digits on a big keypad, Chinese text on a big pinyin keyboard."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QLineEdit, QVBoxLayout, QWidget

from kiosk.views import FieldView
from ui.parts import ScreenContext, button
from ui.widgets.keypad import NumericKeypad

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
    """Chinese text: the pinyin keyboard under a big text box."""
    holder = QWidget()
    layout = QVBoxLayout(holder)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(ctx.theme.spacing_px)
    edit = QLineEdit(view.value)
    edit.setObjectName("field-input")
    edit.setAccessibleName(view.label)
    edit.setMaxLength(view.field.max_length)
    layout.addWidget(edit)
    layout.addWidget(button(ctx.texts("shell.next"), lambda: ctx.actions.answer(edit.text()), name="next"))
    return holder
