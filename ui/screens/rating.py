"""好差评: five levels, nothing pre-selected, never forced; the two lowest may say why."""

from __future__ import annotations

from functools import partial

from PySide6.QtWidgets import QPushButton, QVBoxLayout, QWidget

from kiosk.visit.flow import RATING_REASONS
from kiosk.visit.views import RatingView, ThanksView
from ui.parts import Panes, ScreenContext, button, grid, label

LEVEL_MARKS = {5: "★★★★★", 4: "★★★★", 3: "★★★", 2: "★★", 1: "★"}
REASONS = RATING_REASONS


def build(view: RatingView, ctx: ScreenContext) -> QWidget:
    t, theme = ctx.texts, ctx.theme
    panes = Panes(ctx)
    info, action = panes.info, panes.action
    columns = 2 if ctx.landscape else 1
    if view.asking_reason:
        info.addWidget(label(t("rating.reason_title"), "heading"))
        info.addWidget(label(t("rating.reason_pick")))
        reasons: list[QWidget] = []
        for key in REASONS:
            chosen = key in view.reasons  # a tap marks a reason (and a second tap unmarks it); nothing is sent yet
            reason = button(
                ("✔ " if chosen else "") + t(key),
                partial(ctx.actions.toggle_reason, key),
                "primary" if chosen else "secondary",
                name=f"reason-{key[7:]}",
            )
            reason.setCheckable(True)
            reason.setChecked(chosen)
            reasons.append(reason)
        action.addWidget(grid(theme, reasons, columns))
        action.addStretch(1)
        action.addWidget(button(t("rating.submit"), lambda: ctx.actions.submit_rating(""), name="rating-submit"))
        return panes.finish(fill=False)
    info.addWidget(label(t("rating.title"), "heading"))
    levels: list[QWidget] = []
    for level in (5, 4, 3, 2, 1):
        text = f"{LEVEL_MARKS[level]}  {t(f'rating.level{level}')}"
        levels.append(button(text, partial(ctx.actions.choose_rating, level), "secondary", name=f"rate-{level}"))
    skip: QPushButton = button(t("rating.skip"), ctx.actions.skip_rating, "secondary", name="rating-skip")
    if ctx.landscape:
        action.addWidget(grid(theme, [*levels, skip], columns))
    else:
        action.addWidget(grid(theme, levels, columns))
        action.addStretch(1)
        action.addWidget(skip)
    return panes.finish(fill=ctx.landscape)


def build_thanks(view: ThanksView, ctx: ScreenContext) -> QWidget:
    screen = QWidget()
    layout = QVBoxLayout(screen)
    layout.addStretch(1)
    layout.addWidget(label(view.message, "title", center=True))
    layout.addWidget(label(view.body, "heading", center=True))
    layout.addStretch(1)
    return screen
