"""One time zone for everything a person reads: the hall's (config ``terminal.time_zone``, Asia/Shanghai by
default), whatever the terminal's system clock says. The attract clock keeps time; the receipt, the queue
status and the platform's case numbers agree on the date."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from accessibility.voice_recording import RecordingVoice
from central.clock import case_number
from kiosk.cli.main import main
from kiosk.config import ConfigError, parse_config
from kiosk.hall.compose import Hall
from kiosk.hall.printing import JournalReceipts
from kiosk.records.tickets import TicketRoll
from ui.controller import KioskController

from .conftest import FakeClock

Make = Callable[..., tuple[KioskController, RecordingVoice, FakeClock]]
#: A terminal whose system clock is set 12 hours behind UTC (and 20 behind the hall).
FAR_SYSTEM_ZONE = "Etc/GMT+12"


@pytest.fixture
def system_clock_elsewhere(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The process's local time zone is not the hall's (as on a terminal left in UTC, only further)."""
    monkeypatch.setenv("TZ", FAR_SYSTEM_ZONE)
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def clock_text(controller: KioskController) -> str:
    shown = controller.window.findChild(QLabel, "hall-clock")
    assert shown is not None and shown.isVisible()
    return shown.text()


def test_the_config_names_the_hall_s_time_zone() -> None:
    assert parse_config("").terminal.time_zone == "Asia/Shanghai"
    assert parse_config('[terminal]\ntime_zone = "Asia/Urumqi"\n').terminal.zone == ZoneInfo("Asia/Urumqi")
    with pytest.raises(ConfigError, match=r"terminal\.time_zone"):
        parse_config('[terminal]\ntime_zone = "Mars/Olympus_Mons"\n')


@pytest.mark.usefixtures("system_clock_elsewhere")
def test_the_attract_clock_shows_the_hall_s_time(make_controller: Make, tmp_path: Path) -> None:
    settings = '[voice]\nengine = "record"\n[terminal]\ntime_zone = "Asia/Shanghai"\n'
    config = parse_config(f'data_dir = "{tmp_path}"\n{settings}')
    controller, _, _ = make_controller((1080, 1920), config=config)
    zone = ZoneInfo("Asia/Shanghai")
    before = datetime.now(zone).strftime("%Y-%m-%d  %H:%M")
    shown = clock_text(controller)
    after = datetime.now(zone).strftime("%Y-%m-%d  %H:%M")
    assert shown in (before, after)


def test_the_attract_clock_keeps_time(qtbot: QtBot, make_controller: Make) -> None:
    controller, _, _ = make_controller((1920, 1080))
    moments = [datetime(2026, 11, 26, 8, 59, 58, tzinfo=ZoneInfo("Asia/Shanghai"))]
    controller.hall_now = lambda: moments[0]
    controller.render()
    assert clock_text(controller) == "2026-11-26  08:59"
    moments[0] += timedelta(seconds=3)
    qtbot.waitUntil(lambda: clock_text(controller) == "2026-11-26  09:00", timeout=3000)


@pytest.mark.usefixtures("system_clock_elsewhere")
def test_the_receipt_and_the_case_number_have_one_date(demo_hall: Hall) -> None:
    receipts = demo_hall.ports.receipts
    assert isinstance(receipts, JournalReceipts)
    before = datetime.now(UTC)
    printed = receipts.now()
    after = datetime.now(UTC)
    assert printed.utcoffset() == timedelta(hours=8)  # the hall's (China) time, not the system clock's
    dates = {case_number(1, moment)[2:10] for moment in (before, after)}  # SB + YYYYMMDD + sequence
    assert printed.strftime("%Y%m%d") in dates


@pytest.mark.usefixtures("system_clock_elsewhere")
def test_the_age_on_the_card_is_counted_on_the_hall_s_date(make_controller: Make) -> None:
    controller, _, _ = make_controller((1080, 1920))
    assert controller.flow.today() == datetime.now(ZoneInfo("Asia/Shanghai")).date()


def test_queue_numbers_start_again_at_the_hall_s_midnight(tmp_path: Path) -> None:
    days = [date(2026, 11, 25)]
    roll = TicketRoll(tmp_path / "tickets.sqlite3", today=lambda: days[0])
    try:
        assert roll.issue("A").number == "A001"
        assert roll.issue("A").number == "A002"
        days[0] = date(2026, 11, 26)
        assert roll.issue("A").number == "A001"
    finally:
        roll.close()


@pytest.mark.usefixtures("system_clock_elsewhere")
def test_queue_status_shows_times_in_the_hall_s_zone(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'data_dir = "{tmp_path / "data"}"\n', encoding="utf-8")
    submission = tmp_path / "sub.json"
    summary = {"service_code": "GLJT-01", "service_name": "高龄津贴申请", "applicant_masked": "赵*英"}
    submission.write_text(json.dumps({"summary": summary, "payload": {"n": 1}}, ensure_ascii=False))
    assert main(["--config", str(config), "queue", "put", str(submission), "--demo"]) == 0
    capsys.readouterr()
    assert main(["--config", str(config), "queue", "status", "--demo", "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    created = status["items"][0]["created_at"]
    assert created.endswith("+08:00"), created
    assert abs(datetime.fromisoformat(created) - datetime.now(UTC)) < timedelta(minutes=5)
    assert main(["--config", str(config), "queue", "status", "--demo"]) == 0
    listing = capsys.readouterr().out
    assert datetime.fromisoformat(created).strftime("%Y-%m-%dT%H:%M") in listing
