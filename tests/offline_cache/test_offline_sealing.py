"""Sealing as docs/protocol.md writes it down: a platform that follows the document, with nothing of ours,
opens what the terminal sealed; a run of submissions shares an ephemeral key but never a data key."""

from __future__ import annotations

import threading
from collections.abc import Callable
from types import SimpleNamespace

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from offline_cache.wire import sealing
from offline_cache.wire.protocol import SealedBlob
from offline_cache.wire.sealing import Opener, Sealer, SealError

APPLICATION = '{"name": "张三", "id_number": "110101199003071234"}'.encode()


def open_as_documented(private: X25519PrivateKey, submission_id: str, blob: SealedBlob) -> bytes:
    """docs/protocol.md, "Sealing", step by step with the standard primitives."""
    shared = private.exchange(X25519PublicKey.from_public_bytes(blob.epk))
    kek = HKDF(hashes.SHA256(), length=32, salt=None, info=f"hall-kiosk/1/{submission_id}".encode()).derive(shared)
    aad = submission_id.encode()
    data_key = AESGCM(kek).decrypt(blob.wrapped_key[:12], blob.wrapped_key[12:], aad)
    return AESGCM(data_key).decrypt(blob.nonce, blob.ciphertext, aad)


def test_a_platform_following_the_document_opens_every_seal() -> None:
    platform = X25519PrivateKey.generate()
    sealer = Sealer(platform.public_key(), max_uses=3)
    for n in range(7):
        submission_id = f"0193a0b1-0000-7000-8000-{n:012d}"
        blob, _ = sealer.seal(submission_id, APPLICATION, [])
        assert open_as_documented(platform, submission_id, blob) == APPLICATION


def test_a_run_shares_the_ephemeral_key_but_each_submission_has_its_own_data_key() -> None:
    platform = X25519PrivateKey.generate()
    sealer = Sealer(platform.public_key(), max_uses=4)
    blobs = [sealer.seal(f"id-{n}", APPLICATION, [])[0] for n in range(9)]
    assert [b.epk for b in blobs[:4]] == [blobs[0].epk] * 4
    assert len({b.epk for b in blobs}) == 3  # 4 + 4 + 1
    opener = Opener(platform)
    data_keys = {opener.data_key(f"id-{n}", blob) for n, blob in enumerate(blobs)}
    assert len(data_keys) == 9
    assert len({b.ciphertext for b in blobs}) == 9


class FakeClock:
    """The sealer's clock and timers (injected for ``time.monotonic`` and ``threading.Timer``): time moves only
    when the test says, and a timer runs when the clock passes its moment."""

    def __init__(self) -> None:
        self.now = 0.0
        self.timers: list[FakeTimer] = []

    def monotonic(self) -> float:
        return self.now

    def timer(self, delay: float, function: Callable[[], None]) -> FakeTimer:
        return FakeTimer(self, delay, function)

    def advance(self, seconds: float) -> None:
        target = self.now + seconds
        while due := [t for t in self.timers if t.at <= target]:
            timer = min(due, key=lambda t: t.at)
            self.timers.remove(timer)
            self.now = max(self.now, timer.at)
            timer.function()
        self.now = target


class FakeTimer:
    def __init__(self, clock: FakeClock, delay: float, function: Callable[[], None]) -> None:
        self.clock, self.delay, self.function = clock, delay, function
        self.at = 0.0
        self.daemon = False

    def start(self) -> None:
        self.at = self.clock.now + self.delay
        self.clock.timers.append(self)

    def cancel(self) -> None:
        if self in self.clock.timers:
            self.clock.timers.remove(self)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(sealing, "time", SimpleNamespace(monotonic=fake.monotonic))
    monkeypatch.setattr(sealing, "threading", SimpleNamespace(Lock=threading.Lock, Timer=fake.timer))
    return fake


def test_an_ephemeral_key_is_not_used_past_its_age(clock: FakeClock) -> None:
    sealer = Sealer(X25519PrivateKey.generate().public_key(), max_age=10.0)
    first, _ = sealer.seal("id-1", APPLICATION, [])
    clock.now = 10.0  # the expiry timer has not run yet (a busy machine): the seal itself checks the age
    at_its_age, _ = sealer.seal("id-2", APPLICATION, [])
    assert at_its_age.epk == first.epk
    clock.now = 10.01
    past_its_age, _ = sealer.seal("id-3", APPLICATION, [])
    assert past_its_age.epk != first.epk


def test_forget_drops_the_run_at_once() -> None:
    sealer = Sealer(X25519PrivateKey.generate().public_key())
    first, _ = sealer.seal("id-1", APPLICATION, [])
    sealer.forget()
    second, _ = sealer.seal("id-2", APPLICATION, [])
    assert first.epk != second.epk


def test_a_seal_moved_under_another_id_does_not_open() -> None:
    platform = X25519PrivateKey.generate()
    sealer = Sealer(platform.public_key())
    sealer.seal("id-1", APPLICATION, [])
    blob, _ = sealer.seal("id-2", APPLICATION, [])  # same ephemeral key as id-1
    with pytest.raises(SealError):
        Opener(platform).open_payload("id-1", blob)


def test_another_platform_key_opens_nothing() -> None:
    sealer = Sealer(X25519PrivateKey.generate().public_key())
    blob, _ = sealer.seal("id-1", APPLICATION, [])
    with pytest.raises(SealError):
        Opener(X25519PrivateKey.generate()).open_payload("id-1", blob)


def test_a_quiet_terminal_keeps_no_ephemeral_secret_past_its_age(clock: FakeClock) -> None:
    sealer = Sealer(X25519PrivateKey.generate().public_key(), max_age=10.0)
    sealer.seal("id-1", APPLICATION, [])
    clock.advance(9.99)
    assert sealer._current is not None  # the only place the secret lives
    clock.advance(0.01)
    assert sealer._current is None, "the ephemeral secret outlived its age with no seal coming"


def test_a_key_made_while_the_expiry_timer_waits_is_still_dropped_at_its_own_age(clock: FakeClock) -> None:
    sealer = Sealer(X25519PrivateKey.generate().public_key(), max_uses=1, max_age=1.0)
    sealer.seal("id-1", APPLICATION, [])
    clock.advance(0.5)
    sealer.seal("id-2", APPLICATION, [])  # a new key (max_uses=1); the timer still waits for the first one
    second = sealer._current
    assert second is not None
    clock.advance(0.5)  # the first key's age is up, the second's is not
    assert sealer._current is second
    clock.advance(0.49)
    assert sealer._current is second
    clock.advance(0.01)
    assert sealer._current is None, "the second ephemeral secret outlived its age"
