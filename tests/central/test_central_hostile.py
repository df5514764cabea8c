"""Hostile input at the platform: every body gets a 4xx with the protocol's error body (never a 500 or a
traceback), each batch item meets the limits of a lone submission, one terminal cannot spoil another's
submission, and a failure's log line carries no applicant data."""

from __future__ import annotations

import copy
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import uuid_utils

from central.intake import IntakeDesk
from offline_cache.wire.protocol import (
    MAX_SUBMISSION_BYTES,
    PATH_ATTACHMENTS_BATCH,
    PATH_ENROLL,
    PATH_HEARTBEAT,
    PATH_RATINGS,
    PATH_SUBMISSIONS,
    PATH_SUBMISSIONS_BATCH,
    PROTOCOL,
    SEAL_ALG,
    SEAL_ALG_UNBOUND,
)
from offline_cache.wire.sealing import Sealer, load_public_key
from offline_cache.wire.submission_body import sealed_json

NESTED = b"[" * 100_000 + b"]" * 100_000


def _error_code(answer: requests.Response, status: int) -> str:
    assert answer.status_code == status, answer.text[:300]
    body = answer.json()
    assert body["protocol"] == PROTOCOL
    return str(body["error"]["code"])


def _bundle(manifest: bytes, data: bytes = b"") -> bytes:
    return len(manifest).to_bytes(4, "big") + manifest + data


def _bound_body(terminal: Any, payload: bytes, *, terminal_id: str | None = None) -> dict[str, Any]:
    """A submission body as a current terminal's outbox seals it: bound to its terminal."""
    delivery = terminal.seal()
    owner = terminal_id or terminal.terminal_id
    blob, _ = Sealer(load_public_key(terminal.central.public_key)).seal(delivery.id, payload, [], terminal_id=owner)
    return {**delivery.body, "terminal_id": owner, "sealed": sealed_json(blob)}


@pytest.fixture
def other(central: Any, terminal: Any) -> Iterator[Any]:
    """A second enrolled terminal, T-0002: the one that got hold of a copy of T-0001's queue."""
    term = type(terminal)(central, "T-0002", central.enroll("T-0002"))
    yield term
    term.session.close()


# -- any body: a 4xx with the error body -------------------------------------------------------------------


@pytest.mark.parametrize(
    "manifest",
    [
        b'{"attachments": [{"sha256": "' + b"0" * 64 + b'", "size": 1e400}]}',
        b'{"attachments": [{"sha256": "' + b"0" * 64 + b'", "size": 100000000000000000000000000}]}',
        b'{"attachments": [{"sha256": "' + b"0" * 64 + b'", "size": 1.5}]}',
        b'{"attachments": [{"sha256": 7, "size": 1}]}',
        b'{"attachments": ["x"]}',
        b'{"attachments": [{"sha256": "\\udc80", "size": 1}]}',
        NESTED,
        b'{"attachments": ' + b"[" * 40 + b"]" * 40 + b"}",
        b"\xff\xfe not utf-8",
    ],
    ids=["1e400", "huge-int", "float", "sha-number", "entry-string", "lone-surrogate", "nested", "deep", "bytes"],
)
def test_a_hostile_attachment_manifest_is_invalid_bundle(terminal: Any, manifest: bytes) -> None:
    answer = terminal.session.post(
        terminal.url(PATH_ATTACHMENTS_BATCH), data=_bundle(manifest, b"x"), headers=terminal.headers, timeout=30
    )
    assert _error_code(answer, 422) == "invalid_bundle"


@pytest.mark.parametrize(
    "body",
    [
        NESTED,
        b'{"submissions": ' + b"[" * 40 + b"]" * 40 + b"}",
        b'{"submissions": [{"id": 1e400}]}',
        b'{"submissions": ["\\udc80"]}',
        b'{"submissions": [' + b"[" * 2000 + b"]" * 2000 + b"]}",
        b"\xff",
        b"null",
    ],
    ids=["nested", "deep", "1e400", "lone-surrogate", "deep-item", "bytes", "null"],
)
@pytest.mark.parametrize("path", [PATH_SUBMISSIONS, PATH_SUBMISSIONS_BATCH, PATH_RATINGS, "heartbeat"])
def test_a_hostile_json_body_is_a_4xx_with_the_error_body(terminal: Any, path: str, body: bytes) -> None:
    url = terminal.url(PATH_HEARTBEAT.format(terminal_id=terminal.terminal_id) if path == "heartbeat" else path)
    headers = {**terminal.headers, "Content-Type": "application/json", "Idempotency-Key": str(uuid_utils.uuid7())}
    answer = terminal.session.post(url, data=body, headers=headers, timeout=30)
    assert 400 <= answer.status_code < 500, answer.text[:300]
    assert answer.json()["protocol"] == PROTOCOL
    assert "error" in answer.json()


