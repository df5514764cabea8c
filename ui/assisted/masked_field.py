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
        self.setObjectName(name)

    def value(self) -> str:
        return self.text() if self.hasFocus() else self._value

    def set_value(self, value: str) -> None:
        self._value = value.strip()
        self.setText(self._value if self.hasFocus() else self._masked())

    def _masked(self) -> str:
        if not self._value:
            return ""
        try:
            return self._mask(self._value)
        except ValueError:
            return "*" * len(self._value)

    def focusInEvent(self, event: QFocusEvent) -> None:
        self.setText(self._value)
        super().focusInEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        self._value = self.text().strip()
        super().focusOutEvent(event)
        self.setText(self._masked())
