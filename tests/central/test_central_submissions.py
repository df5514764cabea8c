"""Submissions reach the platform exactly once, sealed, with a case number; bad ones are refused readably."""

from __future__ import annotations

import base64
import logging
import threading
from typing import Any

import pytest
import requests

from offline_cache.wire.protocol import PATH_CASE, PATH_SUBMISSIONS, PATH_SUBMISSIONS_BATCH, is_envelope


def test_first_delivery_is_accepted_with_a_case_number(terminal: Any, rows: Any) -> None:
    delivery = terminal.seal()
    answer = terminal.post(delivery.body)
    assert answer.status_code == 201
    body = answer.json()
    assert is_envelope(body, "submission_receipt")
    assert body["submission_id"] == delivery.id
    assert body["status"] == "accepted"
    assert body["case_no"].startswith("SB")
    assert "Idempotent-Replayed" not in answer.headers
    assert rows("submissions", "id = :id", id=delivery.id) == 1


def test_same_key_and_body_twice_gives_one_record_and_the_first_answer(terminal: Any, rows: Any) -> None:
    delivery = terminal.seal()
    first = terminal.post(delivery.body)
    second = terminal.post(delivery.body)
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert rows("submissions", "id = :id", id=delivery.id) == 1


def test_same_key_with_a_changed_body_is_a_conflict(terminal: Any) -> None:
    delivery = terminal.seal()
    assert terminal.post(delivery.body).status_code == 201
    changed = {**delivery.body, "summary": {**delivery.body["summary"], "service_name": "别的事项"}}
    answer = terminal.post(changed)
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "idempotency_conflict"


def test_five_simultaneous_posts_make_one_record_and_five_identical_answers(terminal: Any, rows: Any) -> None:
    delivery = terminal.seal()
    start = threading.Barrier(5)
    answers: list[tuple[int, Any]] = []
    lock = threading.Lock()

    def send() -> None:
        with requests.Session() as session:
            start.wait()
            got = session.post(
                terminal.url(PATH_SUBMISSIONS),
                json=delivery.body,
                headers={**terminal.headers, "Idempotency-Key": delivery.id},
                timeout=60,
            )
        with lock:
            answers.append((got.status_code, got.json()))

    threads = [threading.Thread(target=send) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)
    assert len(answers) == 5
    assert {status for status, _ in answers} == {201}
    assert all(body == answers[0][1] for _, body in answers)
    assert rows("submissions", "id = :id", id=delivery.id) == 1


def test_case_numbers_are_distinct_and_the_case_can_be_looked_up(terminal: Any) -> None:
    receipts = [terminal.post(terminal.seal().body).json() for _ in range(3)]
    assert len({r["case_no"] for r in receipts}) == 3
    answer = terminal.session.get(
        terminal.url(PATH_CASE.format(case_no=receipts[0]["case_no"])), headers=terminal.headers, timeout=10
    )
    assert answer.status_code == 200
    assert is_envelope(answer.json(), "case_status")
    assert answer.json()["service_code"] == "GLJT-01"
    unknown = terminal.session.get(terminal.url(PATH_CASE.format(case_no="SB0")), headers=terminal.headers)
    assert unknown.status_code == 404


def test_tampered_ciphertext_is_refused(terminal: Any, rows: Any) -> None:
    delivery = terminal.seal()
    cipher = bytearray(base64.b64decode(delivery.body["sealed"]["ciphertext"]))
    cipher[3] ^= 0x01
    delivery.body["sealed"]["ciphertext"] = base64.b64encode(bytes(cipher)).decode()
    answer = terminal.post(delivery.body)
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "seal_does_not_open"
    assert rows("submissions", "id = :id", id=delivery.id) == 0


def test_a_seal_made_for_another_platform_is_refused(terminal: Any, central: Any) -> None:
    from central.keys import PlatformKeys
    from offline_cache.wire.sealing import Sealer

    delivery = terminal.seal()
    other = PlatformKeys.generate().seal.public_key()
    blob, _ = Sealer(other).seal(delivery.id, b"{}", [])
    delivery.body["sealed"]["epk"] = base64.b64encode(blob.epk).decode()
    assert terminal.post(delivery.body).status_code == 422


def test_missing_attachment_is_refused_then_accepted_once_uploaded(terminal: Any) -> None:
    delivery = terminal.seal(attachments=[b"\xff\xd8 scanned household register " * 100])
    answer = terminal.post(delivery.body)
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "attachment_missing"
    assert terminal.upload(delivery.attachments[0]).status_code == 201
    assert terminal.post(delivery.body).status_code == 201


