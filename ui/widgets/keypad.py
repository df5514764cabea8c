"""The big numeric keypad (数字键盘) for phone and ID numbers, laid out like a telephone.

::

    1     2     3
    4     5     6
    7     8     9
    X     0     退格        (X only where an ID number is asked; without it 清除 takes its place)
    清除  确定 ───────       (without X: 确定 spans the row)

Every key is at least the theme's target size, :data:`MIN_GAP_PX` or the theme's spacing apart, with a
border and a text label so its meaning never rests on colour alone; 确定 adds a thicker border and bold.
The typed value lives in :class:`KeypadValue`; the keypad emits typed signals and, after each key, calls
``on_read_back(value)`` so the voice can read back what was typed (masking is the caller's job).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QGridLayout, QPushButton, QSizePolicy, QWidget

from accessibility.themes import Theme

#: The least gap between two keys, whatever the theme says.
MIN_GAP_PX = 16
#: Room either side of a key's text.
KEY_PADDING_PX = 12

ReadBack = Callable[[str], None]


def key_gap(theme: Theme) -> int:
    return max(MIN_GAP_PX, theme.spacing_px)


def digit_px(theme: Theme) -> int:
    """The digits' size: heading-sized in elder mode (长辈版: the keypad has the room), button-sized otherwise."""
    return theme.heading_px if theme.name == "elder" else theme.button_px


def digit_style_sheet(theme: Theme) -> str:
    """The digit keys (``digit="true"``: 0–9 and X) at :func:`digit_px`; 退格, 清除 and 确定 keep the button size."""
    return f'QPushButton[digit="true"] {{ font-size: {digit_px(theme)}px; }}\n'


def key_style_sheet(theme: Theme) -> str:
    """Big keys: plain ones on the surface; ``role="confirm"`` in the primary colour with a thicker border.

    Qt style sheets size the *content* box, and a style sheet wins over sizes set in code whenever the
    widget is polished again, so the key sizes live here: content = target − 2 × border, making the key
    exactly the target tall (and at least that wide). This also overrides a window-wide ``QPushButton``
    rule with other sizes.
    """
    p, t = theme.palette, theme
    inner = t.target_px - 2 * t.border_px
    return f"""
QPushButton {{
    min-width: {inner}px; min-height: {inner}px; max-height: {inner}px; padding: 0px {KEY_PADDING_PX}px;
    font-size: {t.button_px}px; font-weight: 700;
    background: {p.surface}; color: {p.text};
    border: {t.border_px}px solid {p.border}; border-radius: {t.radius_px}px;
}}
QPushButton:pressed {{ background: {p.primary}; color: {p.on_primary}; }}
QPushButton:focus {{ border-color: {p.focus}; }}
QPushButton[role="confirm"] {{
    background: {p.primary}; color: {p.on_primary}; border: {t.border_px + 2}px solid {p.border};
}}
QPushButton[role="letter"] {{ padding: 0px; max-width: {inner}px; }}
QPushButton:disabled {{ color: {p.muted_text}; border-style: dashed; }}
"""


def big_key(
    text: str, name: str, theme: Theme, parent: QWidget, *, role: str = "", accessible: str = ""
) -> QPushButton:
    """One key, styled by :func:`key_style_sheet` on its parent: target tall, growing sideways in its row."""
    key = QPushButton(text, parent)
    key.setObjectName(name)
    key.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
    key.setAccessibleName(accessible or text)
    key.setAutoDefault(False)
    # A tap must not take the focus away from the field being filled in.
    key.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    if role:
        key.setProperty("role", role)
    key.ensurePolished()
    return key


class KeypadValue:
    """The characters typed so far: digits, and X as an ID number's last character (校验码) if allowed."""

    def __init__(self, *, max_length: int = 18, allow_x: bool = False) -> None:
        self.max_length = max_length
        self.allow_x = allow_x
        self.text = ""

    def can_type(self, key: str) -> bool:
        if len(self.text) >= self.max_length:
            return False
        if key == "X":
            return self.allow_x and len(self.text) == self.max_length - 1
        return len(key) == 1 and key.isdigit() and key.isascii()

    def type(self, key: str) -> bool:
        """Add one character; ``False`` (and no change) when it is not allowed here."""
        if not self.can_type(key):
            return False
        self.text += key
        return True

    def backspace(self) -> bool:
        if not self.text:
            return False
        self.text = self.text[:-1]
        return True

    def clear(self) -> bool:
        had = bool(self.text)
        self.text = ""
        return had


