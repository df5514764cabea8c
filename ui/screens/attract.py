"""The attract screen (首页): hall name, time, one big "开始办理" button, notices, language and contrast."""

from __future__ import annotations

from PySide6.QtCore import QDateTime
from PySide6.QtWidgets import QWidget

from kiosk.visit.views import AttractView
from ui.parts import Panes, ScreenContext, button, card, label, row, tall


def build(view: AttractView, ctx: ScreenContext) -> QWidget:
    t, theme = ctx.texts, ctx.theme
    panes = Panes(ctx)
    info, action = panes.info, panes.action
    info.addWidget(label(view.hall_name, "title", center=True))
    now = QDateTime.currentDateTime()
    info.addWidget(label(now.toString("yyyy-MM-dd  HH:mm"), "heading", wrap=False, center=True))
    info.addStretch(1)
    info.addWidget(tall(button(t("attract.start"), ctx.actions.start, "success", name="start"), theme.target_px * 2))
    info.addStretch(1)
    choices = row(
        theme,
        button(t("shell.language"), ctx.actions.toggle_language, "secondary", name="language"),
        button(t("shell.contrast"), ctx.actions.toggle_high_contrast, "secondary", name="contrast"),
    )
    if view.notices:
        action.addWidget(label(t("attract.notices"), "heading"))
        for title, body in view.notices[: 2 if ctx.landscape else 3]:
            action.addWidget(card(theme, label(title), label(body, "small")))
    action.addStretch(1)
    (info if ctx.landscape else action).addWidget(choices)
    return panes.finish(fill=False)
