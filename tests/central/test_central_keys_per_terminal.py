"""Idempotency keys are per terminal: a copy of terminal A's seal from before the binding (unbound), taken from
A's export drive and delivered by terminal B, in either order, never costs A its submission (A is answered
201, never 409) and never touches A's record; B's copy is refused."""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, select

from central.db import open_engine
from central.importer import import_export
from central.keys import PlatformKeys
from central.schema import submission_attachments, submissions
from offline_cache.wire.protocol import PATH_SUBMISSIONS_BATCH, SEAL_ALG_UNBOUND
from offline_cache.wire.sealing import Sealer, load_public_key
from offline_cache.wire.submission_body import sealed_json

#: What a citizen typed (the name and number are made up).
APPLICANT = {"name": "李四", "id_number": "110101195001011234"}


@pytest.fixture
def other(central: Any, terminal: Any) -> Iterator[Any]:
    """A second enrolled terminal, T-0002: the one that got hold of a copy of T-0001's drive."""
    term = type(terminal)(central, "T-0002", central.enroll("T-0002"))
    yield term
    term.session.close()


def _export(folder: Path, terminal_id: str, deliveries: list[Any]) -> Path:
    """A drive in the export format of docs/protocol.md, as ``kiosk queue export`` writes it."""
    folder.mkdir(parents=True)
    entries, blobs = [], {}
    for delivery in deliveries:
        data = json.dumps(delivery.body, ensure_ascii=False).encode()
        (folder / f"{delivery.id}.json").write_bytes(data)
        entries.append({"id": delivery.id, "sha256": hashlib.sha256(data).hexdigest()})
        blobs.update({hashlib.sha256(sealed).hexdigest(): sealed for sealed in delivery.attachments})
    for sha, sealed in blobs.items():
        (folder / f"{sha}.bin").write_bytes(sealed)
    manifest = {
        "protocol": "hall-kiosk/1",
        "kind": "export_manifest",
        "terminal_id": terminal_id,
        "exported_at": "2026-11-22T10:00:00+00:00",
        "submissions": entries,
        "attachments": [{"sha256": sha} for sha in blobs],
    }
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


def _old_kiosk_seal(terminal: Any, attachments: list[bytes] | None = None) -> Any:
    """A submission as a kiosk sealed it before seals bound their terminal: the payload names the terminal."""
    delivery = terminal.seal(attachments=attachments)
    payload = json.dumps(
        {"service_code": "GLJT-01", "terminal_id": terminal.terminal_id, "applicant": APPLICANT}, ensure_ascii=False
    ).encode()
    blob, sealed = Sealer(load_public_key(terminal.central.public_key)).seal(delivery.id, payload, attachments or [])
    refs = [{"sha256": hashlib.sha256(s).hexdigest(), "size": len(s), "media_type": "image/jpeg"} for s in sealed]
    body = {**delivery.body, "sealed": sealed_json(blob), "attachments": refs}
    assert body["sealed"]["alg"] == SEAL_ALG_UNBOUND
    return type(delivery)(body, sealed)


def _copy_for(delivery: Any, terminal_id: str) -> Any:
    stolen = copy.deepcopy(delivery.body)
    stolen["terminal_id"] = terminal_id
    return type(delivery)(stolen, list(delivery.attachments))


