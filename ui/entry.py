"""Input for people who cannot type: digits on a big keypad, Chinese text on a big pinyin keyboard."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
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


class TailLabel(QLabel):
    """One line of big text that shows the end of what was written ("…3号楼2单元501室") when it is longer
    than the box: the box keeps its height, so the keyboard under it never moves."""

    def __init__(self, text: str = "") -> None:
        super().__init__()
        self._full = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.set_full_text(text)

    def full_text(self) -> str:
        return self._full

    def set_full_text(self, text: str) -> None:
        self._full = text
        self.setToolTip(text)
        self._elide()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        room = self.contentsRect().width() - 2 * self.margin() - 4
        shown = self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideLeft, max(room, 0))
        self.setText(shown if self._full else " ")


def keyboard_entry(view: FieldView, ctx: ScreenContext) -> tuple[QLabel, PinyinKeyboard]:
    """Chinese text: what is written so far in big type, and a big pinyin keyboard; 确定 answers."""
    shown = TailLabel(view.value)
    shown.setObjectName("field-input")
    shown.setProperty("role", "value")
    shown.setAccessibleName(view.label)
    keyboard = PinyinKeyboard(
        ctx.theme,
        max_length=view.field.max_length,
        text=view.value,
        landscape=ctx.landscape,
        handwriting=ctx.handwriting,
    )
    keyboard.text_changed.connect(shown.set_full_text)
    keyboard.confirmed.connect(lambda: ctx.actions.answer(keyboard.text()))
    keyboard.help_requested.connect(ctx.actions.call_staff)
    return shown, keyboard
