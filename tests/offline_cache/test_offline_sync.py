"""Delivery to a real platform on loopback: receipts, dedupe, quarantine, pause, resumable attachments."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable

import requests
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from offline_cache_support import SUMMARY, Platform

from offline_cache.courier import Courier, Verdict
from offline_cache.models import NewAttachment, OutboxEvent
from offline_cache.store import Outbox
from offline_cache.sync import SyncEngine, SyncSettings
from offline_cache.wire.protocol import CHUNK_SIZE, HEADER_IDEMPOTENCY_KEY, PATH_SUBMISSIONS
from offline_cache.wire.sealing import Sealer

MakeEngine = Callable[..., SyncEngine]


def test_queued_submissions_reach_the_platform_once_with_a_case_number(
    platform: Platform, outbox: Outbox, make_engine: MakeEngine
) -> None:
    ids = [outbox.put(b'{"n": %d}' % n, SUMMARY) for n in range(5)]
    ids.append(outbox.put(b"{}", SUMMARY, [NewAttachment(b"scan" * 1000, "image/png")]))
    engine = make_engine(platform.link())
    report = engine.run_once()
    assert report.sent == 6
    for submission_id in ids:
        item = outbox.item(submission_id)
        assert item.state == "sent"
        assert item.case_no
        assert platform.copies(submission_id) == 1
    status = engine.status()
    assert status.pending == 0
    assert status.last_success_at is not None


def test_one_by_one_delivery_works_too(platform: Platform, outbox: Outbox, make_engine: MakeEngine) -> None:
    ids = [outbox.put(b"{}", SUMMARY, [NewAttachment(b"a" * 10)]) for _ in range(3)]
    engine = make_engine(platform.link(), SyncSettings(use_batch=False, workers=2))
    assert engine.run_once().sent == 3
    assert all(platform.copies(i) == 1 for i in ids)


def test_five_concurrent_deliveries_of_one_submission_make_one_record(platform: Platform, outbox: Outbox) -> None:
    submission_id = outbox.put(b"{}", SUMMARY, [NewAttachment(b"photo" * 5000, "image/jpeg")])
    (delivery,) = outbox.claim(1)
    barrier = threading.Barrier(5)
    outcomes = []

    def deliver() -> None:
        courier = Courier(platform.link())
        barrier.wait()
        outcomes.append(courier.deliver(delivery))
        courier.close()

    threads = [threading.Thread(target=deliver) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [o.verdict for o in outcomes] == [Verdict.SENT] * 5
    assert len({o.receipt.case_no for o in outcomes if o.receipt}) == 1
    assert platform.copies(submission_id) == 1


def test_a_changed_body_under_the_same_key_is_quarantined(
    platform: Platform, outbox: Outbox, make_engine: MakeEngine
) -> None:
    submission_id = outbox.put(b"{}", SUMMARY)
    other = json.loads(outbox.sealed_body(submission_id) or b"")
    other["summary"]["service_name"] = "另一个事项"
    answer = requests.post(
        platform.central.url + PATH_SUBMISSIONS,
        json=other,
        headers={"Authorization": f"Bearer {platform.token}", HEADER_IDEMPOTENCY_KEY: submission_id},
        timeout=10,
    )
    assert answer.status_code == 201
    engine = make_engine(platform.link())
    assert engine.run_once().quarantined == 1
    item = outbox.item(submission_id)
    assert item.state == "quarantined"
    assert item.last_error is not None
    assert "409" in item.last_error
    assert platform.copies(submission_id) == 1


def test_a_seal_the_platform_cannot_open_is_quarantined_with_its_message(
    platform: Platform, tmp_path: object, make_engine: MakeEngine, outbox: Outbox
) -> None:
    wrong = Outbox(outbox.folder, terminal_id="T-0001", sealer=Sealer(X25519PrivateKey.generate().public_key()))
    submission_id = wrong.put(b"{}", SUMMARY)
    wrong.close()
    make_engine(platform.link()).run_once()
    item = outbox.item(submission_id)
    assert item.state == "quarantined"
    assert "422" in (item.last_error or "")
    assert "seal" in (item.last_error or "")


def test_an_attachment_over_the_platform_limit_is_quarantined_as_too_large(
    platform: Platform, outbox: Outbox, make_engine: MakeEngine
) -> None:
    submission_id = outbox.put(b"{}", SUMMARY, [NewAttachment(b"\0" * (3 * 1024 * 1024))])
    make_engine(platform.link()).run_once()
    item = outbox.item(submission_id)
    assert item.state == "quarantined"
    assert "too large" in (item.last_error or "")


def test_a_revoked_terminal_pauses_sync_and_alerts_the_technician(
    platform: Platform, outbox: Outbox, make_engine: MakeEngine
) -> None:
    submission_id = outbox.put(b"{}", SUMMARY)
    platform.central.revoke("T-0001")
    engine = make_engine(platform.link())
    alerts: list[OutboxEvent] = []
    engine.events.add(lambda event: alerts.append(event) if event.kind == "paused" else None)
    report = engine.run_once()
    assert report.paused
    assert engine.paused
    assert [a.kind for a in alerts] == ["paused"]
    assert "token" in alerts[0].message
    item = outbox.item(submission_id)
    assert item.state == "queued"  # untouched, not counted as a failed attempt
    assert item.attempts == 0
    assert engine.run_once().sent == 0  # stays paused until the technician acts
    assert engine.status().paused


def test_a_wrong_token_pauses_too(platform: Platform, outbox: Outbox, make_engine: MakeEngine) -> None:
    outbox.put(b"{}", SUMMARY)
    link = platform.link()
    engine = make_engine(type(link)(link.url, "not-a-token", link.terminal_id))
    assert engine.run_once().paused


def test_a_large_attachment_goes_in_chunks(platform: Platform, outbox: Outbox, make_engine: MakeEngine) -> None:
    data = bytes(range(256)) * (CHUNK_SIZE * 3 // 256 + 7)
    submission_id = outbox.put(b"{}", SUMMARY, [NewAttachment(data)])
    assert make_engine(platform.link()).run_once().sent == 1
    assert platform.copies(submission_id) == 1


def test_small_attachments_of_a_batch_go_together_and_a_damaged_one_holds_back_only_its_own_submission(
    platform: Platform, outbox: Outbox, make_engine: MakeEngine
) -> None:
    good = [outbox.put(b"{}", SUMMARY, [NewAttachment(b"scan %d " % n * 300, "image/jpeg")]) for n in range(4)]
    two = outbox.put(b"{}", SUMMARY, [NewAttachment(b"front" * 200), NewAttachment(b"back" * 200)])
    damaged = outbox.put(b"{}", SUMMARY, [NewAttachment(b"torn page" * 100)])
    sealed_file = outbox.attachments_of(damaged)[0].path
    sealed_file.write_bytes(bytes(len(sealed_file.read_bytes())))  # same size, other bytes: the name no longer fits

    report = make_engine(platform.link()).run_once()

    assert report.sent == 5
    assert all(platform.copies(i) == 1 for i in [*good, two])
    item = outbox.item(damaged)
    assert item.state == "quarantined"
    assert item.last_error is not None and "hash_mismatch" in item.last_error
    assert platform.copies(damaged) == 0
