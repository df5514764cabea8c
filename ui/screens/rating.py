"""好差评: five levels, nothing pre-selected, never forced; the two lowest may say why."""

from __future__ import annotations

from functools import partial

from PySide6.QtWidgets import QVBoxLayout, QWidget

from kiosk.views import RatingView, ThanksView
from ui.parts import ScreenContext, button, label

LEVEL_MARKS = {5: "★★★★★", 4: "★★★★", 3: "★★★", 2: "★★", 1: "★"}
REASONS = ("rating.reason_slow", "rating.reason_hard", "rating.reason_text", "rating.reason_result")


def build(view: RatingView, ctx: ScreenContext) -> QWidget:
    t, theme = ctx.texts, ctx.theme
    screen = QWidget()
    layout = QVBoxLayout(screen)
    margin = theme.spacing_px * 2
    layout.setContentsMargins(margin, theme.spacing_px, margin, theme.spacing_px)
    layout.setSpacing(theme.spacing_px)
    if view.asking_reason:
        layout.addWidget(label(t("rating.reason_title"), "heading"))
        for key in REASONS:
            text = t(key)
            layout.addWidget(
                button(text, partial(ctx.actions.submit_rating, text), "secondary", name=f"reason-{key[7:]}")
            )
        layout.addStretch(1)
        layout.addWidget(button(t("rating.submit"), lambda: ctx.actions.submit_rating(""), name="rating-submit"))
        return screen
    layout.addWidget(label(t("rating.title"), "heading"))
    for level in (5, 4, 3, 2, 1):
        text = f"{LEVEL_MARKS[level]}  {t(f'rating.level{level}')}"
        widget = button(text, partial(ctx.actions.choose_rating, level), "secondary", name=f"rate-{level}")
        layout.addWidget(widget)
    layout.addStretch(1)
    layout.addWidget(button(t("rating.skip"), ctx.actions.skip_rating, "secondary", name="rating-skip"))
    return screen


def build_thanks(view: ThanksView, ctx: ScreenContext) -> QWidget:
    screen = QWidget()
    layout = QVBoxLayout(screen)
    layout.addStretch(1)
    layout.addWidget(label(view.message, "title", center=True))
    layout.addWidget(label(ctx.texts("thanks.prompt"), "heading", center=True))
    layout.addStretch(1)
    return screen
