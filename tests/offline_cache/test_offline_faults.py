"""Through a fault-injecting proxy: lost answers, captive portals, Retry-After, timeouts, the network coming back,
and resumable attachment uploads."""

from __future__ import annotations

import contextlib
import datetime
import ipaddress
import json
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from email.utils import formatdate
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from fault_proxy import Fault, FaultProxy
from offline_cache_support import SUMMARY, Platform

from offline_cache.backoff import Backoff
from offline_cache.models import NewAttachment
from offline_cache.store import Outbox
from offline_cache.sync import SyncEngine, SyncSettings
from offline_cache.wire.protocol import CHUNK_SIZE, HEADER_UPLOAD_OFFSET, envelope

MakeEngine = Callable[..., SyncEngine]


@pytest.fixture
def proxy(platform: Platform) -> Iterator[FaultProxy]:
    parts = urlsplit(platform.central.url)
    fault_proxy = FaultProxy((parts.hostname or "127.0.0.1", parts.port or 80))
    yield fault_proxy
    fault_proxy.close()


#: A retry is due the moment the pass that scheduled it has ended (a pass tries each item once), so the next
#: ``run_once`` sends it without the test waiting for a backoff to run out.
NO_WAIT = Backoff(0.0, 0.0)


def wait_for(engine: SyncEngine, condition: Callable[[], bool], timeout: float = 20.0) -> None:
    """Wait until ``condition`` holds, looking again after each change the engine reports."""
    changed = threading.Event()
    engine.events.add(lambda _event: changed.set())
    while not condition():
        assert changed.wait(timeout), "condition not reached"
        changed.clear()


def asleep(engine: SyncEngine) -> threading.Event:
    """Set once the engine's worker has gone to sleep with nothing left to wake it (call before ``start``).

    The first thing its sleep does is read the database's change counter, the mark a commit by another
    connection is measured against; a sleep that begins with a wake-up pending (``start`` leaves one) ends at
    once and does not count.
    """
    idle = threading.Event()
    read = engine.outbox.data_version

    def noted() -> int:
        version = read()
        if not engine._wake.is_set():
            idle.set()
        return version

    engine.outbox.data_version = noted  # type: ignore[method-assign]
    return idle


@pytest.mark.parametrize("batch", [True, False], ids=["batch", "single"])
def test_an_answer_lost_after_the_platform_committed_makes_no_duplicate(
    platform: Platform, proxy: FaultProxy, outbox: Outbox, make_engine: MakeEngine, batch: bool
) -> None:
    proxy.add(Fault("drop_after_commit", method="POST", path="/submissions"))
    submission_id = outbox.put(b"{}", SUMMARY, [NewAttachment(b"card scan")])
    engine = make_engine(platform.link(proxy.url), SyncSettings(use_batch=batch, backoff=NO_WAIT))
    first = engine.run_once()
    assert first.sent == 0
    assert outbox.item(submission_id).state == "retry"
    assert platform.copies(submission_id) == 1  # the platform did commit
    assert engine.run_once().sent == 1
    item = outbox.item(submission_id)
    assert item.state == "sent"
    assert item.case_no
    assert platform.copies(submission_id) == 1
    assert platform.total() == 1


@pytest.mark.parametrize("action", ["portal", "redirect"])
def test_a_captive_portal_is_never_taken_for_the_platform(
    platform: Platform, proxy: FaultProxy, outbox: Outbox, make_engine: MakeEngine, action: str
) -> None:
    proxy.add(Fault(action, times=None))
    submission_id = outbox.put(b"{}", SUMMARY, [NewAttachment(b"x")])
    report = make_engine(platform.link(proxy.url)).run_once()
    assert report.sent == 0
    item = outbox.item(submission_id)
    assert item.state == "retry"
    assert platform.copies(submission_id) == 0
    if action == "portal":
        assert "captive portal" in (item.last_error or "")


@pytest.mark.parametrize(("status", "retry_after"), [(429, "seconds"), (503, "http-date")])
def test_retry_after_is_honoured(
    platform: Platform,
    proxy: FaultProxy,
    outbox: Outbox,
    make_engine: MakeEngine,
    status: int,
    retry_after: str,
) -> None:
    value = "2" if retry_after == "seconds" else formatdate(time.time() + 3, usegmt=True)
    proxy.add(Fault("status", method="POST", status=status, headers={"Retry-After": value}))
    submission_id = outbox.put(b"{}", SUMMARY)
    engine = make_engine(platform.link(proxy.url))
    engine.start()
    wait_for(engine, lambda: outbox.item(submission_id).state == "sent")
    posts = [seen for seen in proxy.seen if seen.method == "POST"]
    assert [seen.action for seen in posts] == ["status", "pass"]
    # The retry never came before the server said; 1 s of slack for the HTTP date's whole seconds.
    assert posts[1].at - posts[0].at >= 1.0
    assert platform.copies(submission_id) == 1


