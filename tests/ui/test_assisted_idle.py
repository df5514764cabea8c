"""The kiosk's idle rules are the kiosk's: in ``--mode assisted`` (staff at a desk, the resident beside them) a
case whose card was read is not wiped after a minute and a half of quiet; at the kiosk it still is."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from accessibility.voice_recording import RecordingVoice
from kiosk.config import parse_config
from kiosk.visit.showcase import SAMPLE_APPLICANT
from ui.controller import KioskController

from .conftest import FakeClock

Make = Callable[..., tuple[KioskController, RecordingVoice, FakeClock]]


def card_read(controller: KioskController) -> None:
    controller.start()
    controller.choose_service("GLJT-01")
    controller.flow.identified(SAMPLE_APPLICANT)
    assert controller.window.screen_name == "form"


@pytest.mark.parametrize("how", ["config", "command line"])
def test_assisted_mode_keeps_the_case_through_a_long_quiet(
    qtbot: QtBot, make_controller: Make, tmp_path: Path, how: str
) -> None:
    if how == "config":
        config = parse_config(f'data_dir = "{tmp_path}"\n[voice]\nengine = "record"\n[terminal]\nmode = "assisted"\n')
        controller, _, clock = make_controller((1280, 900), config=config)
    else:
        controller, _, clock = make_controller((1280, 900))
        controller.assisted = True  # what ui.launch passes for ``kiosk run --mode assisted``
    card_read(controller)
    for _ in range(10):  # 15 minutes of talking with the resident, the screen untouched
        clock.advance(90)
        controller.tick()
    assert controller.window.overlay is None
    assert controller.window.screen_name == "form"
    assert controller.flow.session.applicant == SAMPLE_APPLICANT


def test_the_kiosk_still_wipes_after_its_idle_time(make_controller: Make) -> None:
    controller, _, clock = make_controller((1080, 1920))
    assert not controller.assisted
    card_read(controller)
    clock.advance(90)
    controller.tick()
    clock.advance(90)
    controller.tick()
    assert controller.window.screen_name == "attract"
    assert controller.flow.session.applicant is None


def test_the_mode_given_on_the_command_line_wins_over_the_config(tmp_path: Path, make_controller: Make) -> None:
    controller, _, _ = make_controller((1280, 900))
    made = KioskController(
        controller.config, controller.flow.catalog, controller.ports, RecordingVoice(), controller.bridge,
        mode="assisted",
    )
    try:
        assert made.assisted
    finally:
        made.deactivate()
        made.window.close()
        made.window.deleteLater()
