"""Review before submitting: every answer on one page, read aloud; change any one with a tap.

The answers scroll with a finger (kinetic scrolling) and a wide scroll bar. The button under them says
确认提交 only once every answer has been on the screen; until then it says how many are still below and,
tapped, scrolls down. In landscape the answers stand in two columns, so a 1080-pixel-high screen shows most of them.
"""

from __future__ import annotations

from functools import partial

from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from kiosk.visit.views import ReviewRow, ReviewView
from ui.parts import ScreenContext, button, label
from ui.scrolling import kinetic_area


def build(view: ReviewView, ctx: ScreenContext) -> QWidget:
    t, theme = ctx.texts, ctx.theme
    screen = QWidget()
    layout = QVBoxLayout(screen)
    margin = theme.spacing_px * 2
    layout.setContentsMargins(margin, theme.spacing_px, margin, theme.spacing_px)
    layout.setSpacing(theme.spacing_px)
    layout.addWidget(label(f"{view.service_name} · {t('review.title')}", "heading"))
    rows = QWidget()
    rows.setObjectName("review-rows")
    grid = QGridLayout(rows)
    grid.setContentsMargins(0, 0, theme.spacing_px, 0)  # clear of the scroll bar
    grid.setSpacing(theme.spacing_px)
    columns = 2 if ctx.landscape else 1
    cards = [_row_card(item, ctx) for item in view.rows]
    for index, widget in enumerate(cards):
        grid.addWidget(widget, index // columns, index % columns)
    for column in range(columns):
        grid.setColumnStretch(column, 1)
    grid.setRowStretch((len(cards) + columns - 1) // columns, 1)  # short lists stay at the top
    scroll = kinetic_area()  # the shell gives it back when the screen goes (a scroller costs memory for good)
    scroll.setObjectName("review-scroll")
    scroll.setWidgetResizable(True)
    scroll.setWidget(rows)
    layout.addWidget(scroll, 1)
    scroll.setHidden(False)  # a spare was hidden while kept (ui/scrolling.give_back)

    bar = scroll.verticalScrollBar()

    def unseen() -> int:
        bottom = bar.value() + scroll.viewport().height()
        return sum(1 for widget in cards if widget.geometry().bottom() > bottom)

    def tapped() -> None:
        if unseen():  # answers still below: the tap shows them, it never submits unseen answers
            bar.setValue(bar.value() + scroll.viewport().height() * 3 // 4)
        else:
            ctx.actions.confirm()

    # One button in one place (nothing moves under the finger): 确认提交 once every answer has been shown.
    submit = button(t("review.submit"), tapped, "success", name="submit")
    layout.addWidget(submit)

    def update() -> None:
        left = unseen()
        text = t("review.more", count=left) if left else t("review.submit")
        if submit.text() == text:
            return
        submit.setText(text)
        submit.setAccessibleName(text)
        submit.setObjectName("review-more" if left else "submit")
        submit.setProperty("role", "secondary" if left else "success")
        submit.style().unpolish(submit)
        submit.style().polish(submit)

    bar.valueChanged.connect(lambda _value: update())
    bar.rangeChanged.connect(lambda _low, _high: update())
    return screen


def _row_card(item: ReviewRow, ctx: ScreenContext) -> QFrame:
    """One answer, the whole width: what was asked and the answer on the left, 修改 on the right."""
    t, theme = ctx.texts, ctx.theme
    frame = QFrame()
    frame.setProperty("role", "card")
    frame.setObjectName(f"review-row-{item.key}")
    outer = QHBoxLayout(frame)
    outer.setContentsMargins(theme.spacing_px, theme.spacing_px // 2, theme.spacing_px, theme.spacing_px // 2)
    outer.setSpacing(theme.spacing_px)
    words = QVBoxLayout()
    words.setSpacing(0)
    note = f"（{item.note}）" if item.note else ""
    words.addWidget(label(f"{item.label}{note}", "small"))
    words.addWidget(label(item.display))
    outer.addLayout(words, 1)
    if not item.prefilled:
        change: QPushButton = button(
            t("review.change"), partial(ctx.actions.edit, item.key), "secondary", name=f"edit-{item.key}"
        )
        change.setMaximumWidth(theme.target_px * 2)
        outer.addWidget(change)
    return frame
