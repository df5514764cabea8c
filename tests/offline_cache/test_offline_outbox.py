"""The outbox on disk: durable, sealed, immutable, one-way states, retention (no server needed)."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from offline_cache.models import NewAttachment, OutboxWriteError
from offline_cache.store import Outbox
from offline_cache.wire.protocol import Receipt, SealedBlob, SubmissionSummary
from offline_cache.wire.sealing import Opener, Sealer

SUMMARY = SubmissionSummary("GA-001", "居民身份证换领", "张*三", "2026-11-22T08:00:00+00:00")


@pytest.fixture
def platform_key() -> X25519PrivateKey:
    return X25519PrivateKey.generate()


@pytest.fixture
def outbox(tmp_path: Path, platform_key: X25519PrivateKey) -> Outbox:
    box = Outbox(tmp_path / "outbox", terminal_id="T-0001", sealer=Sealer(platform_key.public_key()))
    yield box  # type: ignore[misc]
    box.close()


def _blob(body: dict[str, object]) -> SealedBlob:
    import base64

    sealed = body["sealed"]
    assert isinstance(sealed, dict)
    return SealedBlob(**{k: v if k == "alg" else base64.b64decode(v) for k, v in sealed.items()})


def test_put_keeps_a_sealed_body_only_the_platform_opens(outbox: Outbox, platform_key: X25519PrivateKey) -> None:
    payload = json.dumps({"name": "张三", "id_number": "110101199003071234"}).encode()
    submission_id = outbox.put(payload, SUMMARY, [NewAttachment(b"scan of the card", "image/png")])
    body = json.loads(outbox.sealed_body(submission_id) or b"")
    assert body["id"] == submission_id
    assert body["terminal_id"] == "T-0001"
    assert body["summary"]["applicant_masked"] == "张*三"
    opener = Opener(platform_key)
    assert opener.open_payload(submission_id, _blob(body), terminal_id="T-0001") == payload
    (attachment,) = outbox.attachments_of(submission_id)
    assert attachment.sha256 == body["attachments"][0]["sha256"]
    sealed_scan = attachment.path.read_bytes()
    scan = opener.open_attachment(submission_id, _blob(body), 0, sealed_scan, terminal_id="T-0001")
    assert scan == b"scan of the card"
    item = outbox.item(submission_id)
    assert item.state == "queued"
    assert item.summary == SUMMARY


def test_each_submission_gets_its_own_uuid7(outbox: Outbox) -> None:
    ids = [outbox.put(b"{}", SUMMARY) for _ in range(20)]
    assert len(set(ids)) == 20
    assert all(i[14] == "7" for i in ids)
    assert ids == sorted(ids)  # time-ordered


def test_queued_records_cannot_be_changed(outbox: Outbox, tmp_path: Path) -> None:
    submission_id = outbox.put(b"{}", SUMMARY)
    conn = sqlite3.connect(tmp_path / "outbox" / "outbox.sqlite3")
    body_of = "WHERE seq = (SELECT seq FROM submission WHERE id = ?)"
    with pytest.raises(sqlite3.IntegrityError, match="immutable"):
        conn.execute(f"UPDATE sealed_body SET body = x'00' {body_of}", (submission_id,))
    with pytest.raises(sqlite3.IntegrityError, match="only a sent one may be purged"):
        conn.execute(f"DELETE FROM sealed_body {body_of}", (submission_id,))
    with pytest.raises(sqlite3.IntegrityError, match="immutable"):
        conn.execute("UPDATE submission SET applicant_masked = '李*四' WHERE id = ?", (submission_id,))
    conn.close()
    assert outbox.sealed_body(submission_id) is not None


def test_states_move_forward_and_a_crashed_lease_returns(outbox: Outbox) -> None:
    first = outbox.put(b"{}", SUMMARY)
    second = outbox.put(b"{}", SUMMARY)
    leased = outbox.claim(10)
    assert [d.id for d in leased] == [first, second]
    assert outbox.claim(10) == []  # leased items are not handed out twice
    receipt = Receipt(first, "SB001", "2026-11-22T08:00:01+00:00", "accepted")
    assert outbox.settle(sent=[(first, receipt)]) == 1
    assert outbox.settle(sent=[(first, receipt)]) == 0  # already sent: nothing moves
    outbox.settle(retry=[(first, 0.0, "late answer", "server")])
    assert outbox.item(first).state == "sent"  # a late failure never moves a sent item back
    assert outbox.recover_leases() == 1  # the worker "crashed" holding the second
    assert outbox.item(second).state == "queued"
    assert [d.id for d in outbox.claim(10)] == [second]


def test_retry_waits_for_its_time_and_quarantine_is_final(outbox: Outbox) -> None:
    submission_id = outbox.put(b"{}", SUMMARY)
    outbox.claim(1)
    outbox.settle(retry=[(submission_id, 60.0, "HTTP 503", "server")])
    item = outbox.item(submission_id)
    assert item.state == "retry"
    assert item.next_attempt_at > time.time() + 50
    assert outbox.claim(1) == []
    assert [d.id for d in outbox.claim(1, now=time.time() + 61)] == [submission_id]
    outbox.settle(quarantined=[(submission_id, "HTTP 422 seal does not open")])
    assert outbox.item(submission_id).state == "quarantined"
    assert outbox.claim(1, now=time.time() + 10_000) == []
    assert outbox.requeue(submission_id) == "queued"


def test_purge_drops_sealed_bytes_after_retention_but_keeps_the_summary(outbox: Outbox) -> None:
    submission_id = outbox.put(b"{}", SUMMARY, [NewAttachment(b"x" * 100)])
    (attachment,) = outbox.attachments_of(submission_id)
    outbox.claim(1)
    outbox.settle(sent=[(submission_id, Receipt(submission_id, "SB9", "", "accepted"))])
    assert outbox.purge(7, now=time.time() + 6 * 86400) == 0
    assert outbox.purge(7, now=time.time() + 8 * 86400) == 1
    assert outbox.sealed_body(submission_id) is None
    assert not attachment.path.exists()
    item = outbox.item(submission_id)
    assert item.purged
    assert item.summary == SUMMARY
    assert item.case_no == "SB9"


def test_orphan_files_from_a_crash_are_swept(outbox: Outbox) -> None:
    orphan = outbox.attachment_dir / ("ab" * 32 + ".bin")
    orphan.write_bytes(b"sealed leftovers")
    kept_id = outbox.put(b"{}", SUMMARY, [NewAttachment(b"kept")])
    assert outbox.sweep_orphans() == 0  # too young: another process may be about to commit it
    assert outbox.sweep_orphans(now=time.time() + 7200) == 1
    assert not orphan.exists()
    assert outbox.attachments_of(kept_id)[0].path.exists()


def test_put_without_a_platform_key_is_refused_clearly(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o", terminal_id="T-0001")
    with pytest.raises(OutboxWriteError, match="public key"):
        box.put(b"{}", SUMMARY)
    box.close()
