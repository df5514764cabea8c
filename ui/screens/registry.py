"""The screen registry: which builder renders which flow screen (and which are only overlays)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QWidget

from kiosk.visit.views import FlowScreen
from ui.parts import ScreenContext
from ui.screens import attract, form, identify, outcome, rating, review, services

Builder = Callable[[Any, ScreenContext], QWidget]

SCREENS: dict[str, Builder] = {
    "attract": attract.build,
    "services": services.build,
    "identify": identify.build,
    "form": form.build,
    "review": review.build,
    "submitting": outcome.build_submitting,
    "result": outcome.build_result,
    "rating": rating.build,
    "thanks": rating.build_thanks,
}


def build_screen(screen: FlowScreen, ctx: ScreenContext) -> QWidget:
    widget = SCREENS[screen.name](screen.view, ctx)
    widget.setObjectName(f"screen-{screen.name}")
    return widget
