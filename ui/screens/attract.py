"""The attract screen (首页): hall name, time, one big "开始办理" button, notices, language and contrast."""

from __future__ import annotations

from PySide6.QtCore import QDateTime
from PySide6.QtWidgets import QVBoxLayout, QWidget

from kiosk.views import AttractView
from ui.parts import ScreenContext, button, card, label, row, tall


def build(view: AttractView, ctx: ScreenContext) -> QWidget:
    t, theme = ctx.texts, ctx.theme
    screen = QWidget()
    layout = QVBoxLayout(screen)
    margin = theme.spacing_px * 2
    layout.setContentsMargins(margin, margin, margin, margin)
    layout.setSpacing(theme.spacing_px)
    layout.addWidget(label(view.hall_name, "title", center=True))
    now = QDateTime.currentDateTime()
    layout.addWidget(label(now.toString("yyyy-MM-dd  HH:mm"), "heading", wrap=False, center=True))
    layout.addStretch(1)
    start = tall(button(t("attract.start"), ctx.actions.start, "success", name="start"), theme.target_px * 2)
    layout.addWidget(start)
    layout.addStretch(1)
    if view.notices:
        layout.addWidget(label(t("attract.notices"), "heading"))
        for title, body in view.notices[: 2 if ctx.landscape else 3]:
            layout.addWidget(card(theme, label(title, ""), label(body, "small")))
    choices = row(
        theme,
        button(t("shell.language"), ctx.actions.toggle_language, "secondary", name="language"),
        button("高对比度 / Contrast", ctx.actions.toggle_high_contrast, "secondary", name="contrast"),
    )
    layout.addWidget(choices)
    return screen