def test_retry_after_is_stored_with_the_item(
    platform: Platform, proxy: FaultProxy, outbox: Outbox, make_engine: MakeEngine
) -> None:
    proxy.add(Fault("status", method="POST", status=503, headers={"Retry-After": "120"}))
    submission_id = outbox.put(b"{}", SUMMARY)
    before = time.time()
    make_engine(platform.link(proxy.url)).run_once()
    item = outbox.item(submission_id)
    assert item.state == "retry"
    assert item.next_attempt_at >= before + 120
    assert "503" in (item.last_error or "")


def test_a_stalled_platform_times_out_and_the_item_waits(
    platform: Platform, proxy: FaultProxy, outbox: Outbox, make_engine: MakeEngine
) -> None:
    proxy.add(Fault("stall", method="POST", delay=2.0))
    submission_id = outbox.put(b"{}", SUMMARY)
    engine = make_engine(platform.link(proxy.url, read_timeout=0.3), SyncSettings(backoff=NO_WAIT))
    assert engine.run_once().sent == 0
    item = outbox.item(submission_id)
    assert item.state == "retry"
    assert "did not answer in time" in (item.last_error or "")
    # The platform is back; a terminal with the ordinary timeout sends the waiting item (a 0.3 s timeout
    # would ask a busy test machine for a quick answer, not the platform).
    assert make_engine(platform.link(proxy.url), SyncSettings(backoff=NO_WAIT)).run_once().sent == 1
    assert platform.copies(submission_id) == 1


class _MinuteBackoff(Backoff):
    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        return 60.0


def test_sync_resumes_by_itself_when_the_network_returns(
    platform: Platform, proxy: FaultProxy, outbox: Outbox, make_engine: MakeEngine
) -> None:
    proxy.down()
    # A minute's wait, without jitter (a jittered one is under a second one time in sixty): only the
    # reachability probe can explain a delivery within the test.
    settings = SyncSettings(interval=60, probe_interval=0.1, backoff=_MinuteBackoff())
    engine = make_engine(platform.link(proxy.url), settings)
    engine.watch(outbox)
    engine.start()
    submission_id = outbox.put(b"{}", SUMMARY)
    wait_for(engine, lambda: outbox.item(submission_id).state == "retry")
    assert outbox.item(submission_id).next_attempt_at > time.time() + 1
    proxy.up()
    wait_for(engine, lambda: outbox.item(submission_id).state == "sent")
    assert platform.copies(submission_id) == 1


def test_a_new_submission_is_sent_without_waiting_for_the_timer(
    platform: Platform, outbox: Outbox, make_engine: MakeEngine
) -> None:
    # Neither the timer nor the database's change counter wakes the worker within the test: only the put.
    engine = make_engine(platform.link(), SyncSettings(interval=60, change_poll=60))
    engine.watch(outbox)
    idle = asleep(engine)
    engine.start()
    assert idle.wait(20), "the worker never went to sleep"
    submission_id = outbox.put(b"{}", SUMMARY)
    wait_for(engine, lambda: outbox.item(submission_id).state == "sent")


def test_a_submission_saved_by_another_process_is_noticed(
    platform: Platform, outbox: Outbox, make_engine: MakeEngine
) -> None:
    engine = make_engine(platform.link(), SyncSettings(interval=60, change_poll=0.1))
    idle = asleep(engine)
    engine.start()  # not watching ``outbox``: only the database itself can tell
    assert idle.wait(20), "the worker never went to sleep"
    submission_id = outbox.put(b"{}", SUMMARY)
    wait_for(engine, lambda: outbox.item(submission_id).state == "sent")


