"""A line edit that shows its value masked (张*丰, 110***********1234) except while it is being typed in.

The physical keyboard types into it, Chinese through the system's input method (a plain ``QLineEdit``); as
soon as focus leaves, the screen shows only the masked form, so a resident's details are never all on the
screen at once — only the one field being typed.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QFocusEvent
from PySide6.QtWidgets import QLineEdit


class MaskedLineEdit(QLineEdit):
    def __init__(self, mask: Callable[[str], str], name: str = "") -> None:
        super().__init__()
        self._mask = mask
        self._value = ""
        #: The box shows the masked form (not what was typed): the value is then ``_value``.
        self._showing_mask = False
        self.setObjectName(name)

    def value(self) -> str:
        return self._value if self._showing_mask else self.text().strip()

    def set_value(self, value: str) -> None:
        self._value = value.strip()
        if self.hasFocus():
            self._showing_mask = False
            self.setText(self._value)
        else:
            self._show_mask()

    def conceal(self) -> None:
        """Show the masked form now (the screen locks while this field is being typed in)."""
        self._value = self.value()
        self._show_mask()

    def _show_mask(self) -> None:
        self._showing_mask = bool(self._value)
        self.setText(self._masked())

    def _masked(self) -> str:
        if not self._value:
            return ""
        try:
            return self._mask(self._value)
        except ValueError:
            return "*" * len(self._value)

    def focusInEvent(self, event: QFocusEvent) -> None:
        if self._showing_mask:
            self._showing_mask = False
            self.setText(self._value)
        super().focusInEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        self._value = self.value()
        super().focusOutEvent(event)
        self._show_mask()
