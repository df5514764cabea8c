"""The big pinyin keyboard (拼音键盘) for names and addresses, for people who cannot type on a phone.

Tap letters, the pinyin shows above the keys, the characters it can mean show in the candidate bar; tap
one and it is written (``z h a n g`` → 张, ``s a n`` → 三: "张三"). Characters come from the built-in table
in :mod:`ui.widgets.pinyin_table`. No handwriting: when the character is not offered there are two ways on,
"原样" keeps the letters as typed and "找人帮忙" asks staff (``help_requested``).

Keys are the theme's target size, at least 16 px apart. Ten letter keys in a row need
``10 × target + 9 × gap``: that fits the standard theme in portrait and every theme in landscape, and there
the letters are a QWERTY keyboard. It does not fit 1080 px for the elder and high-contrast themes; there
the letters are an A–Z grid of as many columns as fit (alphabetical order is also easier for someone who
has never used a computer keyboard). The arrangement follows the keyboard's width on every resize.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLayout, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from accessibility.themes import Theme
from ui.widgets.keypad import big_key, key_gap, key_style_sheet
from ui.widgets.pinyin_table import Candidate, candidates

QWERTY_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
ALPHABET = "abcdefghijklmnopqrstuvwxyz"
#: v stands for ü (女 nv, 吕 lv), as on every pinyin keyboard; the key shows what it means.
KEY_LABELS = {"v": "ü"}

ReadBack = Callable[[str], None]


def letter_columns(width: int, theme: Theme) -> int:
    """How many target-sized letter keys fit side by side in ``width`` pixels."""
    gap = key_gap(theme)
    return max(1, (width + gap) // (theme.target_px + gap))


class PinyinComposer:
    """What has been written and the pinyin being typed: ``text`` (committed) and ``letters`` (pending)."""

    def __init__(self, *, max_length: int = 40) -> None:
        self.max_length = max_length
        self.text = ""
        self.letters = ""

    def candidates(self) -> list[Candidate]:
        return candidates(self.letters)

    def type_letter(self, letter: str) -> bool:
        if len(self.letters) >= 24 or len(letter) != 1 or letter not in ALPHABET:
            return False
        self.letters += letter
        return True

    def choose(self, candidate: Candidate) -> bool:
        if len(self.text) + len(candidate.text) > self.max_length:
            return False
        self.text += candidate.text
        self.letters = self.letters[candidate.letters_used :]
        return True

    def keep_letters(self) -> bool:
        """The fallback: write the letters as typed (staff can correct them later)."""
        return self.choose(Candidate(self.letters, len(self.letters))) if self.letters else False

    def backspace(self) -> bool:
        """Remove the last pinyin letter, or when there is none, the last written character."""
        if self.letters:
            self.letters = self.letters[:-1]
        elif self.text:
            self.text = self.text[:-1]
        else:
            return False
        return True

    def clear(self) -> bool:
        had = bool(self.text or self.letters)
        self.text = self.letters = ""
        return had


class PinyinKeyboard(QWidget):
    """The keyboard widget. Signals: ``text_changed(str)`` (the written text), ``letters_changed(str)``,
    ``confirmed``, ``help_requested``. ``on_read_back(text)`` is called after each character written."""

    text_changed = Signal(str)
    letters_changed = Signal(str)
    confirmed = Signal()
    help_requested = Signal()

    def __init__(
        self,
        theme: Theme,
        *,
        max_length: int = 40,
        on_read_back: ReadBack | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.theme = theme
        self.model = PinyinComposer(max_length=max_length)
        self._read_back = on_read_back
        self._page = 0
        self._pages: list[tuple[int, int]] = [(0, 0)]
        self._bar_width = 0
        self._columns = 0
        self.setObjectName("pinyin-keyboard")
        self.setStyleSheet(self._style())
        gap = key_gap(theme)
        self.letters_label = QLabel(self)
        self.letters_label.setObjectName("pinyin-letters")
        self.letters_label.setMinimumHeight(round(theme.body_px * theme.line_spacing) + 8)
        self.candidate_keys: list[QPushButton] = []
        self.letter_keys = {
            ch: self._key(KEY_LABELS.get(ch, ch), f"key_{ch}", self._typer(ch), role="letter") for ch in ALPHABET
        }
        self.prev_key = self._key(self.tr("上页"), "key_prev", lambda: self._turn(-1), role="function")
        self.next_key = self._key(self.tr("下页"), "key_next", lambda: self._turn(1), role="function")
        self.function_keys = [
            self._key(self.tr("退格"), "key_back", self.backspace, role="function"),
            self._key(self.tr("清除"), "key_clear", self.clear, role="function"),
            self._key(self.tr("原样"), "key_keep", self.keep_letters, role="function"),
            self._key(self.tr("找人帮忙"), "key_help", self.help_requested.emit, role="function"),
            self._key(self.tr("确定"), "key_confirm", self.confirmed.emit, role="confirm"),
        ]
        self._candidate_row = QHBoxLayout()
        self._candidate_row.setSpacing(gap)
        self._rows = QVBoxLayout()
        self._rows.setSpacing(gap)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(gap)
        column.addWidget(self.letters_label)
        column.addLayout(self._candidate_row)
        column.addLayout(self._rows)
        # Say how narrow the keyboard may go, or the first arrangement's width would hold the window open.
        widest = max(key.sizeHint().width() for key in self.function_keys)
        self.setMinimumWidth(max(widest, 4 * theme.target_px + 3 * gap))
        self._arrange(1080)
        self._refresh()

    # -- building ---------------------------------------------------------------------------------------

    def _style(self) -> str:
        t, p = self.theme, self.theme.palette
        return key_style_sheet(t) + (
            f"QLabel#pinyin-letters {{ font-size: {t.body_px}px; color: {p.text}; background: {p.surface};"
            f" border: {t.border_px}px solid {p.border}; border-radius: {t.radius_px}px; padding: 0 12px; }}"
            f'QPushButton[role="candidate"] {{ font-size: {t.heading_px}px; font-weight: 400; }}'
        )

    def _typer(self, letter: str) -> Callable[[], None]:
        return lambda: self.type_letter(letter)

    def _key(self, text: str, name: str, slot: Callable[[], None], *, role: str = "") -> QPushButton:
        key = big_key(text, name, self.theme, self, role=role)
        key.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        key.clicked.connect(slot)
        return key

    def _arrange(self, width: int) -> None:
        """Lay the letter and function keys out in rows that fit ``width``; nothing moves if they already do."""
        columns = letter_columns(width, self.theme)
        if columns == self._columns:
            return
        self._columns = columns
        _empty(self._rows)
        gap = key_gap(self.theme)
        if columns >= 10:
            rows = list(QWERTY_ROWS)
        else:
            rows = [ALPHABET[i : i + columns] for i in range(0, len(ALPHABET), columns)]
        for letters in rows:
            self._rows.addLayout(_row([self.letter_keys[ch] for ch in letters], gap))
        for keys in _flow(self.function_keys, width, gap):
            self._rows.addLayout(_row(keys, gap))
        self._bar_width = width - self.prev_key.sizeHint().width() - self.next_key.sizeHint().width() - 2 * gap
        self._fill_candidates()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._arrange(event.size().width())

    # -- typing -----------------------------------------------------------------------------------------

    def text(self) -> str:
        return self.model.text

    def letters(self) -> str:
        return self.model.letters

    def shown_candidates(self) -> list[str]:
        return [key.text() for key in self.candidate_keys]

    def type_letter(self, letter: str) -> None:
        if self.model.type_letter(letter):
            self._page = 0
            self._refresh()

    def choose(self, index: int) -> None:
        """Write the ``index``-th candidate shown on the current page."""
        found = self.model.candidates()
        start, end = self._pages[self._page]
        if 0 <= index < end - start and self.model.choose(found[start + index]):
            self._page = 0
            self._refresh(wrote=True)

    def keep_letters(self) -> None:
        if self.model.keep_letters():
            self._refresh(wrote=True)

    def backspace(self) -> None:
        wrote = not self.model.letters
        if self.model.backspace():
            self._page = 0
            self._refresh(wrote=wrote)

    def clear(self) -> None:
        if self.model.clear():
            self._page = 0
            self._refresh(wrote=True)

    def _turn(self, step: int) -> None:
        self._page = min(max(0, self._page + step), len(self._pages) - 1)
        self._fill_candidates()

    def _paginate(self, keys: list[QPushButton]) -> list[tuple[int, int]]:
        """Split the candidate keys into pages that each fit one row of the bar: ``(start, end)`` indexes."""
        gap = key_gap(self.theme)
        pages: list[tuple[int, int]] = []
        start, used = 0, 0
        for index, key in enumerate(keys):
            need = key.sizeHint().width()
            if index > start and used + gap + need > self._bar_width:
                pages.append((start, index))
                start, used = index, 0
            used += need + (gap if index > start else 0)
        pages.append((start, len(keys)))
        return pages

    def _refresh(self, *, wrote: bool = False) -> None:
        self.letters_label.setText(self.model.letters or self.tr("请点字母拼写"))
        self.letters_changed.emit(self.model.letters)
        self._fill_candidates()
        if wrote:
            self.text_changed.emit(self.model.text)
            if self._read_back is not None:
                self._read_back(self.model.text)

    def _fill_candidates(self) -> None:
        _empty(self._candidate_row)
        for key in self.candidate_keys:
            key.hide()
            key.deleteLater()
        found = self.model.candidates()
        every = [self._key(c.text, f"candidate_{i}", self._chooser(i), role="candidate") for i, c in enumerate(found)]
        self._pages = self._paginate(every)
        self._page = min(self._page, len(self._pages) - 1)
        start, end = self._pages[self._page]
        self.candidate_keys = every[start:end]
        for index, key in enumerate(every):
            if start <= index < end:
                key.setObjectName(f"candidate_{index - start}")
                self._candidate_row.addWidget(key)
                key.show()  # at once: the layout would only show it on the next event-loop turn
            else:
                key.deleteLater()
        self._candidate_row.addStretch(1)
        self.prev_key.setEnabled(self._page > 0)
        self.next_key.setEnabled(self._page < len(self._pages) - 1)
        self._candidate_row.addWidget(self.prev_key)
        self._candidate_row.addWidget(self.next_key)
        for key in (self.prev_key, self.next_key):
            key.setVisible(bool(found))

    def _chooser(self, index: int) -> Callable[[], None]:
        return lambda: self.choose(index - self._pages[self._page][0])


def _row(keys: list[QPushButton], gap: int) -> QHBoxLayout:
    row = QHBoxLayout()
    row.setSpacing(gap)
    row.addStretch(1)
    for key in keys:
        row.addWidget(key)
    row.addStretch(1)
    return row


def _flow(keys: list[QPushButton], width: int, gap: int) -> list[list[QPushButton]]:
    """Break keys into rows no wider than ``width``."""
    rows: list[list[QPushButton]] = [[]]
    used = 0
    for key in keys:
        need = key.width() + (gap if rows[-1] else 0)
        if rows[-1] and used + need > width:
            rows.append([])
            need, used = key.width(), 0
        rows[-1].append(key)
        used += need
    return rows


def _empty(layout: QLayout) -> None:
    """Take every item out of a layout (and its sub-layouts) without deleting the keys."""
    while layout.count():
        item = layout.takeAt(0)
        inner = item.layout() if item is not None else None
        if inner is not None:
            _empty(inner)
            inner.deleteLater()