def test_an_interrupted_upload_sends_only_the_missing_chunks(
    platform: Platform, proxy: FaultProxy, outbox: Outbox, make_engine: MakeEngine
) -> None:
    data = bytes(range(256)) * (CHUNK_SIZE * 4 // 256 - 3)  # four chunks, the last one short
    submission_id = outbox.put(b"{}", SUMMARY, [NewAttachment(data)])
    # The platform stores the second chunk, but its answer never reaches the terminal.
    proxy.add(_nth_put_fault(2, "drop_after_commit"))
    engine = make_engine(platform.link(proxy.url), SyncSettings(backoff=NO_WAIT))
    assert engine.run_once().sent == 0
    assert engine.run_once().sent == 1
    offsets = [
        (seen.method, seen.headers.get(HEADER_UPLOAD_OFFSET.lower()))
        for seen in proxy.seen
        if seen.method in ("HEAD", "PUT")
    ]
    sent_offsets = [int(offset) for method, offset in offsets if method == "PUT" and offset is not None]
    # Each chunk crossed the wire once: 0, CHUNK (answer lost), then after a HEAD: 2·CHUNK, 3·CHUNK.
    assert sent_offsets == [0, CHUNK_SIZE, 2 * CHUNK_SIZE, 3 * CHUNK_SIZE]
    # The first attempt starts at once (nothing can be there yet); the retry asks the platform first.
    assert [method for method, _ in offsets].count("HEAD") == 1
    assert platform.copies(submission_id) == 1


def _nth_put_fault(n: int, action: str) -> Fault:
    """A fault that fires on the ``n``-th PUT the proxy sees (counted from when it is added)."""

    class NthPut(Fault):
        def matches(self, method: str, path: str) -> bool:
            if method != "PUT":
                return False
            self.count = getattr(self, "count", 0) + 1
            return self.count == n

    return NthPut(action, times=1)


@pytest.mark.parametrize("batch", [True, False], ids=["batch", "single"])
def test_a_receipt_for_another_submission_does_not_mark_this_one_sent(
    platform: Platform, proxy: FaultProxy, outbox: Outbox, make_engine: MakeEngine, batch: bool
) -> None:
    submission_id = outbox.put(b"{}", SUMMARY)
    stale = envelope(
        "submission_receipt",
        submission_id="0190aaaa-0000-7000-8000-000000000000",
        case_no="GA2026112200001",
        received_at="2026-11-22T08:00:00+00:00",
        status="accepted",
    )
    in_batch = envelope("batch_result", results=[{"id": submission_id, "status": 201, "body": stale}])
    answer = in_batch if batch else stale
    # A cache in the way hands out an answer it kept from another terminal's request.
    proxy.add(
        Fault(
            "status",
            method="POST",
            path="/submissions",
            status=200 if batch else 201,
            headers={"Content-Type": "application/json"},
            body=json.dumps(answer).encode(),
        )
    )
    engine = make_engine(platform.link(proxy.url), SyncSettings(use_batch=batch, backoff=NO_WAIT))
    assert engine.run_once().retried == 1  # the cached answer was not taken for a receipt
    assert engine.run_once().sent == 1
    item = outbox.item(submission_id)
    assert item.state == "sent"
    assert item.case_no
    assert item.case_no != "GA2026112200001"
    assert platform.copies(submission_id) == 1


@pytest.mark.parametrize("batch", [True, False], ids=["batch", "single"])
def test_an_answer_trickled_a_byte_at_a_time_is_cut_off_and_sent_again(
    platform: Platform, proxy: FaultProxy, outbox: Outbox, make_engine: MakeEngine, batch: bool
) -> None:
    # Each byte comes well within the read timeout; the whole answer would take minutes.
    proxy.add(Fault("trickle", method="POST", path="/submissions", delay=0.3))
    submission_id = outbox.put(b"{}", SUMMARY)
    link = replace(platform.link(proxy.url), read_timeout=5.0, answer_deadline=2.0)
    engine = make_engine(link, SyncSettings(use_batch=batch, backoff=NO_WAIT))
    began = time.monotonic()
    assert engine.run_once().retried == 1  # cut off
    assert time.monotonic() - began < 20.0, "the sync worker waited for the trickle instead of cutting it off"
    assert platform.copies(submission_id) == 1  # the platform had it; the answer never arrived whole
    assert engine.run_once().sent == 1
    assert outbox.item(submission_id).state == "sent"
    assert outbox.item(submission_id).case_no
    assert platform.copies(submission_id) == 1


def _untrusted_tls_server(folder: Path) -> tuple[socket.socket, threading.Thread]:
    """A TLS listener on loopback with a self-signed certificate: what a terminal sees when a hall's portal or
    proxy answers for the platform, or when its own clock makes the real certificate look invalid."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .sign(key, hashes.SHA256())
    )
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    listener = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            with contextlib.suppress(OSError, ssl.SSLError), context.wrap_socket(client, server_side=True):
                pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return listener, thread


def test_an_untrusted_certificate_tells_the_technician_what_to_check(
    platform: Platform, outbox: Outbox, make_engine: MakeEngine, tmp_path: Path
) -> None:
    listener, _ = _untrusted_tls_server(tmp_path)
    try:
        port = listener.getsockname()[1]
        submission_id = outbox.put(b"{}", SUMMARY)
        engine = make_engine(platform.link(f"https://127.0.0.1:{port}"))
        assert engine.run_once().sent == 0
        item = outbox.item(submission_id)
        assert item.state == "retry"
        assert "certificate is not trusted" in (item.last_error or "")
        assert "date and time" in (item.last_error or "")
    finally:
        listener.close()
