"""Choose a service: big tiles, most used first; elder mode shows at most six per page."""

from __future__ import annotations

from functools import partial

from PySide6.QtWidgets import QVBoxLayout, QWidget

from kiosk.visit.views import ServicesView
from ui.parts import ScreenContext, button, grid, label, row


def build(view: ServicesView, ctx: ScreenContext) -> QWidget:
    t, theme = ctx.texts, ctx.theme
    screen = QWidget()
    layout = QVBoxLayout(screen)
    margin = theme.spacing_px * 2
    layout.setContentsMargins(margin, theme.spacing_px, margin, theme.spacing_px)
    layout.setSpacing(theme.spacing_px)
    layout.addWidget(label(t("services.title"), "heading"))
    tiles = []
    for tile in view.tiles:
        widget = button(f"{tile.name}\n{tile.department}", partial(ctx.actions.choose_service, tile.code), "tile")
        widget.setObjectName(f"service-{tile.code}")
        widget.setMinimumHeight(int(theme.target_px * 1.6))
        tiles.append(widget)
    # One tile per row in portrait, three in landscape: long names (养老金领取资格认证) never get cut.
    columns = 3 if ctx.landscape else 1
    layout.addWidget(grid(theme, list(tiles), columns))
    layout.addStretch(1)
    if view.pages > 1:
        nav: list[QWidget] = []
        if view.page > 0:
            nav.append(button(t("services.previous"), lambda: ctx.actions.show_page(view.page - 1), "secondary"))
        nav.append(label(t("services.page", page=view.page + 1, pages=view.pages), wrap=False, center=True))
        if view.page + 1 < view.pages:
            nav.append(button(t("services.more"), lambda: ctx.actions.show_page(view.page + 1), "secondary"))
        layout.addWidget(row(theme, *nav))
    return screen