def test_a_heartbeat_nested_past_the_limit_is_refused(terminal: Any) -> None:
    devices: dict[str, Any] = {}
    for _ in range(40):
        devices = {"d": devices}
    answer = terminal.session.post(
        terminal.url(PATH_HEARTBEAT.format(terminal_id=terminal.terminal_id)),
        json={"devices": devices},
        headers=terminal.headers,
        timeout=30,
    )
    assert _error_code(answer, 422) == "invalid_request"
    assert "nested deeper" in answer.json()["error"]["message"] or "JSON" in answer.json()["error"]["message"]


# -- limits: per item, and however the body is sent --------------------------------------------------------


def test_a_batch_item_over_the_submission_limit_is_413_like_its_lone_post(terminal: Any, rows: Any) -> None:
    big = _bound_body(terminal, b"x" * (MAX_SUBMISSION_BYTES * 3 // 4 + 1000))
    assert len(json.dumps(big)) > MAX_SUBMISSION_BYTES
    assert _error_code(terminal.post(big), 413) == "too_large"
    small = terminal.seal()
    answer = terminal.session.post(
        terminal.url(PATH_SUBMISSIONS_BATCH),
        json={"submissions": [big, small.body]},
        headers=terminal.headers,
        timeout=60,
    )
    assert answer.status_code == 200
    first, second = answer.json()["results"]
    assert (first["id"], first["status"], first["body"]["error"]["code"]) == (big["id"], 413, "too_large")
    assert second["status"] == 201
    assert rows("submissions", "id = :id", id=big["id"]) == 0
    assert rows("submissions", "id = :id", id=small.id) == 1


def test_a_chunked_body_over_the_limit_is_413_not_400(terminal: Any) -> None:
    def fifty_megabytes() -> Iterator[bytes]:
        chunk = b" " * (1024 * 1024)
        yield b'{"id": "'
        for _ in range(50):
            yield chunk

    answer = terminal.session.post(
        terminal.url(PATH_SUBMISSIONS),
        data=fifty_megabytes(),
        headers={**terminal.headers, "Content-Type": "application/json", "Idempotency-Key": "x"},
        timeout=60,
    )
    assert "chunked" in answer.request.headers.get("Transfer-Encoding", "")
    assert _error_code(answer, 413) == "too_large"


# -- authenticate before parsing ----------------------------------------------------------------------------


@pytest.mark.parametrize("path", [PATH_SUBMISSIONS, PATH_SUBMISSIONS_BATCH, PATH_RATINGS, PATH_ATTACHMENTS_BATCH])
def test_no_token_and_a_malformed_body_is_401(terminal: Any, path: str) -> None:
    answer = requests.post(
        terminal.url(path), data=b"{not json", headers={"Content-Type": "application/json"}, timeout=30
    )
    _error_code(answer, 401)


def test_no_admin_token_and_a_malformed_enrollment_is_401(terminal: Any) -> None:
    answer = requests.post(
        terminal.url(PATH_ENROLL), data=b"{not json", headers={"Content-Type": "application/json"}, timeout=30
    )
    assert _error_code(answer, 401) == "not_admin"


# -- one terminal cannot spoil another's submission -------------------------------------------------------


def _copy_for(body: dict[str, Any], terminal_id: str) -> dict[str, Any]:
    stolen = copy.deepcopy(body)
    stolen["terminal_id"] = terminal_id
    return stolen


def test_a_copy_posted_first_by_another_terminal_does_not_open_and_the_owner_delivers(
    terminal: Any, other: Any, rows: Any, db_url: str
) -> None:
    mine = _bound_body(terminal, b'{"applicant": "citizen of T-0001"}')
    assert mine["sealed"]["alg"] == SEAL_ALG
    assert _error_code(other.post(_copy_for(mine, other.terminal_id)), 422) == "seal_does_not_open"
    batch = other.session.post(
        other.url(PATH_SUBMISSIONS_BATCH),
        json={"submissions": [_copy_for(mine, other.terminal_id)]},
        headers=other.headers,
        timeout=30,
    ).json()
    assert batch["results"][0]["status"] == 422
    assert rows("submissions", "id = :id", id=mine["id"]) == 0
    answer = terminal.post(mine)
    assert answer.status_code == 201
    assert "Idempotent-Replayed" not in answer.headers
    assert rows("submissions", "id = :id AND terminal_id = :t", id=mine["id"], t=terminal.terminal_id) == 1


def test_a_copy_posted_after_the_owner_is_a_conflict_and_the_owner_keeps_its_answer(
    terminal: Any, other: Any, rows: Any
) -> None:
    mine = _bound_body(terminal, b'{"applicant": "citizen of T-0001"}')
    first = terminal.post(mine)
    assert first.status_code == 201
    assert _error_code(other.post(_copy_for(mine, other.terminal_id)), 409) == "conflict"
    # Even re-sealed for its own terminal under the same id, the copy never replaces the first record.
    resealed = _bound_body(other, b'{"applicant": "someone else"}')
    resealed["id"] = mine["id"]
    blob, _ = Sealer(load_public_key(other.central.public_key)).seal(
        mine["id"], b"{}", [], terminal_id=other.terminal_id
    )
    resealed["sealed"] = sealed_json(blob)
    assert _error_code(other.post(resealed), 409) == "conflict"
    batch = other.session.post(
        other.url(PATH_SUBMISSIONS_BATCH), json={"submissions": [resealed]}, headers=other.headers, timeout=30
    ).json()
    assert (batch["results"][0]["status"], batch["results"][0]["body"]["error"]["code"]) == (409, "conflict")
    again = terminal.post(mine)
    assert again.status_code == 201
    assert again.json() == first.json()
    assert rows("submissions", "id = :id AND terminal_id = :t", id=mine["id"], t=terminal.terminal_id) == 1


def test_a_bound_seal_relabelled_as_unbound_does_not_open(terminal: Any, other: Any) -> None:
    mine = _bound_body(terminal, b'{"applicant": "citizen of T-0001"}')
    stolen = _copy_for(mine, other.terminal_id)
    stolen["sealed"]["alg"] = SEAL_ALG_UNBOUND
    assert _error_code(other.post(stolen), 422) == "seal_does_not_open"
    assert terminal.post(mine).status_code == 201


def test_a_seal_queued_before_the_upgrade_is_delivered_by_its_own_terminal(terminal: Any) -> None:
    legacy = terminal.seal(attachments=[b"scan queued before the upgrade"])
    assert legacy.body["sealed"]["alg"] == SEAL_ALG_UNBOUND
    assert terminal.deliver(legacy).status_code == 201


# -- logs: one policy, no applicant data --------------------------------------------------------------------


def test_a_500_logs_type_and_path_but_no_traceback_name_or_id_number(
    capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    terminal: Any,
    applicant: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What an operator reads: anything the process writes to stderr, and every log record, the web server's
    too (its logger may be set not to pass records on, so the capture listens on it directly)."""
    caplog.set_level(logging.INFO)
    server_log = logging.getLogger("uvicorn")
    monkeypatch.setattr(server_log, "handlers", [*server_log.handlers, caplog.handler])

    def broken_store(self: IntakeDesk, conn: Any, fresh: list[tuple[int, Any, bytes]]) -> Any:
        # A bug that quotes what it was storing: the opened payload, name and ID number in clear.
        raise RuntimeError(f"cannot store {fresh[0][2].decode()}")

    monkeypatch.setattr(IntakeDesk, "_insert", broken_store)
    payload = json.dumps({"applicant": applicant}, ensure_ascii=False).encode()
    body = _bound_body(terminal, payload)
    answer = terminal.post(body)
    assert _error_code(answer, 500) == "internal_error"
    terminal.session.close()
    terminal.central.stop()  # waits for the request's task to end: whatever it logs is logged by now
    logged = caplog.text + capfd.readouterr().err
    assert "internal error RuntimeError on POST /api/v1/submissions" in logged
    assert applicant["name"] not in logged
    assert applicant["id_number"] not in logged
    assert "Traceback" not in logged


def test_a_rating_key_of_another_terminal_is_a_conflict_and_the_first_rating_stays(
    terminal: Any, other: Any, rows: Any
) -> None:
    case_no = terminal.post(terminal.seal().body).json()["case_no"]
    rating = {
        "case_no": case_no,
        "service_code": "GLJT-01",
        "level": 5,
        "reason": None,
        "channel": "kiosk",
        "terminal_id": terminal.terminal_id,
        "region_code": "110101",
        "rated_at": "2026-11-22T09:05:00+00:00",
        "rater_masked": "张*丰",
    }
    key = str(uuid_utils.uuid7())
    first = terminal.session.post(
        terminal.url(PATH_RATINGS), json=rating, headers={**terminal.headers, "Idempotency-Key": key}, timeout=30
    )
    assert first.status_code == 201
    stolen = other.session.post(
        other.url(PATH_RATINGS),
        json={**rating, "terminal_id": other.terminal_id, "level": 1},
        headers={**other.headers, "Idempotency-Key": key},
        timeout=30,
    )
    assert _error_code(stolen, 409) == "conflict"
    again = terminal.session.post(
        terminal.url(PATH_RATINGS), json=rating, headers={**terminal.headers, "Idempotency-Key": key}, timeout=30
    )
    assert (again.status_code, again.json()) == (201, first.json())
    assert rows("ratings", "id = :id AND terminal_id = :t AND level = 5", id=key, t=terminal.terminal_id) == 1
