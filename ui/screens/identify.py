"""Identify: put the ID card on the reader (or show a QR code); the card fills the form."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from kiosk.views import IdentifyView
from ui.parts import ScreenContext, button, card, label


def build(view: IdentifyView, ctx: ScreenContext) -> QWidget:
    t, theme = ctx.texts, ctx.theme
    screen = QWidget()
    layout = QVBoxLayout(screen)
    margin = theme.spacing_px * 2
    layout.setContentsMargins(margin, theme.spacing_px, margin, theme.spacing_px)
    layout.setSpacing(theme.spacing_px)
    layout.addWidget(label(view.service_name, "small"))
    card_mode = view.method == "id_card"
    layout.addWidget(label(t("identify.card_title" if card_mode else "identify.qr_title"), "heading"))
    layout.addWidget(label(t("identify.card_prompt" if card_mode else "identify.qr_prompt")))
    if view.error:
        layout.addWidget(label(view.error, "error"))
    layout.addWidget(card(theme, label("▼ 身份证感应区 ▼" if card_mode else "▼ 摄像头 ▼", "heading", center=True)))
    if view.materials:
        layout.addWidget(card(theme, label(t("identify.materials"), "small"), label("、".join(view.materials))))
    if not card_mode:
        layout.addWidget(button(t("identify.use_card"), ctx.actions.use_id_card, "secondary", name="use-card"))
    layout.addStretch(1)
    if ctx.demo:
        layout.addWidget(label(t("shell.demo"), "small"))
        demo = ctx.actions.demo_place_card if card_mode else ctx.actions.demo_show_qr
        layout.addWidget(
            button(t("identify.demo_card" if card_mode else "identify.demo_qr"), demo, "secondary", name="demo-id")
        )
    return screen
