"""Assisted cases at the real platform: a case with its 委托 is accepted (受理) and stored with it once, a
reviewer moves it through its lifecycle, and a laptop pages its staff member's cases back by ``since`` and
``cursor``; a 回交 sent from the laptop is an event of its case, recorded once however often it is replayed."""

from __future__ import annotations

import io
import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlencode

import pytest
import requests
from sqlalchemy import Engine, select

from central.cli import main as central_main
from central.schema import staff_authorizations
from central.staff.accounts import StaffBook
from central.staff.lifecycle import CaseLifecycle
from offline_cache.wire.protocol import PATH_CASE, PATH_CASES, PATH_SUBMISSIONS, PATH_SUBMISSIONS_BATCH
from tests.central.staff_helpers import (
    ALLOWED,
    OTHER,
    PASSWORDS,
    Laptop,
    assisted_central,
    authorization,
    engine,
    laptop,
    staff,
)

__all__ = ["assisted_central", "engine", "laptop", "staff"]


def _cases(laptop: Laptop, **query: Any) -> Any:
    answer = laptop.session.get(f"{laptop.url(PATH_CASES)}?{urlencode(query)}", headers=laptop.headers, timeout=30)
    assert answer.status_code == 200, answer.text
    assert answer.json()["kind"] == "case_page"
    return answer.json()


def test_an_assisted_case_is_accepted_with_its_authorization_stored_once(
    laptop: Laptop, staff: StaffBook, engine: Engine, rows: Any
) -> None:
    auth = authorization([ALLOWED, OTHER])
    first = laptop.post(laptop.case(ALLOWED, auth))
    second = laptop.post(laptop.case(OTHER, auth))  # one 委托 covering two matters of the same resident
    assert first.status_code == 201 and second.status_code == 201
    assert first.json()["case_no"].startswith("SB")
    assert rows("staff_authorizations", "authorization_id = :a", a=auth["authorization_id"]) == 1
    with engine.connect() as conn:
        stored = conn.execute(select(staff_authorizations.c.body)).scalar_one()
    assert json.loads(stored)["principal"]["name"] == "张桂兰"
    page = _cases(laptop, staff="S001")
    assert [c["case_no"] for c in page["cases"]] == [first.json()["case_no"], second.json()["case_no"]]
    assert all(c["state"] == "accepted" for c in page["cases"])
    assert page["cases"][0]["submission_id"] == first.json()["submission_id"]
    assert page["cases"][0]["history"][0]["state"] == "accepted"
    assert page["next_cursor"] is None
    assert _cases(laptop, staff="S003")["cases"] == []  # another member's list is empty


def test_a_resident_present_without_authorization_is_a_step_case(laptop: Laptop, staff: StaffBook) -> None:
    answer = laptop.post(laptop.case(ALLOWED, None, mode="step"))
    assert answer.status_code == 201
    assert _cases(laptop, staff="S001")["cases"][0]["state"] == "accepted"


def test_pages_follow_the_cursor_and_since_brings_only_what_changed(
    laptop: Laptop, staff: StaffBook, engine: Engine
) -> None:
    numbers = [laptop.post(laptop.case(ALLOWED, authorization())).json()["case_no"] for _ in range(5)]
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        page = _cases(laptop, staff="S001", limit=2, **({"cursor": cursor} if cursor else {}))
        seen += [c["case_no"] for c in page["cases"]]
        pages += 1
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == numbers and pages == 3
    newest = max(c["state_at"] for c in _cases(laptop, staff="S001")["cases"])
    lifecycle = CaseLifecycle(engine)
    lifecycle.advance(numbers[1], "processing", by="S002", note="材料齐全")
    lifecycle.advance(numbers[1], "concluded", by="S002")
    changed = _cases(laptop, staff="S001", since=newest)["cases"]
    # the case at exactly ``since`` may come again; the changed one comes with its whole history
    assert numbers[1] in [c["case_no"] for c in changed]
    moved = next(c for c in changed if c["case_no"] == numbers[1])
    assert moved["state"] == "concluded"
    assert [h["state"] for h in moved["history"]] == ["accepted", "processing", "concluded"]
    assert moved["history"][1]["note"] == "材料齐全" and moved["history"][1]["by"] == "S002"


