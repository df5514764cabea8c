"""排队取号: the ticket's screen says 预计等候 when the hall has a forecast for this hour, and nothing without one."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from kiosk.hall.catalog_store import bundled_catalog
from kiosk.hall.usage import ExpectedWait
from kiosk.visit.flow import CitizenFlow
from kiosk.visit.ports import SubmitOutcome
from kiosk.visit.strings import Texts
from kiosk.visit.views import ResultView

NOW = datetime(2026, 11, 23, 10, 20)


def reply_with(point: float | None) -> dict[str, Any]:
    hours = [] if point is None else [{"hour": "2026-11-23T10", "point": point, "lower80": 20, "upper80": 40}]
    return {"kind": "heartbeat_reply", "usage_forecast": {"hall": "hall-a", "hours": hours}}


def ticket_screen(outcome: SubmitOutcome, language: str = "zh_CN") -> ResultView:
    flow = CitizenFlow(bundled_catalog(), "示范大厅", texts=Texts(language), today=lambda: date(2026, 11, 23))
    flow.start()
    flow.choose_service("PDQH-06")
    flow.submitted(outcome)
    view = flow.screen.view
    assert isinstance(view, ResultView)
    return view


def test_the_ticket_says_the_expected_wait_and_what_it_is_based_on() -> None:
    wait = ExpectedWait(lambda: reply_with(30.0), lambda: NOW)
    minutes = wait.minutes(5)
    assert minutes == 10  # five people ahead, thirty an hour expected in this hour
    view = ticket_screen(SubmitOutcome("ticket", case_no="A006", waiting=5, expected_wait_minutes=minutes))
    assert "前面还有 5 人" in view.message
    assert "预计等候约 10 分钟" in view.message
    assert "预测" in view.message  # says what the estimate rests on
    english = ticket_screen(SubmitOutcome("ticket", case_no="A006", waiting=5, expected_wait_minutes=minutes), "en")
    assert "about 10 minutes" in english.message


def test_without_a_forecast_the_ticket_shows_no_wait_at_all() -> None:
    for reply in (None, reply_with(None), {"kind": "heartbeat_reply"}, reply_with(0.2)):
        wait = ExpectedWait(lambda reply=reply: reply, lambda: NOW)  # type: ignore[misc]
        assert wait.minutes(5) is None
    view = ticket_screen(SubmitOutcome("ticket", case_no="A006", waiting=5, expected_wait_minutes=None))
    assert "前面还有 5 人" in view.message
    assert "预计等候" not in view.message


def test_a_forecast_for_another_hour_is_not_used() -> None:
    wait = ExpectedWait(lambda: reply_with(30.0), lambda: datetime(2026, 11, 23, 11, 5))
    assert wait.minutes(5) is None


def test_the_ticket_desk_asks_for_the_wait(tmp_path: Path) -> None:
    from kiosk.hall.matters import OutboxMatters
    from kiosk.hall.queries import NoQueryDesk
    from kiosk.records.ratings import RatingBook
    from kiosk.records.tickets import TicketRoll
    from kiosk.visit.ports import SubmissionRequest, Terminal
    from offline_cache.store import Outbox

    tickets = TicketRoll(tmp_path / "tickets.sqlite3", today=NOW.date)
    ratings = RatingBook(tmp_path / "ratings.sqlite3")
    outbox = Outbox(tmp_path / "outbox", terminal_id="t-1")
    wait = ExpectedWait(lambda: reply_with(12.0), lambda: NOW)
    matters = OutboxMatters(
        outbox,
        Terminal("t-1", "110101"),
        trigger_sync=lambda: None,
        queries=NoQueryDesk(),
        tickets=tickets,
        ratings=ratings,
        expected_wait=wait.minutes,
    )
    service = bundled_catalog().service("PDQH-06")
    outcomes = [matters.handle(SubmissionRequest(service, None, {})) for _ in range(3)]
    assert [o.waiting for o in outcomes] == [0, 1, 2]
    assert [o.expected_wait_minutes for o in outcomes] == [1, 5, 10]
    tickets.close()
    ratings.close()
    outbox.close()
