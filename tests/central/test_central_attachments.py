"""Attachments upload in chunks, resume after an interruption from where the platform is, and verify."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import requests

from central.runner import start_central
from offline_cache.wire.protocol import PATH_ATTACHMENT, PATH_ATTACHMENTS_BATCH, is_envelope

CHUNK = 64 * 1024


def _head(terminal: Any, sha256: str) -> Any:
    return terminal.session.head(
        terminal.url(PATH_ATTACHMENT.format(sha256=sha256)), headers=terminal.headers, timeout=10
    )


def test_interrupted_upload_resumes_from_the_platforms_offset(terminal: Any) -> None:
    delivery = terminal.seal(attachments=[os.urandom(5 * CHUNK - 100)])
    sealed = delivery.attachments[0]
    sha = hashlib.sha256(sealed).hexdigest()
    chunks = [sealed[i : i + CHUNK] for i in range(0, len(sealed), CHUNK)]
    assert len(chunks) == 5
    assert _head(terminal, sha).status_code == 404

    for index in range(2):  # the network drops after two chunks
        partial = terminal.put(chunks[index], index * CHUNK, len(sealed), sha)
        assert partial.status_code == 202
        assert is_envelope(partial.json(), "attachment")
        assert partial.json()["upload_offset"] == (index + 1) * CHUNK

    state = _head(terminal, sha)
    assert state.status_code == 200
    assert int(state.headers["Upload-Offset"]) == 2 * CHUNK
    assert int(state.headers["Upload-Length"]) == len(sealed)

    offset = int(state.headers["Upload-Offset"])
    sent_after_resume = 0
    answer = None
    for start in range(offset, len(sealed), CHUNK):
        piece = sealed[start : start + CHUNK]
        sent_after_resume += len(piece)
        answer = terminal.put(piece, start, len(sealed), sha)
    assert answer is not None
    assert answer.status_code == 201
    assert answer.json()["complete"] is True
    assert sent_after_resume == len(sealed) - 2 * CHUNK
    assert terminal.post(delivery.body).status_code == 201


def test_a_chunk_at_the_wrong_offset_is_409_with_the_real_offset(terminal: Any) -> None:
    data = os.urandom(3 * CHUNK)
    sha = hashlib.sha256(data).hexdigest()
    assert terminal.put(data[:CHUNK], 0, len(data), sha).status_code == 202
    replay = terminal.put(data[:CHUNK], 0, len(data), sha)  # a retry of a chunk that did arrive
    assert replay.status_code == 409
    assert replay.headers["Upload-Offset"] == str(CHUNK)
    skipped = terminal.put(data[2 * CHUNK :], 2 * CHUNK, len(data), sha)
    assert skipped.status_code == 409
    assert replay.json()["error"]["code"] == "offset_conflict"


def test_content_that_does_not_match_its_name_is_discarded(terminal: Any) -> None:
    data = os.urandom(2 * CHUNK)
    wrong_name = hashlib.sha256(b"something else").hexdigest()
    assert terminal.put(data[:CHUNK], 0, len(data), wrong_name).status_code == 202
    answer = terminal.put(data[CHUNK:], CHUNK, len(data), wrong_name)
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "hash_mismatch"
    assert _head(terminal, wrong_name).status_code == 404  # starts again cleanly


def test_uploading_what_the_platform_already_holds_is_201(terminal: Any) -> None:
    data = os.urandom(1000)
    assert terminal.upload(data).status_code == 201
    again = terminal.upload(data)
    assert again.status_code == 201
    assert again.json()["upload_offset"] == 1000


def test_attachments_over_the_limit_are_413(terminal: Any) -> None:
    # The fixture's platform accepts at most 2 MiB per attachment.
    big = 3 * 1024 * 1024
    sha = hashlib.sha256(b"x").hexdigest()
    announced = terminal.put(b"x" * 10, 0, big, sha)
    assert announced.status_code == 413
    sent = terminal.put(os.urandom(big), 0, big, sha)
    assert sent.status_code == 413
    assert sent.json()["error"]["code"] == "too_large"
    # Chunked transfer (no Content-Length) is counted as it arrives.
    streamed = terminal.session.put(
        terminal.url(PATH_ATTACHMENT.format(sha256=sha)),
        data=iter([b"\0" * (256 * 1024)] * 12),
        headers={**terminal.headers, "Upload-Offset": "0", "Upload-Length": str(2 * 1024 * 1024)},
        timeout=30,
    )
    assert streamed.status_code == 413


def test_a_bad_attachment_name_or_missing_headers_is_422(terminal: Any) -> None:
    assert terminal.put(b"abc", 0, 3, "not-a-hash").status_code == 422
    bare = terminal.session.put(
        terminal.url(PATH_ATTACHMENT.format(sha256=hashlib.sha256(b"abc").hexdigest())),
        data=b"abc",
        headers=terminal.headers,
        timeout=10,
    )
    assert bare.status_code == 422
    assert bare.json()["protocol"] == "hall-kiosk/1"


def test_a_whole_upload_that_does_not_match_its_name_leaves_nothing(terminal: Any) -> None:
    data = os.urandom(1000)
    wrong_name = hashlib.sha256(b"something else").hexdigest()
    answer = terminal.put(data, 0, len(data), wrong_name)
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "hash_mismatch"
    assert _head(terminal, wrong_name).status_code == 404


def _bundle(items: list[tuple[str, bytes]]) -> bytes:
    manifest = json.dumps({"attachments": [{"sha256": sha, "size": len(data)} for sha, data in items]}).encode()
    return len(manifest).to_bytes(4, "big") + manifest + b"".join(data for _, data in items)


def test_a_bundle_of_small_attachments_is_stored_and_answered_one_by_one(terminal: Any) -> None:
    delivery = terminal.seal(attachments=[b"scan one" * 100, b"scan two" * 200])
    good = [(hashlib.sha256(sealed).hexdigest(), sealed) for sealed in delivery.attachments]
    bad = (hashlib.sha256(b"named for other bytes").hexdigest(), b"these bytes")
    answer = terminal.session.post(
        terminal.url(PATH_ATTACHMENTS_BATCH), data=_bundle([*good, bad]), headers=terminal.headers, timeout=10
    )
    assert answer.status_code == 200
    assert is_envelope(answer.json(), "attachment_batch_result")
    results = answer.json()["results"]
    assert [(r["sha256"], r["status"], r["complete"]) for r in results] == [
        (good[0][0], 201, True),
        (good[1][0], 201, True),
        (bad[0], 422, False),
    ]
    assert _head(terminal, bad[0]).status_code == 404
    assert int(_head(terminal, good[1][0]).headers["Upload-Offset"]) == len(good[1][1])
    assert terminal.post(delivery.body).status_code == 201  # the submission finds its attachments
    # Sending the same bundle again: content-addressed, already held.
    again = terminal.session.post(
        terminal.url(PATH_ATTACHMENTS_BATCH), data=_bundle(good), headers=terminal.headers, timeout=10
    )
    assert [r["status"] for r in again.json()["results"]] == [201, 201]


def test_a_bundle_whose_sizes_do_not_add_up_is_422(terminal: Any) -> None:
    sha = hashlib.sha256(b"abc").hexdigest()
    body = _bundle([(sha, b"abc")]) + b"trailing"
    answer = terminal.session.post(
        terminal.url(PATH_ATTACHMENTS_BATCH), data=body, headers=terminal.headers, timeout=10
    )
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "invalid_bundle"


def test_a_bundled_attachment_over_the_platforms_limit_is_413_and_not_stored(tmp_path: Path) -> None:
    small, large = os.urandom(500), os.urandom(2000)
    with start_central(f"sqlite:///{tmp_path / 'small.sqlite3'}", max_attachment_bytes=1000) as central:
        headers = {"Authorization": f"Bearer {central.enroll('T-LIMIT')}"}
        items = [(hashlib.sha256(data).hexdigest(), data) for data in (small, large)]
        answer = requests.post(central.url + PATH_ATTACHMENTS_BATCH, data=_bundle(items), headers=headers, timeout=10)
        assert [r["status"] for r in answer.json()["results"]] == [201, 413]
        held = requests.head(central.url + PATH_ATTACHMENT.format(sha256=items[1][0]), headers=headers, timeout=10)
        assert held.status_code == 404
