"""Review before submitting: every answer on one page, read aloud; change any one with a tap."""

from __future__ import annotations

from functools import partial

from PySide6.QtWidgets import QGridLayout, QScrollArea, QVBoxLayout, QWidget

from kiosk.visit.views import ReviewView
from ui.parts import ScreenContext, button, card, label


def build(view: ReviewView, ctx: ScreenContext) -> QWidget:
    t, theme = ctx.texts, ctx.theme
    screen = QWidget()
    layout = QVBoxLayout(screen)
    margin = theme.spacing_px * 2
    layout.setContentsMargins(margin, theme.spacing_px, margin, theme.spacing_px)
    layout.setSpacing(theme.spacing_px)
    layout.addWidget(label(view.service_name, "small"))
    layout.addWidget(label(t("review.title"), "heading"))
    rows = QWidget()
    grid = QGridLayout(rows)
    grid.setContentsMargins(0, 0, 0, 0)
    grid.setSpacing(theme.spacing_px)
    for index, item in enumerate(view.rows):
        note = f"（{t('form.prefilled')}）" if item.prefilled else ""
        grid.addWidget(card(theme, label(f"{item.label}{note}", "small"), label(item.display)), index, 0)
        if not item.prefilled:
            change = button(
                t("review.change"), partial(ctx.actions.edit, item.key), "secondary", name=f"edit-{item.key}"
            )
            change.setMaximumWidth(theme.target_px * 3)
            grid.addWidget(change, index, 1)
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setWidget(rows)
    layout.addWidget(scroll, 1)
    layout.addWidget(button(t("review.submit"), ctx.actions.confirm, "success", name="submit"))
    return screen
