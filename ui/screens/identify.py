"""Identify: put the ID card on the reader (or show a QR code); the card fills the form."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from kiosk.visit.views import IdentifyView
from ui.parts import Panes, ScreenContext, button, card, label


def build(view: IdentifyView, ctx: ScreenContext) -> QWidget:
    t, theme = ctx.texts, ctx.theme
    panes = Panes(ctx)
    info, action = panes.info, panes.action
    info.addWidget(label(view.service_name, "small"))
    card_mode = view.method == "id_card"
    info.addWidget(label(t("identify.card_title" if card_mode else "identify.qr_title"), "heading"))
    info.addWidget(label(t("identify.card_prompt" if card_mode else "identify.qr_prompt")))
    if view.error:
        info.addWidget(label(view.error, "error"))
    if view.materials:
        info.addWidget(card(theme, label(t("identify.materials"), "small"), label("、".join(view.materials))))
    action.addWidget(card(theme, label("▼ 身份证感应区 ▼" if card_mode else "▼ 摄像头 ▼", "heading", center=True)))
    if not card_mode:
        action.addWidget(button(t("identify.use_card"), ctx.actions.use_id_card, "secondary", name="use-card"))
    elif view.offer_qr:
        action.addWidget(button(t("identify.use_qr"), ctx.actions.use_qr, "secondary", name="use-qr"))
    action.addStretch(1)
    if ctx.demo:
        action.addWidget(label(t("shell.demo"), "small"))
        demo = ctx.actions.demo_place_card if card_mode else ctx.actions.demo_show_qr
        action.addWidget(
            button(t("identify.demo_card" if card_mode else "identify.demo_qr"), demo, "secondary", name="demo-id")
        )
    return panes.finish(fill=False)
