"""What the voice was asked to say through a whole visit: every screen speaks, numbers are masked, 再听一遍
repeats, and moving on cuts the sentence being spoken."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from accessibility.voice_recording import RecordingVoice
from devices.idcard.samples import SAMPLE_CARDS
from kiosk.hall.compose import Hall
from ui.controller import KioskController
from ui.signature import SignaturePad

from .conftest import FakeClock

Make = Callable[..., tuple[KioskController, RecordingVoice, FakeClock]]
ELDER = SAMPLE_CARDS["zhao_shuying"]


def tap(qtbot: QtBot, controller: KioskController, name: str) -> None:
    def visible() -> QPushButton | None:
        return next((b for b in controller.window.findChildren(QPushButton, name) if b.isVisible()), None)

    qtbot.waitUntil(lambda: visible() is not None, timeout=20_000)
    button = visible()
    assert button is not None
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_every_screen_of_a_visit_speaks_masked_and_interruptible(
    qtbot: QtBot, make_controller: Make, demo_hall: Hall
) -> None:
    controller, voice, _ = make_controller()
    spoken_on: dict[str, list[str]] = {}

    def note(_screen: object) -> None:
        spoken_on.setdefault(controller.flow.step, [])

    controller.flow.on_change.append(note)
    tap(qtbot, controller, "start")
    tap(qtbot, controller, "service-GLJT-01")
    qtbot.waitUntil(lambda: controller.window.screen_name == "identify", timeout=20_000)
    assert demo_hall.ports.demo is not None
    demo_hall.ports.demo.remove_card()  # type: ignore[attr-defined]
    reader = demo_hall.reader
    assert reader is not None
    qtbot.waitUntil(lambda: reader.card_on_reader is None, timeout=20_000)  # seen gone, so the next one counts
    demo_hall.ports.demo.place_card("zhao_shuying")  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: controller.window.screen_name == "form", timeout=20_000)

    # repeat says the last prompt again
    before = len(voice.records)
    last = voice.records[-1].text
    tap(qtbot, controller, "repeat")
    assert len(voice.records) == before + 1 and voice.records[-1].text == last

    for digit in "13812345678":
        tap(qtbot, controller, f"key_{digit}")
    tap(qtbot, controller, "key_confirm")
    tap(qtbot, controller, "choice-sscard")
    tap(qtbot, controller, "choice-no")
    pad = controller.window.findChild(SignaturePad, "signature-pad")
    assert pad is not None
    pad.add_stroke([QPointF(20, 20), QPointF(200, 90)])
    tap(qtbot, controller, "next")
    qtbot.waitUntil(lambda: controller.window.screen_name == "review", timeout=20_000)
    review_said = voice.records[-1].text
    tap(qtbot, controller, "submit")
    qtbot.waitUntil(lambda: controller.flow.step == "result", timeout=20_000)
    tap(qtbot, controller, "done")
    tap(qtbot, controller, "rate-4")
    qtbot.waitUntil(lambda: controller.window.screen_name == "thanks", timeout=20_000)

    said = voice.said
    # every screen of the visit spoke its own sentence
    for marker in (
        "开始办理",
        "请选择",
        "身份证",
        "联系电话",
        "领取方式",
        "独自居住",
        "签名",
        "核对",
        "受理",
        "评价",
        "再见",
    ):
        assert any(marker in s for s in said), marker
    # the keypad read each digit back, and no whole number was ever said
    assert said.count("一") >= 1 and said.count("八") >= 2
    assert not any("13812345678" in s or ELDER.id_number in s for s in said)
    assert "隐去四位" in review_said  # 138****5678 read as "一三八，隐去四位，五六七八"
    assert ELDER.name not in review_said
    # moving on cut what was being said
    assert sum(1 for record in voice.records if record.interrupted) >= 5
