"""Sealing submissions at rest: the terminal can seal, only the platform can open.

A fresh AES-256-GCM data key per submission encrypts the payload and every attachment. The data key is
wrapped to the platform's X25519 public key: X25519(ephemeral, platform) shared secret, HKDF-SHA256
(info = protocol + submission id) → a key-encryption key of that submission alone, AES-256-GCM. The terminal
keeps no copy of the data key once sealing is done, so its own queue is unreadable to it. The submission id
and the terminal id are the associated data of every AEAD, so a sealed body opens only as that submission of
that terminal: another terminal posting a copy of it (from an export drive, say) gets a seal that does not open.

One ephemeral key serves a short run of submissions (at most ``max_uses``, at most ``max_age`` seconds): the
X25519 work is most of a seal's cost, and HKDF with the submission id still gives each submission a wrapping
key of its own. Only HKDF's extracted secret of the current ephemeral key is kept, in memory alone; the
ephemeral private key is dropped at once, and the secret is dropped when the run ends. Nothing written to
disk opens anything.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import os
import threading
import time
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from offline_cache.wire.protocol import PROTOCOL, SEAL_ALG, SEAL_ALG_UNBOUND, SealedBlob

#: Submissions sealed under one ephemeral key at most, and for how long (seconds) at most.
EPHEMERAL_MAX_USES = 64
EPHEMERAL_MAX_AGE = 30.0


class SealError(Exception):
    """A sealed object could not be opened: wrong key, tampered bytes, or an unknown algorithm."""


def _extract(shared: bytes) -> hmac.HMAC:
    """HKDF-Extract with no salt (RFC 5869 §2.2: a salt of hash-length zeros), kept as an HMAC keyed with
    the extracted secret, ready for :func:`_expand` to copy."""
    return hmac.new(hmac.digest(bytes(32), shared, hashlib.sha256), None, hashlib.sha256)


def _expand(keyed: hmac.HMAC, submission_id: str) -> bytes:
    """HKDF-Expand to 32 bytes (RFC 5869 §2.3: one block, T(1) = HMAC(PRK, info ‖ 0x01)).

    ``_expand(_extract(shared), id)`` is HKDF-SHA256(shared, salt none, info, 32 bytes), byte for byte.
    Copying the keyed HMAC skips keying it again for every submission.
    """
    mac = keyed.copy()
    mac.update(f"{PROTOCOL}/{submission_id}\x01".encode())
    return mac.digest()


def _aad(alg: str, submission_id: str, terminal_id: str | None) -> bytes:
    """The associated data of the wrapped key and the payload (each attachment's: :func:`_attachment_aad`).

    A bound seal (:data:`SEAL_ALG`) binds ``"<id>|<terminal id>"``: a submission id is a UUID and never holds
    ``|``, so the pair reads back one way only. An unbound seal (:data:`SEAL_ALG_UNBOUND`) binds the id alone.
    """
    if alg == SEAL_ALG:
        if not terminal_id:
            raise SealError("a terminal-bound seal needs the terminal id")
        return f"{submission_id}|{terminal_id}".encode()
    if alg == SEAL_ALG_UNBOUND:
        return submission_id.encode()
    raise SealError(f"unknown sealing algorithm {alg!r}")


def _attachment_aad(alg: str, submission_id: str, terminal_id: str | None, index: int) -> bytes:
    """``"<id>#<index>|<terminal id>"`` for a bound seal, ``"<id>#<index>"`` for an unbound one."""
    if alg == SEAL_ALG:
        return f"{submission_id}#{index}|{terminal_id}".encode()
    return f"{submission_id}#{index}".encode()


def load_public_key(raw: bytes) -> X25519PublicKey:
    return X25519PublicKey.from_public_bytes(raw)


def public_key_bytes(key: X25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


@dataclass(frozen=True)
class _Ephemeral:
    """The public half of one ephemeral key and HKDF's extracted secret of it with the platform."""

    epk: bytes
    secret: hmac.HMAC
    made_at: float


class Sealer:
    """Seals one submission's payload and attachments under one data key that it then forgets.

    Safe to share between threads.
    """

    def __init__(
        self,
        platform_key: X25519PublicKey,
        *,
        max_uses: int = EPHEMERAL_MAX_USES,
        max_age: float = EPHEMERAL_MAX_AGE,
    ) -> None:
        self.platform_key = platform_key
        self.max_uses = max_uses
        self.max_age = max_age
        self._lock = threading.Lock()
        self._current: _Ephemeral | None = None
        self._uses = 0
        self._timer: threading.Timer | None = None

    def _ephemeral(self) -> _Ephemeral:
        with self._lock:
            current = self._current
            now = time.monotonic()
            if current is None or self._uses >= self.max_uses or now - current.made_at > self.max_age:
                private = X25519PrivateKey.generate()
                current = _Ephemeral(
                    epk=public_key_bytes(private.public_key()),
                    secret=_extract(private.exchange(self.platform_key)),
                    made_at=now,
                )
                self._current, self._uses = current, 0
                if self._timer is None:
                    self._expire_in(self.max_age)
            self._uses += 1
            return current

    def _expire_in(self, delay: float) -> None:
        """Check for a secret past its age in ``delay`` seconds, even if no seal comes (a quiet hall keeps
        nothing). One timer at a time: a key made before it fires is checked then and waited for again."""
        self._timer = threading.Timer(delay, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def _expire(self) -> None:
        with self._lock:
            self._timer = None
            current = self._current
            if current is None:
                return
            left = current.made_at + self.max_age - time.monotonic()
            if left <= 0:
                self._current = None
            else:
                self._expire_in(left)

    def forget(self) -> None:
        """Drop the current ephemeral secret now (the next seal makes a new one)."""
        with self._lock:
            self._current = None
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None

    def seal(
        self, submission_id: str, payload: bytes, attachments: list[bytes], *, terminal_id: str | None = None
    ) -> tuple[SealedBlob, list[bytes]]:
        """Seal one submission. With ``terminal_id`` (what a terminal's outbox always passes) the seal binds it
        too (:data:`SEAL_ALG`); without, it is the earlier, unbound form (:data:`SEAL_ALG_UNBOUND`)."""
        alg = SEAL_ALG if terminal_id is not None else SEAL_ALG_UNBOUND
        aad = _aad(alg, submission_id, terminal_id)
        ephemeral = self._ephemeral()
        # One read of the system's randomness for the data key and both nonces.
        fresh = os.urandom(56)
        data_key, wrap_nonce, nonce = fresh[:32], fresh[32:44], fresh[44:]
        aead = AESGCM(data_key)
        kek = AESGCM(_expand(ephemeral.secret, submission_id))
        blob = SealedBlob(
            alg=alg,
            epk=ephemeral.epk,
            wrapped_key=wrap_nonce + kek.encrypt(wrap_nonce, data_key, aad),
            nonce=nonce,
            ciphertext=aead.encrypt(nonce, payload, aad),
        )
        sealed_attachments = []
        for index, data in enumerate(attachments):
            a_nonce = os.urandom(12)
            a_aad = _attachment_aad(alg, submission_id, terminal_id, index)
            sealed_attachments.append(a_nonce + aead.encrypt(a_nonce, data, a_aad))
        return blob, sealed_attachments


class Opener:
    """The platform side: opens what terminals sealed with its public key.

    A terminal seals a run of submissions under one ephemeral key, so the X25519 secret of the last few
    hundred ephemeral keys is remembered (in memory) and a run costs one X25519, not one per submission.
    """

    def __init__(self, private_key: X25519PrivateKey) -> None:
        self.private_key = private_key
        self._secret = functools.lru_cache(maxsize=512)(self._extract)

    def _extract(self, epk: bytes) -> hmac.HMAC:
        return _extract(self.private_key.exchange(load_public_key(epk)))

    def data_key(self, submission_id: str, blob: SealedBlob, *, terminal_id: str | None = None) -> bytes:
        """The submission's data key; ``terminal_id``: the terminal it must be bound to (a bound seal made for
        another terminal does not open; an unbound one ignores it)."""
        aad = _aad(blob.alg, submission_id, terminal_id)
        try:
            kek = _expand(self._secret(bytes(blob.epk)), submission_id)
            return AESGCM(kek).decrypt(blob.wrapped_key[:12], blob.wrapped_key[12:], aad)
        except (InvalidTag, ValueError) as exc:
            raise SealError("sealed key does not open with this platform key for this terminal") from exc

    def open_payload(
        self, submission_id: str, blob: SealedBlob, key: bytes | None = None, *, terminal_id: str | None = None
    ) -> bytes:
        """The payload in clear; ``key``: the data key if already unwrapped (saves an X25519)."""
        aad = _aad(blob.alg, submission_id, terminal_id)
        key = key or self.data_key(submission_id, blob, terminal_id=terminal_id)
        try:
            return AESGCM(key).decrypt(blob.nonce, blob.ciphertext, aad)
        except InvalidTag as exc:
            raise SealError("payload was altered") from exc

    def open_attachment(
        self,
        submission_id: str,
        blob: SealedBlob,
        index: int,
        sealed: bytes,
        key: bytes | None = None,
        *,
        terminal_id: str | None = None,
    ) -> bytes:
        _aad(blob.alg, submission_id, terminal_id)
        key = key or self.data_key(submission_id, blob, terminal_id=terminal_id)
        try:
            a_aad = _attachment_aad(blob.alg, submission_id, terminal_id, index)
            return AESGCM(key).decrypt(sealed[:12], sealed[12:], a_aad)
        except (InvalidTag, ValueError) as exc:
            raise SealError(f"attachment {index} was altered") from exc
