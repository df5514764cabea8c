"""Whole visits, tapped through as a resident would, with simulated devices and the real embedded platform.

After each visit: no widget, log line or session file holds the resident's name or ID number.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QLabel, QPushButton
from pytestqt.qtbot import QtBot

from accessibility.voice_recording import RecordingVoice
from devices.idcard.samples import SAMPLE_CARDS
from kiosk.hall.compose import Hall
from ui.controller import KioskController
from ui.signature import SignaturePad

from .conftest import FakeClock, all_visible_text

Make = Callable[..., tuple[KioskController, RecordingVoice, FakeClock]]
ELDER = SAMPLE_CARDS["zhao_shuying"]
ADULT = SAMPLE_CARDS["wang_yan"]
WAIT_MS = 20_000


def find_button(controller: KioskController, name: str) -> QPushButton | None:
    for widget in controller.window.findChildren(QPushButton, name):
        if widget.isVisible():
            return widget
    return None


def tap(qtbot: QtBot, controller: KioskController, name: str) -> None:
    qtbot.waitUntil(lambda: find_button(controller, name) is not None, timeout=WAIT_MS)
    widget = find_button(controller, name)
    assert widget is not None and widget.isEnabled(), name
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def wait_for(qtbot: QtBot, controller: KioskController, screen: str) -> None:
    qtbot.waitUntil(lambda: controller.window.screen_name == screen, timeout=WAIT_MS)


def keypad(qtbot: QtBot, controller: KioskController, digits: str) -> None:
    for digit in digits:
        tap(qtbot, controller, f"key_{digit}")
    tap(qtbot, controller, "key_confirm")


def place_card(qtbot: QtBot, controller: KioskController, hall: Hall, sample: str) -> None:
    wait_for(qtbot, controller, "identify")
    assert hall.ports.demo is not None
    hall.ports.demo.remove_card()  # type: ignore[attr-defined]
    # A card counts only when placed while the screen listens: wait until the reader has seen it gone.
    assert hall.reader is not None
    qtbot.waitUntil(lambda: hall.reader is not None and hall.reader.card_on_reader is None, timeout=20_000)
    hall.ports.demo.place_card(sample)  # type: ignore[attr-defined]
    wait_for(qtbot, controller, "form")


def sign(qtbot: QtBot, controller: KioskController) -> None:
    pad = controller.window.findChild(SignaturePad, "signature-pad")
    assert pad is not None
    pad.add_stroke([QPointF(40, 40), QPointF(200, 120), QPointF(320, 60)])
    tap(qtbot, controller, "next")


def screen_text(controller: KioskController) -> str:
    return all_visible_text(controller.window)


@pytest.fixture
def privacy(
    caplog: pytest.LogCaptureFixture, qtbot: QtBot, session_root: Path
) -> Callable[[KioskController, list[str]], None]:
    caplog.set_level(logging.DEBUG)

    def check(controller: KioskController, secrets: list[str]) -> None:
        controller.wipe()  # waits for a receipt still printing, never cuts it
        wait_for(qtbot, controller, "attract")
        text = screen_text(controller)
        for secret in secrets:
            assert secret not in text, "left on screen"
            assert secret not in caplog.text, "written to the log"
        assert not list(session_root.glob("*")), "session files left"

    return check


def test_old_age_allowance_online_from_card_to_rating(
    qtbot: QtBot, make_controller: Make, demo_hall: Hall, privacy: Callable[..., None]
) -> None:
    controller, voice, _ = make_controller()
    taps = 0
    tap(qtbot, controller, "start")
    tap(qtbot, controller, "service-GLJT-01")
    place_card(qtbot, controller, demo_hall, "zhao_shuying")
    assert controller.flow.screen.view.label == "联系电话"  # type: ignore[union-attr]  # the card answered the rest
    keypad(qtbot, controller, "13812345678")
    tap(qtbot, controller, "choice-sscard")
    tap(qtbot, controller, "choice-no")
    sign(qtbot, controller)
    wait_for(qtbot, controller, "review")
    review = screen_text(controller)
    assert "赵*英" in review and ELDER.id_number not in review
    tap(qtbot, controller, "submit")
    taps += 8
    wait_for(qtbot, controller, "result")
    qtbot.waitUntil(lambda: controller.flow.screen.view.print_state == "printed", timeout=WAIT_MS)  # type: ignore[union-attr]
    case_no = controller.flow.outcome.case_no  # type: ignore[union-attr]
    assert case_no.startswith("SB")
    assert case_no in screen_text(controller)
    assert controller.window.findChild(QLabel, "e-receipt") is not None
    assert any("受理" in s for s in voice.said)
    tap(qtbot, controller, "done")
    tap(qtbot, controller, "rate-5")
    wait_for(qtbot, controller, "thanks")
    assert all(ELDER.id_number not in s and "13812345678" not in s for s in voice.said)
    privacy(controller, [ELDER.name, ELDER.id_number, "13812345678"])
    # the rating (好差评) reaches the platform with the case number, the channel and the rater masked
    qtbot.waitUntil(lambda: platform_rows(demo_hall, "ratings", case_no) != [], timeout=WAIT_MS)
    body = json.loads(platform_rows(demo_hall, "ratings", case_no)[0]["body"])
    assert (body["level"], body["service_code"], body["channel"]) == (5, "GLJT-01", "self_service_terminal")
    assert body["rater_masked"] == "110***********0028"
    assert body["terminal_id"] == controller.config.terminal.id and body["region_code"]


def platform_rows(hall: Hall, table: str, case_no: str = "") -> list[sqlite3.Row]:
    """What the embedded platform stored (its SQLite file), read as the back office would."""
    hall.heartbeat.beat()  # ratings and alerts go out after each heartbeat
    with sqlite3.connect(hall.paths.platform_db) as db:
        db.row_factory = sqlite3.Row
        if table == "ratings":
            return db.execute("SELECT * FROM ratings WHERE case_no = ?", (case_no,)).fetchall()
        return db.execute("SELECT * FROM alerts WHERE kind = 'call_staff'").fetchall()


def test_call_staff_reaches_the_platform(qtbot: QtBot, make_controller: Make, demo_hall: Hall) -> None:
    controller, voice, _ = make_controller()
    before = len(platform_rows(demo_hall, "alerts"))
    tap(qtbot, controller, "start")
    tap(qtbot, controller, "call-staff")
    qtbot.waitUntil(lambda: controller.window.overlay is not None, timeout=WAIT_MS)
    rows = platform_rows(demo_hall, "alerts")
    assert len(rows) == before + 1
    assert json.loads(rows[-1]["detail"])["screen"] == "services"
    assert any("工作人员马上到" in s for s in voice.said)


def test_old_age_allowance_offline_is_saved_and_delivered_when_the_platform_returns(
    qtbot: QtBot, make_controller: Make, demo_hall: Hall, privacy: Callable[..., None]
) -> None:
    controller, voice, _ = make_controller()
    demo_hall.stop_platform()
    try:
        tap(qtbot, controller, "start")
        tap(qtbot, controller, "service-GLJT-01")
        place_card(qtbot, controller, demo_hall, "zhao_shuying")
        keypad(qtbot, controller, "13912345678")
        tap(qtbot, controller, "choice-bank")
        tap(qtbot, controller, "choice-ccb")  # 银行卡: which bank, and the card's number
        keypad(qtbot, controller, "6217001234567890123")
        tap(qtbot, controller, "choice-yes")
        sign(qtbot, controller)
        tap(qtbot, controller, "submit")
        wait_for(qtbot, controller, "result")
        outcome = controller.flow.outcome
        assert outcome is not None and outcome.kind == "queued" and outcome.case_no.startswith("LS")
        assert any("安全保存" in s for s in voice.said)
        pending = demo_hall.sync.status().pending
        assert pending >= 1
    finally:
        demo_hall.start_platform()
    demo_hall.sync.trigger()
    qtbot.waitUntil(lambda: demo_hall.sync.status().pending == 0, timeout=30_000)
    sent = [i for i in demo_hall.outbox.items(("sent",)) if i.summary.service_code == "GLJT-01"]
    assert sent and all(i.case_no and i.case_no.startswith("SB") for i in sent)
    privacy(controller, [ELDER.name, ELDER.id_number, "13912345678", "6217001234567890123"])


def test_insurance_record_query_prints_its_result(
    qtbot: QtBot, make_controller: Make, demo_hall: Hall, privacy: Callable[..., None]
) -> None:
    controller, _, _ = make_controller()
    tap(qtbot, controller, "start")
    tap(qtbot, controller, "service-SBZM-03")
    place_card(qtbot, controller, demo_hall, "wang_yan")
    tap(qtbot, controller, "choice-pension")
    keypad(qtbot, controller, "20200101")
    tap(qtbot, controller, "submit")
    wait_for(qtbot, controller, "result")
    qtbot.waitUntil(lambda: controller.flow.screen.view.print_state == "printed", timeout=WAIT_MS)  # type: ignore[union-attr]
    outcome = controller.flow.outcome
    assert outcome is not None and outcome.kind == "query"
    assert ("参保状态", "正常参保") in outcome.rows
    assert demo_hall.printer is not None
    privacy(controller, [ADULT.name, ADULT.id_number])


def test_queue_ticket_needs_no_card_and_prints_a_number(
    qtbot: QtBot, make_controller: Make, demo_hall: Hall, privacy: Callable[..., None]
) -> None:
    controller, voice, _ = make_controller()
    tap(qtbot, controller, "start")
    tap(qtbot, controller, "service-PDQH-06")
    tap(qtbot, controller, "choice-C")
    tap(qtbot, controller, "submit")
    wait_for(qtbot, controller, "result")
    outcome = controller.flow.outcome
    assert outcome is not None and outcome.kind == "ticket" and outcome.case_no.startswith("C")
    assert any(outcome.case_no in s or "号码" in s for s in voice.said)
    privacy(controller, [])


def test_residence_permit_with_a_photographed_contract(
    qtbot: QtBot, make_controller: Make, demo_hall: Hall, privacy: Callable[..., None]
) -> None:
    controller, _, _ = make_controller()
    tap(qtbot, controller, "start")
    tap(qtbot, controller, "service-JZZ-04")
    place_card(qtbot, controller, demo_hall, "wang_yan")
    keypad(qtbot, controller, "13712345678")
    for letter in "zhang":
        tap(qtbot, controller, f"key_{letter}")
    candidates = [b for b in controller.window.findChildren(QPushButton) if b.text() == "张" and b.isVisible()]
    assert candidates
    qtbot.mouseClick(candidates[0], Qt.MouseButton.LeftButton)
    # The rest of the address from the 数字 page: an area and a number, as the address rule asks.
    tap(qtbot, controller, "key_mode_numbers")
    for word in ("市", "8", "8", "号", "院"):
        tap(qtbot, controller, f"key_{word}")
    tap(qtbot, controller, "key_confirm")
    keypad(qtbot, controller, "20240301")
    tap(qtbot, controller, "capture")
    tap(qtbot, controller, "use-photo")  # the scan is shown first, with 重拍
    wait_for(qtbot, controller, "review")
    contract = controller.flow.session.answers["contract"]
    assert contract.file is not None and contract.file.read_bytes()[:2] == b"\xff\xd8"  # a JPEG scan
    tap(qtbot, controller, "submit")
    wait_for(qtbot, controller, "result")
    outcome = controller.flow.outcome
    assert outcome is not None and outcome.kind == "accepted"  # the embedded platform is up
    # The address as typed is in the submission the platform opened, not only in the flow's answer.
    with sqlite3.connect(demo_hall.paths.platform_db) as db:
        row = db.execute("SELECT payload FROM submissions WHERE case_no = ?", (outcome.case_no,)).fetchone()
    assert row is not None and "张市88号院" in row[0].decode("utf-8")
    privacy(controller, [ADULT.name, ADULT.id_number, "13712345678"])


def test_a_wrong_phone_number_is_shown_and_spoken(qtbot: QtBot, make_controller: Make, demo_hall: Hall) -> None:
    controller, voice, _ = make_controller()
    tap(qtbot, controller, "start")
    tap(qtbot, controller, "service-GLJT-01")
    place_card(qtbot, controller, demo_hall, "zhao_shuying")
    keypad(qtbot, controller, "123")
    error = controller.window.findChild(QLabel, "field-error")
    assert error is not None and error.isVisible() and "11位" in error.text()
    assert "11" in voice.said[-1] or "十一" in voice.said[-1]
    controller.wipe()


def test_timeout_mid_form_wipes_everything(qtbot: QtBot, make_controller: Make, demo_hall: Hall) -> None:
    controller, _, clock = make_controller()
    tap(qtbot, controller, "start")
    tap(qtbot, controller, "service-GLJT-01")
    place_card(qtbot, controller, demo_hall, "zhao_shuying")
    keypad(qtbot, controller, "13812345678")
    clock.advance(200)
    controller.tick()
    assert controller.window.screen_name == "attract"
    assert controller.flow.session.applicant is None
    assert "赵" not in screen_text(controller)


def test_paper_out_at_the_receipt_step_offers_the_e_receipt(
    qtbot: QtBot, make_controller: Make, demo_hall: Hall
) -> None:
    controller, voice, _ = make_controller()
    assert demo_hall.printer is not None
    connection = demo_hall.printer.connection
    assert connection is not None
    connection.paper = "out"  # type: ignore[attr-defined]
    try:
        tap(qtbot, controller, "start")
        tap(qtbot, controller, "service-PDQH-06")
        tap(qtbot, controller, "choice-A")
        tap(qtbot, controller, "submit")
        qtbot.waitUntil(
            lambda: controller.flow.step == "result" and controller.flow.screen.view.print_state == "paper_out",  # type: ignore[union-attr]
            timeout=WAIT_MS,
        )
        assert "缺纸" in screen_text(controller)
        assert controller.window.findChild(QLabel, "e-receipt") is not None
        assert any("缺纸" in s for s in voice.said)
        assert demo_hall.ports.receipts.busy() is False
    finally:
        connection.paper = "ok"  # type: ignore[attr-defined]
    controller.wipe()
