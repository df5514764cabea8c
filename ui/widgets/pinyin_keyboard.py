"""The big keyboard (拼音键盘) for names and addresses, for people who cannot type on a phone.

Three ways to write, one tap apart, in the same place on the glass:

- 拼音: tap letters, the pinyin shows at the start of the candidate row, the characters it can mean beside
  it; tap one and it is written (``z h a n g`` → 张, ``s a n`` → 三: "张三"). Every character of the
  通用规范汉字表 is there (:mod:`ui.widgets.pinyin_table`).
- 数字: the digits as on a telephone, and the words an address is made of (号 院 栋 楼 单元 层 室 …), each
  one tap: "88号院3号楼" is eight taps.
- 手写: write the character with a finger on the pad; what it may be shows in the candidate row
  (recognised offline, :class:`kiosk.visit.ports.Handwriting`). Without a recogniser the pad says so.

The keys never move. The candidate row keeps its height whether it shows anything or not, and the letters
are A–Z in rows of seven in every theme and both orientations (alphabetical order is easiest for someone who
never learnt a computer keyboard). The function keys (拼音 数字 手写 原样 退格 清除 找人帮忙 确定) stand
beside the letters in landscape and under them in portrait, at one width. When a character cannot be found,
"原样" keeps the letters as typed and "找人帮忙" asks staff (``help_requested``).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from accessibility.themes import Theme
from kiosk.visit.ports import Handwriting
from ui.widgets.handwriting_pad import HandwritingPad
from ui.widgets.keypad import big_key, key_gap, key_style_sheet
from ui.widgets.pinyin_composer import ALPHABET, PinyinComposer
from ui.widgets.pinyin_table import Candidate

#: Letters in rows of seven, in every theme and orientation.
LETTER_ROWS = ("abcdefg", "hijklmn", "opqrstu", "vwxyz")
#: The 数字 page: a telephone's digits on the left, address words on the right, each row of seven keys.
NUMBER_ROWS = (
    ("1", "2", "3", "号", "院", "栋", "楼"),
    ("4", "5", "6", "单元", "层", "室", "户"),
    ("7", "8", "9", "路", "街", "巷", "弄"),
    ("-", "0", "", "村", "组", "区", "市"),
)
MODES = ("pinyin", "numbers", "handwriting")
#: v stands for ü (女 nv, 吕 lv), as on every pinyin keyboard; the key shows what it means.
KEY_LABELS = {"v": "ü"}

ReadBack = Callable[[str], None]


class PinyinKeyboard(QWidget):
    """The keyboard widget. Signals: ``text_changed(str)`` (the written text), ``letters_changed(str)``,
    ``confirmed``, ``help_requested``. ``on_read_back(text)`` is called after each character written.

    ``text`` is what the field already holds (kept after a wrong answer, so it can be corrected);
    ``handwriting`` recognises the writing pad (None: the pad says handwriting is not available);
    ``landscape``: the function keys stand beside the letters, else under them.
    """

    text_changed = Signal(str)
    letters_changed = Signal(str)
    confirmed = Signal()
    help_requested = Signal()

    def __init__(  # noqa: PLR0915 - the keys, one statement each
        self,
        theme: Theme,
        *,
        max_length: int = 40,
        text: str = "",
        landscape: bool = False,
        on_read_back: ReadBack | None = None,
        handwriting: Handwriting | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.theme = theme
        self.model = PinyinComposer(max_length=max_length)
        self.model.text = text[:max_length]
        self.mode = "pinyin"
        self._read_back = on_read_back
        self._handwriting = handwriting
        self._written: list[str] = []
        self._page = 0
        self._pages: list[tuple[int, int]] = [(0, 0)]
        self._bar_width = 0
        self._side_by_side = landscape
        self.setObjectName("pinyin-keyboard")
        self.setStyleSheet(self._style())
        gap = key_gap(theme)
        self.letters_label = QLabel(self)
        self.letters_label.setObjectName("pinyin-letters")
        self.letters_label.setAlignment(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft)
        self.candidate_keys: list[QPushButton] = []
        self.letter_keys = {
            ch: self._key(KEY_LABELS.get(ch, ch), f"key_{ch}", self._typer(ch), role="letter") for ch in ALPHABET
        }
        self.number_keys = {
            word: self._key(word, f"key_{word}", self._writer(word), role="word")
            for row in NUMBER_ROWS
            for word in row
            if word
        }
        self.prev_key = self._key(self.tr("上页"), "key_prev", lambda: self._turn(-1), role="page")
        self.next_key = self._key(self.tr("下页"), "key_next", lambda: self._turn(1), role="page")
        self.mode_keys = {
            "pinyin": self._key(self.tr("拼音"), "key_mode_pinyin", lambda: self.set_mode("pinyin"), role="mode"),
            "numbers": self._key(self.tr("数字"), "key_mode_numbers", lambda: self.set_mode("numbers"), role="mode"),
            "handwriting": self._key(
                self.tr("手写"), "key_mode_handwriting", lambda: self.set_mode("handwriting"), role="mode"
            ),
        }
        self.function_keys = [
            self._key(self.tr("退格"), "key_back", self.backspace, role="function"),
            self._key(self.tr("清除"), "key_clear", self.clear, role="function"),
            self._key(self.tr("原样"), "key_keep", self.keep_letters, role="function"),
            self._key(self.tr("找人帮忙"), "key_help", self.help_requested.emit, role="function"),
            self._key(self.tr("确定"), "key_confirm", self.confirmed.emit, role="confirm"),
        ]
        self._fix_widths()
        # The candidate row: the spelling, the candidates, the page keys; one key high whether empty or not.
        top = QWidget(self)
        top.setObjectName("candidate-row")
        top.setFixedHeight(theme.target_px)
        top_row = QHBoxLayout(top)
        top_row.setContentsMargins(0, 0, 0, 0)
        top_row.setSpacing(gap)
        top_row.addWidget(self.letters_label)
        self._candidate_row = QHBoxLayout()
        self._candidate_row.setSpacing(gap)
        self._candidate_row.setContentsMargins(0, 0, 0, 0)
        top_row.addLayout(self._candidate_row, 1)
        top_row.addWidget(self.prev_key)
        top_row.addWidget(self.next_key)
        for key in (self.prev_key, self.next_key):
            policy = key.sizePolicy()
            policy.setRetainSizeWhenHidden(True)  # hidden without candidates, but their place is kept
            key.setSizePolicy(policy)
        self.stack = QStackedWidget(self)
        self.stack.setObjectName("keyboard-pages")
        self.stack.addWidget(self._grid_page([[self.letter_keys[ch] for ch in row] for row in LETTER_ROWS]))
        self.stack.addWidget(
            self._grid_page([[self.number_keys[w] if w else None for w in row] for row in NUMBER_ROWS])
        )
        side = 4 * theme.target_px + 3 * gap
        why = self._handwriting.unavailable() if self._handwriting is not None else self.tr("手写识别不可用")
        self.pad = HandwritingPad(theme, side, message=why)
        self.pad.strokes_changed.connect(self._recognise)
        pad_page = QWidget()
        pad_row = QHBoxLayout(pad_page)
        pad_row.setContentsMargins(0, 0, 0, 0)
        pad_row.addWidget(self.pad, 0, Qt.AlignmentFlag.AlignTop)
        pad_row.addStretch(1)
        self.stack.addWidget(pad_page)
        self.stack.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self._functions = QGridLayout()
        self._functions.setSpacing(gap)
        self._functions.setContentsMargins(0, 0, 0, 0)
        function_box = QWidget(self)
        function_box.setLayout(self._functions)
        self._body = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self._body.setSpacing(gap)
        self._body.addStretch(1)
        self._body.addWidget(self.stack, 0, Qt.AlignmentFlag.AlignTop)
        self._body.addWidget(function_box, 0, Qt.AlignmentFlag.AlignTop)
        self._body.addStretch(1)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(gap)
        column.addStretch(1)  # spare height goes above: the keys stay at the bottom, where they always are
        column.addWidget(top)
        column.addLayout(self._body)
        self._place_functions()
        self._arrange(1080)
        self._show_mode()
        self._refresh()

    # -- building ---------------------------------------------------------------------------------------

    def _style(self, extra: str = "") -> str:
        t, p = self.theme, self.theme.palette
        return (
            key_style_sheet(t)
            + f"QLabel#pinyin-letters {{ font-size: {t.body_px}px; color: {p.text}; background: {p.surface};"
            f" border: {t.border_px}px solid {p.border}; border-radius: {t.radius_px}px; padding: 0 12px; }}"
            f'QPushButton[role="candidate"] {{ font-size: {t.heading_px}px; font-weight: 400; }}'
            f'QPushButton[current="true"] {{ background: {p.primary}; color: {p.on_primary};'
            f" border: {t.border_px + 2}px solid {p.border}; }}" + extra
        )

    def _fix_widths(self) -> None:
        """One width for all function and mode keys, one for all keys of the 数字 page, so nothing shifts."""
        t = self.theme
        fixed = [*self.function_keys, *self.mode_keys.values()]
        natural = []
        for key in fixed:
            shown = key.text()
            if key in self.mode_keys.values():
                key.setText("✔" + shown)  # the widest a mode key gets (the current one is ticked)
            natural.append(key.sizeHint().width())
            key.setText(shown)
        wide = max(*natural, t.target_px)
        words = self.number_keys.values()
        room = 2 * t.border_px + 16
        cell = max(t.target_px, *(key.fontMetrics().horizontalAdvance(key.text()) + room for key in words))
        self.function_width, self.cell_width = wide, cell
        inner, thick = wide - 2 * t.border_px, wide - 2 * (t.border_px + 2)
        self.setStyleSheet(
            self._style(
                f'QPushButton[role="function"], QPushButton[role="mode"] {{ padding: 0px;'
                f" min-width: {inner}px; max-width: {inner}px; }}"
                f'QPushButton[role="confirm"], QPushButton[current="true"] {{ padding: 0px;'
                f" min-width: {thick}px; max-width: {thick}px; }}"
                f'QPushButton[role="word"] {{ padding: 0px; min-width: {cell - 2 * t.border_px}px;'
                f" max-width: {cell - 2 * t.border_px}px; }}"
            )
        )
        hints = (self.tr("请点字母拼写"), self.tr("请在板上写字"), "zhuang")
        widths = []
        for hint in hints:
            self.letters_label.setText(hint)
            widths.append(self.letters_label.sizeHint().width())
        self.letters_label.setFixedSize(max(*widths, 2 * t.target_px + key_gap(t)), t.target_px)

    def _grid_page(self, rows: list[list[QPushButton | None]]) -> QWidget:
        page = QWidget()
        grid = QGridLayout(page)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(key_gap(self.theme))
        grid.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        for r, keys in enumerate(rows):
            for c, key in enumerate(keys):
                if key is not None:
                    grid.addWidget(key, r, c)
        return page

    def _typer(self, letter: str) -> Callable[[], None]:
        return lambda: self.type_letter(letter)

    def _writer(self, text: str) -> Callable[[], None]:
        return lambda: self.write(text)

    def _key(self, text: str, name: str, slot: Callable[[], None], *, role: str = "") -> QPushButton:
        key = big_key(text, name, self.theme, self, role=role)
        key.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        key.clicked.connect(slot)
        return key

    def _place_functions(self) -> None:
        """Landscape: 拼音 数字 / 手写 原样 / 退格 清除 / 找人帮忙 确定 beside the pages; portrait: four to a row
        under them."""
        columns = 2 if self._side_by_side else 4
        for index, key in enumerate([*self.mode_keys.values(), *self.function_keys]):
            self._functions.addWidget(key, index // columns, index % columns)
        side_by_side = QBoxLayout.Direction.LeftToRight
        self._body.setDirection(side_by_side if self._side_by_side else QBoxLayout.Direction.TopToBottom)

    def _arrange(self, width: int) -> None:
        """The candidate bar takes the width the spelling and the page keys leave."""
        gap = key_gap(self.theme)
        letters = self.letters_label.width() + gap
        page_keys = self.prev_key.sizeHint().width() + self.next_key.sizeHint().width() + 2 * gap
        bar = max(self.theme.target_px, width - letters - page_keys)
        if bar != self._bar_width:
            self._bar_width = bar
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

    def set_mode(self, mode: str) -> None:
        """拼音, 数字 or 手写: which page of keys shows under the candidate row."""
        if mode in MODES and mode != self.mode:
            self.mode = mode
            self._page = 0
            self._show_mode()
            self._refresh()

    def _show_mode(self) -> None:
        self.stack.setCurrentIndex(MODES.index(self.mode))
        for mode, key in self.mode_keys.items():
            plain = key.text().lstrip("✔")
            key.setText(("✔" if mode == self.mode else "") + plain)
            key.setProperty("current", "true" if mode == self.mode else "false")
            key.style().unpolish(key)
            key.style().polish(key)

    def type_letter(self, letter: str) -> None:
        if self.model.type_letter(letter):
            self._page = 0
            self._refresh()

    def write(self, text: str) -> None:
        """A digit or an address word, written as it stands."""
        if self.model.write(text):
            self._refresh(wrote=True)

    def choose(self, index: int) -> None:
        """Write the ``index``-th candidate shown on the current page."""
        found = self._found()
        start, end = self._pages[self._page]
        if not 0 <= index < end - start:
            return
        if self.mode == "handwriting" and not self.model.letters:
            if self.model.write(found[start + index].text):
                self._written = []
                self.pad.clear()
                self._page = 0
                self._refresh(wrote=True)
        elif self.model.choose(found[start + index]):
            self._page = 0
            self._refresh(wrote=True)

    def keep_letters(self) -> None:
        if self.model.keep_letters():
            self._refresh(wrote=True)

    def backspace(self) -> None:
        if self.mode == "handwriting" and not self.model.letters and self.pad.undo():
            return  # the last stroke went; recognition follows from the pad's signal
        wrote = not self.model.letters
        if self.model.backspace():
            self._page = 0
            self._refresh(wrote=wrote)

    def clear(self) -> None:
        if self.mode == "handwriting" and self.pad.clear():
            self._written = []
            self._page = 0
            self._refresh()
            return
        if self.model.clear():
            self._page = 0
            self._refresh(wrote=True)

    def _recognise(self) -> None:
        strokes = self.pad.strokes()
        recogniser = self._handwriting
        self._written = recogniser.recognise(strokes, self.pad.width()) if strokes and recogniser else []
        self._page = 0
        self._refresh()

    def _found(self) -> list[Candidate]:
        if self.mode == "handwriting" and not self.model.letters:
            return [Candidate(text, 0) for text in self._written]
        return self.model.candidates()

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
        hint = self.tr("请在板上写字") if self.mode == "handwriting" else self.tr("请点字母拼写")
        self.letters_label.setText(self.model.letters or hint)
        self.letters_changed.emit(self.model.letters)
        self._fill_candidates()
        if wrote:
            self.text_changed.emit(self.model.text)
            if self._read_back is not None:
                self._read_back(self.model.text)

    def _fill_candidates(self) -> None:
        while self._candidate_row.count():
            self._candidate_row.takeAt(0)
        for key in self.candidate_keys:
            key.hide()
            key.deleteLater()
        found = self._found()
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
        for key in (self.prev_key, self.next_key):
            key.setVisible(bool(found))

    def _chooser(self, index: int) -> Callable[[], None]:
        return lambda: self.choose(index - self._pages[self._page][0])