class NumericKeypad(QWidget):
    """The keypad widget. Signals: ``digit_entered(str)`` (0–9 or X), ``cleared``, ``backspaced``,
    ``confirmed``, and ``value_changed(str)`` with the whole value."""

    digit_entered = Signal(str)
    cleared = Signal()
    backspaced = Signal()
    confirmed = Signal()
    value_changed = Signal(str)

    def __init__(
        self,
        theme: Theme,
        *,
        show_x: bool = False,
        max_length: int = 18,
        on_read_back: ReadBack | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.theme = theme
        self.model = KeypadValue(max_length=max_length, allow_x=show_x)
        self._read_back = on_read_back
        self.setObjectName("keypad")
        self.setStyleSheet(key_style_sheet(theme) + digit_style_sheet(theme))
        self.keys: dict[str, QPushButton] = {}
        for digit in "0123456789":
            self._add_key(digit, f"key_{digit}", self._presser(digit))
        self._add_key("X", "key_X", lambda: self.press("X"))
        for digit in "0123456789X":
            self.keys[digit].setProperty("digit", True)
            self.keys[digit].style().unpolish(self.keys[digit])
            self.keys[digit].style().polish(self.keys[digit])
        self._add_key(self.tr("退格"), "key_back", self.backspace, role="function")
        self._add_key(self.tr("清除"), "key_clear", self.clear, role="function")
        self._add_key(self.tr("确定"), "key_confirm", self.confirm, role="confirm")
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setSpacing(key_gap(theme))
        self._place(show_x)

    def _presser(self, key: str) -> Callable[[], None]:
        return lambda: self.press(key)

    def _add_key(self, text: str, name: str, slot: Callable[[], None], *, role: str = "") -> None:
        key = big_key(text, name, self.theme, self, role=role)
        key.clicked.connect(slot)
        self.keys[name.removeprefix("key_")] = key

    def _place(self, show_x: bool) -> None:
        for row, digits in enumerate(("123", "456", "789")):
            for column, digit in enumerate(digits):
                self._grid.addWidget(self.keys[digit], row, column)
        self.keys["X"].setVisible(show_x)
        self._grid.addWidget(self.keys["0"], 3, 1)
        self._grid.addWidget(self.keys["back"], 3, 2)
        if show_x:
            self._grid.addWidget(self.keys["X"], 3, 0)
            self._grid.addWidget(self.keys["clear"], 4, 0)
            self._grid.addWidget(self.keys["confirm"], 4, 1, 1, 2)
        else:
            self._grid.addWidget(self.keys["clear"], 3, 0)
            self._grid.addWidget(self.keys["confirm"], 4, 0, 1, 3)

    def set_x_enabled(self, enabled: bool) -> None:
        """Show or hide X (ID numbers only) and move 清除 / 确定 to match."""
        for name in ("X", "clear", "confirm"):
            self._grid.removeWidget(self.keys[name])
        self.model.allow_x = enabled
        self._place(enabled)

    def value(self) -> str:
        return self.model.text

    def set_value(self, text: str) -> None:
        """Start from an existing value (a correction); characters that could not be typed are dropped."""
        self.model.clear()
        for char in text:
            self.model.type(char)
        self._changed()

    def press(self, key: str) -> None:
        if self.model.type(key):
            self.digit_entered.emit(key)
            self._changed()

    def backspace(self) -> None:
        if self.model.backspace():
            self.backspaced.emit()
            self._changed()

    def clear(self) -> None:
        if self.model.clear():
            self.cleared.emit()
            self._changed()

    def confirm(self) -> None:
        self.confirmed.emit()

    def _changed(self) -> None:
        self.value_changed.emit(self.model.text)
        if self._read_back is not None:
            self._read_back(self.model.text)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # A technician's USB keyboard works too: digits, X, Backspace, Enter.
        text = event.text().upper()
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.confirm()
        elif event.key() == Qt.Key.Key_Backspace:
            self.backspace()
        elif len(text) == 1 and text in "0123456789X":
            self.press(text)
        else:
            super().keyPressEvent(event)
