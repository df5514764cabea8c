"""What the kiosk keeps from one visit to the next: nothing of a visit's screens may pile up over a hall's months.

Each finger-scrolled list once cost a scroller of its own, and Qt with its binding keeps every scroller's gesture
type for good (≈ 5 KB a review screen, the largest part of the soak's growth per visit): the review's list now
uses the same few scrollers visit after visit, and shows only this visit's answers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QFrame, QScrollArea, QScroller
from pytestqt.qtbot import QtBot

from accessibility.voice_recording import RecordingVoice
from ui.controller import KioskController
from ui.scrolling import SPARES

from .conftest import FakeClock, settle
from .test_review_and_steps_screens import to_review

Make = Callable[..., tuple[KioskController, RecordingVoice, FakeClock]]
VISITS = 12


def test_reviews_over_many_visits_share_a_few_scrollers_and_show_only_their_own_answers(
    qtbot: QtBot, make_controller: Make, tmp_path: Path
) -> None:
    controller, _, _ = make_controller()
    gestures: set[int] = set()
    for visit in range(VISITS):
        to_review(controller, tmp_path / f"signature-{visit}.png")
        qtbot.waitUntil(lambda: controller.window.findChild(QScrollArea, "review-scroll") is not None)
        scroll = controller.window.findChild(QScrollArea, "review-scroll")
        assert scroll is not None and scroll.isVisible()
        viewport = scroll.viewport()
        assert QScroller.hasScroller(viewport)
        gesture = QScroller.grabbedGesture(viewport).value
        assert gesture != 0  # still scrolls by finger
        gestures.add(gesture)
        cards = [card for card in scroll.findChildren(QFrame) if card.objectName().startswith("review-row-")]
        assert len(cards) == len({card.objectName() for card in cards}) == 10  # this visit's ten answers, once
        controller.wipe()
        qtbot.waitUntil(lambda: controller.window.screen_name == "attract")
        settle()
    assert len(gestures) <= SPARES + 1
