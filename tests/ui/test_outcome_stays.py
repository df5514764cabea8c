"""The outcome as an 80-year-old meets it, at the real screen sizes in elder mode: it stays (with its receipt's
news and its QR code) until 完成 is tapped, its sentence is never cut by the printer, and a late tap aimed at 完成
does not land on the rating that replaced it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QLabel, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from accessibility.voice_recording import RecordingVoice
from kiosk.hall.compose import Hall
from kiosk.visit.showcase import SAMPLE_APPLICANT
from kiosk.visit.views import ResultView
from ui.controller import KioskController
from ui.shell import TAP_GUARD_SECONDS

from .conftest import FakeClock, all_visible_text, settle

Make = Callable[..., tuple[KioskController, RecordingVoice, FakeClock]]
SIZES = {"portrait": (1080, 1920), "landscape": (1920, 1080)}
WAIT_MS = 20_000
#: Longer than the five seconds after which the receipt screen used to give way to the rating by itself.
READING_MS = 5_600


def visible(controller: KioskController, name: str) -> QWidget | None:
    return next((w for w in controller.window.findChildren(QWidget, name) if w.isVisible()), None)


def tap(qtbot: QtBot, controller: KioskController, name: str) -> None:
    qtbot.waitUntil(lambda: isinstance(visible(controller, name), QPushButton), timeout=WAIT_MS)
    widget = visible(controller, name)
    assert isinstance(widget, QPushButton)
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def elder(make_controller: Make, shape: str) -> tuple[KioskController, RecordingVoice, FakeClock]:
    controller, voice, clock = make_controller(SIZES[shape])
    controller.set_theme("elder")
    return controller, voice, clock


def submit(qtbot: QtBot, controller: KioskController, code: str, *answers: str) -> ResultView:
    """Through the flow to the review of ``code``, confirm, and wait until printing has ended."""
    controller.start()
    controller.choose_service(code)
    if controller.flow.step == "identify":
        controller.flow.identified(SAMPLE_APPLICANT)
    for answer in answers:
        controller.flow.answer(answer)
    assert controller.flow.step == "review"
    controller.confirm()

    def printed() -> bool:
        view = controller.flow.screen.view
        return isinstance(view, ResultView) and view.print_state in ("printed", "paper_out", "failed")

    qtbot.waitUntil(printed, timeout=WAIT_MS)
    view = controller.flow.screen.view
    assert isinstance(view, ResultView)
    return view


OLD_AGE = ("GLJT-01", "13812345678", "sscard", "no", "signature.png")


@pytest.mark.parametrize("shape", ["portrait", "landscape"])
def test_the_outcome_its_next_steps_and_its_code_stay_until_done(
    qtbot: QtBot, make_controller: Make, shape: str
) -> None:
    controller, _, clock = elder(make_controller, shape)
    view = submit(qtbot, controller, *OLD_AGE)
    assert view.kind == "accepted" and view.print_state == "printed"
    assert controller.window.screen_name == "result"  # not a 领取回执 screen in its place
    qtbot.wait(READING_MS)
    clock.advance(100)  # a slow reader: still short of elder mode's idle time (2 × 60 s)
    controller.tick()
    assert controller.window.screen_name == "result" and controller.window.overlay is None
    text = all_visible_text(controller.window)
    assert view.case_no in text
    assert "民政部门将在5个工作日内审核" in text  # 后续步骤
    assert "回执已打印" in text
    code = visible(controller, "e-receipt")
    assert isinstance(code, QLabel) and not code.pixmap().isNull()
    tap(qtbot, controller, "done")
    assert controller.window.screen_name == "rating"


@pytest.mark.parametrize(
    ("code", "answers", "kind", "words"),
    [
        ("PDQH-06", ("C",), "ticket", ["前面还有", "号票已打印"]),
        ("SBZM-03", ("pension", "20200101"), "query", ["参保状态", "证明已打印"]),
    ],
)
def test_every_outcome_is_readable_after_its_paper_printed(
    qtbot: QtBot, make_controller: Make, code: str, answers: tuple[str, ...], kind: str, words: list[str]
) -> None:
    controller, _, _ = elder(make_controller, "portrait")
    view = submit(qtbot, controller, code, *answers)
    assert view.kind == kind
    settle()  # nothing queued moves the outcome on
    assert controller.window.screen_name == "result"
    text = all_visible_text(controller.window)
    for word in words:
        assert word in text, word
    assert "回执" not in text  # a queue number's slip is a 号票, a query's a 证明
    controller.wipe()


def test_the_provisional_number_is_explained_while_it_is_on_the_screen(
    qtbot: QtBot, make_controller: Make, demo_hall: Hall
) -> None:
    controller, voice, _ = elder(make_controller, "landscape")
    demo_hall.stop_platform()
    try:
        view = submit(qtbot, controller, *OLD_AGE)
    finally:
        demo_hall.start_platform()
    assert view.kind == "queued"
    text = all_visible_text(controller.window)
    assert "临时编号" in text and view.case_no in text
    assert "凭临时编号到窗口查询" in text
    assert any(view.case_no in said for said in voice.said)  # said once, in the outcome's sentence
    controller.wipe()


def test_the_printer_never_cuts_the_outcome_s_sentence(qtbot: QtBot, make_controller: Make) -> None:
    controller, voice, _ = elder(make_controller, "portrait")
    submit(qtbot, controller, *OLD_AGE)
    qtbot.waitUntil(lambda: any("回执已打印" in record.text for record in voice.records), timeout=WAIT_MS)
    outcome = next(r for r in voice.records if "受理编号" in r.text)
    printed = next(r for r in voice.records if "回执已打印" in r.text)
    assert voice.records.index(printed) > voice.records.index(outcome)
    assert not outcome.interrupted, "the news of the printer cut the outcome short"
    controller.wipe()


@pytest.mark.parametrize("shape", ["portrait", "landscape"])
def test_a_late_tap_aimed_at_done_does_not_touch_the_rating(
    qtbot: QtBot, make_controller: Make, shape: str
) -> None:
    controller, _, _ = elder(make_controller, shape)
    controller.window.tap_guard.seconds = TAP_GUARD_SECONDS
    submit(qtbot, controller, *OLD_AGE)
    qtbot.wait(int(TAP_GUARD_SECONDS * 1000) + 100)  # 完成 may stand where 确认提交 was: read first, then tap
    done = visible(controller, "done")
    assert isinstance(done, QPushButton)
    spot = done.mapTo(controller.window, done.rect().center())
    qtbot.mouseClick(done, Qt.MouseButton.LeftButton)
    assert controller.window.screen_name == "rating"
    settle()  # laid out (no time passes on the guard's clock)
    under = rating_button_at(controller, spot)
    if under is None:  # nothing of the rating stands there in this shape: a late tap lands on the empty screen
        qtbot.mouseClick(controller.window, Qt.MouseButton.LeftButton, pos=spot)
        assert controller.flow.step == "rating" and controller.flow.screen.view.level is None  # type: ignore[union-attr]
        assert shape == "landscape", "in portrait 跳过 stands where 完成 was"
        controller.wipe()
        return
    qtbot.mouseClick(under, Qt.MouseButton.LeftButton)  # the same finger, a moment late
    assert controller.flow.step == "rating" and controller.flow.screen.view.level is None  # type: ignore[union-attr]
    qtbot.wait(int(TAP_GUARD_SECONDS * 1000) + 100)
    qtbot.mouseClick(under, Qt.MouseButton.LeftButton)  # now meant for the rating, and taken
    assert controller.flow.step != "rating" or controller.flow.screen.view.level is not None  # type: ignore[union-attr]
    controller.wipe()


def rating_button_at(controller: KioskController, spot: QPoint) -> QPushButton | None:
    widget = controller.window.childAt(spot)
    while widget is not None and not isinstance(widget, QPushButton):
        widget = widget.parentWidget()
    return widget if isinstance(widget, QPushButton) else None


def test_a_button_that_changes_its_meaning_in_place_is_held_too(qtbot: QtBot, make_controller: Make) -> None:
    controller, _, _ = elder(make_controller, "portrait")
    guard = controller.window.tap_guard
    guard.seconds = TAP_GUARD_SECONDS
    start = visible(controller, "start")
    assert isinstance(start, QPushButton)
    qtbot.wait(int(TAP_GUARD_SECONDS * 1000) + 100)
    assert not guard.holds(start)
    guard.changed_in_place(start)
    assert guard.holds(start)
    qtbot.mouseClick(start, Qt.MouseButton.LeftButton)
    assert controller.window.screen_name == "attract"
    qtbot.wait(int(TAP_GUARD_SECONDS * 1000) + 100)
    qtbot.mouseClick(start, Qt.MouseButton.LeftButton)
    assert controller.window.screen_name == "services"
