"""Small building blocks every screen uses: labelled text with a role, big buttons, cards, rows."""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from accessibility.chinese_text import keep_last_together
from accessibility.themes import Theme
from kiosk.visit.ports import Handwriting
from kiosk.visit.strings import Texts


class ScreenActions(Protocol):
    """What a screen may ask for; the controller implements it. Screens hold no rules."""

    def start(self) -> None: ...
    def toggle_elder(self) -> None: ...
    def choose_service(self, code: str) -> None: ...
    def show_page(self, page: int) -> None: ...
    def answer(self, value: str) -> None: ...
    def answer_file(self, kind: str, data: bytes) -> None: ...
    def capture(self, kind: str) -> None: ...
    def keep_capture(self) -> None: ...
    def retake(self) -> None: ...
    def edit(self, key: str) -> None: ...
    def confirm(self) -> None: ...
    def use_id_card(self) -> None: ...
    def use_qr(self) -> None: ...
    def demo_place_card(self) -> None: ...
    def demo_show_qr(self) -> None: ...
    def print_receipt(self) -> None: ...
    def finish_receipt(self) -> None: ...
    def choose_rating(self, level: int) -> None: ...
    def submit_rating(self, reason: str) -> None: ...
    def toggle_reason(self, key: str) -> None: ...
    def skip_rating(self) -> None: ...
    def toggle_language(self) -> None: ...
    def toggle_high_contrast(self) -> None: ...
    def read_back(self, text: str) -> None: ...
    def call_staff(self) -> None: ...


@dataclass(frozen=True)
class ScreenContext:
    theme: Theme
    texts: Texts
    actions: ScreenActions
    demo: bool
    landscape: bool
    #: Ask for the camera's latest frame (JPEG), on the main thread (None: no picture yet, or no camera).
    camera_preview: Callable[[Callable[[bytes | None], None]], None] | None = None
    #: Recognise the writing pad's strokes (None: the pad says handwriting is not available).
    handwriting: Handwriting | None = None
    #: Now, in the hall's time zone (the attract clock); None: the system's local time.
    clock: Callable[[], datetime] | None = None


def label(text: str, role: str = "", *, wrap: bool = True, center: bool = False, line_height: float = 1.4) -> QLabel:
    """A label; wrapped text is set as rich text so the line spacing token applies (≥ 1.3), and never leaves one
    character alone on its last line (:func:`accessibility.chinese_text.keep_last_together`)."""
    widget = QLabel()
    if wrap:
        percent = int(line_height * 100)
        widget.setText(f'<p style="line-height:{percent}%">{html.escape(keep_last_together(text))}</p>')
        widget.setTextFormat(Qt.TextFormat.RichText)
        widget.setWordWrap(True)
    else:
        widget.setText(text)
        widget.setTextFormat(Qt.TextFormat.PlainText)
    widget.setAccessibleName(text)
    if role:
        widget.setProperty("role", role)
    if center:
        widget.setAlignment(Qt.AlignmentFlag.AlignCenter)
    widget.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
    return widget


def button(text: str, on_click: Callable[[], None], role: str = "", *, name: str = "") -> QPushButton:
    widget = QPushButton(text)
    widget.setAccessibleName(text)
    if role:
        widget.setProperty("role", role)
    if name:
        widget.setObjectName(name)
    widget.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
    widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    widget.clicked.connect(lambda _checked=False: on_click())
    return widget


def card(theme: Theme, *children: QWidget) -> QFrame:
    frame = QFrame()
    frame.setProperty("role", "card")
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(theme.spacing_px, theme.spacing_px, theme.spacing_px, theme.spacing_px)
    layout.setSpacing(theme.spacing_px // 2)
    for child in children:
        layout.addWidget(child)
    return frame


def column(theme: Theme, *children: QWidget, stretch_end: bool = True, margins: bool = True) -> QWidget:
    widget = QWidget()
    layout = QVBoxLayout(widget)
    if margins:
        layout.setContentsMargins(theme.spacing_px * 2, theme.spacing_px, theme.spacing_px * 2, theme.spacing_px)
    else:
        layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(theme.spacing_px)
    for child in children:
        layout.addWidget(child)
    if stretch_end:
        layout.addStretch(1)
    return widget


def row(theme: Theme, *children: QWidget) -> QWidget:
    widget = QWidget()
    layout = QHBoxLayout(widget)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(theme.spacing_px)
    for child in children:
        layout.addWidget(child)
    return widget


def grid(theme: Theme, widgets: list[QWidget], columns: int) -> QWidget:
    holder = QWidget()
    layout = QGridLayout(holder)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(theme.spacing_px)
    for index, widget in enumerate(widgets):
        layout.addWidget(widget, index // columns, index % columns)
    return holder


def tall(widget: QPushButton, height: int) -> QPushButton:
    widget.setMinimumHeight(height)
    return widget


class Panes:
    """A screen's two halves: what it says (``info``) and what the person does (``action``).

    In portrait they stack in one column; in landscape they stand side by side, so a keypad, a QR code or a row
    of choices never pushes the words off a 1080-pixel-high screen.
    """

    def __init__(self, ctx: ScreenContext, *, split: bool = True) -> None:
        theme = ctx.theme
        self.screen = QWidget()
        margin = theme.spacing_px * 2
        split = split and ctx.landscape
        if split:
            outer = QHBoxLayout(self.screen)
            outer.setContentsMargins(margin, theme.spacing_px, margin, theme.spacing_px)
            outer.setSpacing(margin)
            self.info = QVBoxLayout()
            self.action = QVBoxLayout()
            for column in (self.info, self.action):
                column.setSpacing(theme.spacing_px)
                outer.addLayout(column, 1)
        else:
            single = QVBoxLayout(self.screen)
            single.setContentsMargins(margin, theme.spacing_px, margin, theme.spacing_px)
            single.setSpacing(theme.spacing_px)
            self.info = self.action = single
        self._split = split

    def finish(self, *, fill: bool = True) -> QWidget:
        """Close the columns; ``fill`` pushes content up (False when an input already takes the spare room)."""
        if self._split:
            self.info.addStretch(1)
        if fill:
            self.action.addStretch(1)
        return self.screen