def test_a_reviewer_advances_a_case_from_the_command_line(
    db_url: str,
    laptop: Laptop,
    staff: StaffBook,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    case_no = laptop.post(laptop.case(ALLOWED, authorization())).json()["case_no"]
    advance = ["case", "advance", case_no, "processing", "--db", db_url]
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORDS["S001"] + "\n"))
    assert central_main([*advance, "--staff", "S001"]) == 1  # an agent is not a reviewer
    assert "审核" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("wrong-password\n"))
    assert central_main([*advance, "--staff", "S002"]) == 1
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORDS["S002"] + "\n"))
    assert central_main([*advance, "--staff", "S002", "--note", "已受理审核"]) == 0
    assert "受理 → 办理" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORDS["S002"] + "\n"))
    assert central_main(["case", "advance", case_no, "followed_up", "--staff", "S002", "--db", db_url]) == 1
    assert "不能改为“回访”" in capsys.readouterr().err
    assert _cases(laptop, staff="S001")["cases"][0]["state"] == "processing"


def test_a_handback_from_the_laptop_is_an_event_of_its_case_recorded_once(
    laptop: Laptop, staff: StaffBook, engine: Engine, rows: Any
) -> None:
    case = laptop.case(ALLOWED, authorization())
    receipt = laptop.post(case).json()
    lifecycle = CaseLifecycle(engine)
    lifecycle.advance(receipt["case_no"], "processing", by="S002")
    lifecycle.advance(receipt["case_no"], "concluded", by="S002")
    event = laptop.event(case["id"], "handed_back")
    first = laptop.post(event)
    again = laptop.post(event)
    assert first.status_code == 201 and again.status_code == 201
    assert again.headers.get("Idempotent-Replayed") == "true" and again.json() == first.json()
    assert first.json()["submission_id"] == event["id"]
    assert first.json()["case_no"] == receipt["case_no"]  # the original case's number, not a new one
    assert first.json()["case_submission_id"] == case["id"]
    assert rows("staff_case_events", "event_submission_id = :e", e=event["id"]) == 1
    assert rows("submissions", "case_no IS NOT NULL", e=event["id"]) == 1  # still one numbered case
    # in a batch, replayed once more, and a 回访 after it
    follow = laptop.event(case["id"], "followed_up")
    batch = laptop.session.post(
        laptop.url(PATH_SUBMISSIONS_BATCH), json={"submissions": [event, follow]}, headers=laptop.headers, timeout=30
    )
    assert [r["status"] for r in batch.json()["results"]] == [201, 201]
    assert rows("staff_case_events", "event_submission_id = :e", e=event["id"]) == 1
    page = _cases(laptop, staff="S001")["cases"][0]
    assert page["state"] == "followed_up"
    assert [h["state"] for h in page["history"]] == [
        "accepted",
        "processing",
        "concluded",
        "handed_back",
        "followed_up",
    ]
    assert page["history"][3]["note"] == "结果已交本人，本人签字"
    status = laptop.session.get(
        laptop.url(PATH_CASE.format(case_no=receipt["case_no"])), headers=laptop.headers, timeout=30
    )
    assert status.status_code == 200


def test_simultaneous_deliveries_of_one_case_give_one_case(laptop: Laptop, staff: StaffBook, rows: Any) -> None:
    case = laptop.case(ALLOWED, authorization())

    def deliver(_: int) -> tuple[int, Any]:
        with requests.Session() as session:
            headers = {**laptop.headers, "Idempotency-Key": case["id"]}
            answer = session.post(laptop.url(PATH_SUBMISSIONS), json=case, headers=headers, timeout=60)
            return answer.status_code, answer.json()

    with ThreadPoolExecutor(5) as pool:
        answers = list(pool.map(deliver, range(5)))
    assert {status for status, _ in answers} == {201}
    assert len({body["case_no"] for _, body in answers}) == 1
    assert rows("staff_cases", "submission_id = :i", i=case["id"]) == 1
    assert rows("staff_case_events", "state = 'accepted'") == 1
    assert len(_cases(laptop, staff="S001")["cases"]) == 1