def _batch(terminal: Any, bodies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    answer = terminal.session.post(
        terminal.url(PATH_SUBMISSIONS_BATCH), json={"submissions": bodies}, headers=terminal.headers, timeout=30
    )
    assert answer.status_code == 200, answer.text[:300]
    results: list[dict[str, Any]] = answer.json()["results"]
    return results


def _records(db_url: str, submission_id: str) -> list[tuple[str, str]]:
    engine = open_engine(db_url, create_schema=False)
    try:
        with engine.connect() as conn:
            query = select(submissions.c.terminal_id, submissions.c.body_sha256).where(
                submissions.c.id == submission_id
            )
            return sorted((str(r[0]), str(r[1])) for r in conn.execute(query))
    finally:
        engine.dispose()


def test_the_copy_posted_first_by_another_terminal_is_refused_and_the_owner_delivers(
    terminal: Any, other: Any, db_url: str
) -> None:
    mine = _old_kiosk_seal(terminal, attachments=[b"scan of the household register"])
    stolen = _copy_for(mine, other.terminal_id)
    answer = other.deliver(stolen)
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["code"] == "payload_of_another_terminal"
    (result,) = _batch(other, [stolen.body])
    assert (result["status"], result["body"]["error"]["code"]) == (422, "payload_of_another_terminal")
    assert _records(db_url, mine.id) == []
    delivered = terminal.post(mine.body)
    assert delivered.status_code == 201, delivered.text
    assert "Idempotent-Replayed" not in delivered.headers
    assert [t for t, _ in _records(db_url, mine.id)] == [terminal.terminal_id]


def test_the_copy_posted_after_the_owner_is_refused_and_the_owners_record_is_untouched(
    terminal: Any, other: Any, db_url: str
) -> None:
    mine = _old_kiosk_seal(terminal)
    first = terminal.post(mine.body)
    assert first.status_code == 201
    before = _records(db_url, mine.id)
    stolen = _copy_for(mine, other.terminal_id)
    answer = other.post(stolen.body)
    assert (answer.status_code, answer.json()["error"]["code"]) == (409, "conflict")
    assert mine.id not in answer.text.replace(f'"{mine.id}"', "")  # no case number or answer of A's
    (result,) = _batch(other, [stolen.body])
    assert (result["status"], result["body"]["error"]["code"]) == (409, "conflict")
    assert "case_no" not in json.dumps(result["body"])
    assert _records(db_url, mine.id) == before
    again = terminal.post(mine.body)
    assert (again.status_code, again.json()) == (201, first.json())


def test_a_copy_stored_as_another_terminals_before_the_upgrade_does_not_block_the_owner(
    terminal: Any, other: Any, db_url: str
) -> None:
    """What the previous release did with B's copy: stored it as B's. A's delivery is still A's own."""
    mine = _old_kiosk_seal(terminal, attachments=[b"scan kept by both"])
    for sealed in mine.attachments:
        assert terminal.upload(sealed).status_code == 201
    engine = open_engine(db_url, create_schema=False)
    try:
        with engine.begin() as conn:
            conn.execute(
                insert(submissions),
                {
                    "id": mine.id,
                    "terminal_id": other.terminal_id,
                    "service_code": "GLJT-01",
                    "status": "accepted",
                    "body_sha256": "0" * 64,
                    "body": "{}",
                    "payload": b"{}",
                    "response": json.dumps({"kind": "submission_receipt", "case_no": "SB2026112000000001"}),
                    "received_at": "2026-11-20T08:00:00+00:00",
                    "updated_at": "2026-11-20T08:00:00+00:00",
                },
            )
            conn.execute(
                insert(submission_attachments),
                {
                    "terminal_id": other.terminal_id,
                    "submission_id": mine.id,
                    "position": 0,
                    "sha256": mine.body["attachments"][0]["sha256"],
                    "media_type": "image/jpeg",
                },
            )
    finally:
        engine.dispose()
    answer = terminal.post(mine.body)
    assert answer.status_code == 201, answer.text
    assert answer.json()["case_no"] != "SB2026112000000001"
    assert "Idempotent-Replayed" not in answer.headers
    assert [t for t, _ in _records(db_url, mine.id)] == [terminal.terminal_id, other.terminal_id]
    # A replay is A's own answer; B, posting the copy again, meets its own record's key.
    assert terminal.post(mine.body).json() == answer.json()
    again = other.post(_copy_for(mine, other.terminal_id).body)
    assert (again.status_code, again.json()["error"]["code"]) == (409, "idempotency_conflict")
    engine = open_engine(db_url, create_schema=False)
    try:
        with engine.connect() as conn:
            links = conn.execute(
                select(submission_attachments.c.terminal_id).where(submission_attachments.c.submission_id == mine.id)
            ).all()
    finally:
        engine.dispose()
    assert sorted(r[0] for r in links) == [terminal.terminal_id, other.terminal_id]


@pytest.mark.parametrize("owner_first", [True, False], ids=["owner-first", "copy-first"])
def test_a_drive_relabelled_for_another_terminal_never_costs_the_owner(
    tmp_path: Path, terminal: Any, other: Any, db_url: str, platform_keys: PlatformKeys, owner_first: bool
) -> None:
    mine = [_old_kiosk_seal(terminal, attachments=[b"scan %d" % i]) for i in range(2)]
    own = _export(tmp_path / "own", terminal.terminal_id, mine)
    copied = _export(tmp_path / "copied", other.terminal_id, [_copy_for(d, other.terminal_id) for d in mine])
    engine = open_engine(db_url)
    try:
        order = [own, copied] if owner_first else [copied, own]
        first, second = (import_export(folder, engine, platform_keys) for folder in order)
    finally:
        engine.dispose()
    owner, thief = (first, second) if owner_first else (second, first)
    assert (owner.accepted, owner.rejected) == (2, 0)
    assert (thief.accepted, thief.rejected) == (0, 2)
    receipt = json.loads(owner.receipt_path.read_text(encoding="utf-8"))
    assert {item["terminal_id"] for item in receipt["items"]} == {terminal.terminal_id}
    refused = json.loads(thief.receipt_path.read_text(encoding="utf-8"))
    assert {r["status"] for r in refused["rejected"]} == ({409} if owner_first else {422})
    for delivery in mine:
        assert [t for t, _ in _records(db_url, delivery.id)] == [terminal.terminal_id]
        assert terminal.post(delivery.body).status_code == 201