def test_invalid_bodies_get_a_readable_422(terminal: Any) -> None:
    delivery = terminal.seal()
    no_summary = {k: v for k, v in delivery.body.items() if k != "summary"}
    answer = terminal.post(no_summary)
    assert answer.status_code == 422
    assert "summary" in answer.json()["error"]["message"]
    assert terminal.post(delivery.body, key="not-the-id").status_code == 422
    not_v7 = {**delivery.body, "id": "3f2504e0-4f89-41d3-9a0c-0305e82c3301"}
    assert terminal.post(not_v7).status_code == 422
    absurd_size = {**delivery.body, "attachments": [{"sha256": "ab" * 32, "size": 2**70}]}
    answer = terminal.post(absurd_size)
    assert answer.status_code == 422
    assert "attachments.0.size" in answer.json()["error"]["message"]


def test_a_batch_that_is_not_json_gets_a_readable_422(terminal: Any) -> None:
    for data in (b'{"submissions": [', b"\xff\xfe not json", b'{"submissions": "none"}'):
        answer = terminal.session.post(
            terminal.url(PATH_SUBMISSIONS_BATCH),
            data=data,
            headers={**terminal.headers, "Content-Type": "application/json"},
            timeout=10,
        )
        assert answer.status_code == 422
        error = answer.json()["error"]
        assert error["code"] == "invalid_request"
        assert error["message"]


def test_requests_without_a_token_get_401_and_a_revoked_terminal_403(terminal: Any, central: Any) -> None:
    delivery = terminal.seal()
    bare = requests.post(terminal.url(PATH_SUBMISSIONS), json=delivery.body, timeout=10)
    assert bare.status_code == 401
    assert bare.json()["error"]["code"] == "unauthenticated"
    wrong = requests.post(
        terminal.url(PATH_SUBMISSIONS), json=delivery.body, headers={"Authorization": "Bearer nope"}, timeout=10
    )
    assert wrong.status_code == 401
    central.revoke(terminal.terminal_id)
    assert terminal.post(delivery.body).status_code == 403


def test_a_terminal_cannot_deliver_for_another(terminal: Any) -> None:
    delivery = terminal.seal()
    delivery.body["terminal_id"] = "T-9999"
    assert terminal.post(delivery.body).status_code == 403


def test_batch_answers_each_item_on_its_own(terminal: Any, rows: Any) -> None:
    good = [terminal.seal() for _ in range(20)]
    assert terminal.post(good[0].body).status_code == 201
    conflicting = {**good[1].body, "service_code": "OTHER"}
    broken = {"id": "x"}
    items = [d.body for d in good] + [conflicting, broken, good[5].body]
    answer = terminal.session.post(
        terminal.url(PATH_SUBMISSIONS_BATCH), json={"submissions": items}, headers=terminal.headers, timeout=60
    )
    assert answer.status_code == 200
    body = answer.json()
    assert is_envelope(body, "batch_result")
    statuses = [r["status"] for r in body["results"]]
    assert statuses == [201] * 20 + [409, 422, 201]
    assert body["results"][0]["replayed"] is True
    assert body["results"][-1]["replayed"] is True  # the same item twice in one batch: stored once
    assert body["results"][-1]["body"] == body["results"][5]["body"]
    assert all(is_envelope(r["body"], "submission_receipt") for r in body["results"][:20])
    assert rows("submissions", "terminal_id = :t", t=terminal.terminal_id) == 20


def test_oversized_body_is_413(terminal: Any) -> None:
    delivery = terminal.seal()
    delivery.body["summary"]["service_name"] = "x" * (3 * 1024 * 1024)
    answer = terminal.post(delivery.body)
    assert answer.status_code == 413
    assert answer.json()["error"]["code"] == "too_large"


def test_server_logs_carry_ids_and_case_numbers_but_no_applicant_data(
    terminal: Any, applicant: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    delivery = terminal.seal()
    receipt = terminal.post(delivery.body).json()
    terminal.post({**delivery.body, "created_at": "2026-11-23T00:00:00+00:00"})
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert delivery.id in text
    assert receipt["case_no"] in text
    for value in (*applicant.values(), "张*丰", "高龄津贴申请"):
        assert value not in text


def test_two_instances_on_one_database_share_dedupe_and_case_numbers(
    terminal: Any, db_url: str, platform_keys: Any, rows: Any
) -> None:
    from central.runner import start_central

    with start_central(db_url, keys=platform_keys) as second:
        delivery = terminal.seal()
        first_answer = terminal.post(delivery.body)
        via_second = requests.post(
            second.url + PATH_SUBMISSIONS,
            json=delivery.body,
            headers={**terminal.headers, "Idempotency-Key": delivery.id},
            timeout=30,
        )
        assert via_second.status_code == 201
        assert via_second.json() == first_answer.json()
        assert via_second.headers["Idempotent-Replayed"] == "true"
        other = terminal.seal()
        other_answer = requests.post(
            second.url + PATH_SUBMISSIONS,
            json=other.body,
            headers={**terminal.headers, "Idempotency-Key": other.id},
            timeout=30,
        )
        assert other_answer.json()["case_no"] != first_answer.json()["case_no"]
    assert rows("submissions", "id = :id", id=delivery.id) == 1
