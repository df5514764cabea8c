"""Sealing submissions at rest: the terminal can seal, only the platform can open.

A fresh AES-256-GCM data key per submission encrypts the payload and every attachment. The data key is
wrapped to the platform's X25519 public key: an ephemeral key pair per submission, X25519 shared secret,
HKDF-SHA256 (info = protocol + submission id) → key-encryption key, AES-256-GCM. The terminal keeps no copy of
the data key once sealing is done, so its own queue is unreadable to it.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

import uuid6
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from offline_cache.protocol import PROTOCOL, SEAL_ALG, SealedBlob


class SealError(Exception):
    """A sealed object could not be opened: wrong key, tampered bytes, or an unknown algorithm."""


def _kek(shared: bytes, submission_id: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=f"{PROTOCOL}/{submission_id}".encode()).derive(
        shared
    )


def load_public_key(raw: bytes) -> X25519PublicKey:
    return X25519PublicKey.from_public_bytes(raw)


def public_key_bytes(key: X25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


@dataclass(frozen=True)
class SealingKeys:
    """One submission's id and fresh key material, made before its payload is known (so ahead of time).

    ``epk``: the ephemeral public key; ``wrapped_key``: the data key, already wrapped to the platform for
    ``submission_id``; ``data_key``: the AES-256 key; ``nonce``: the payload's nonce; ``made_at``:
    ``time.monotonic()`` when made (old sets are dropped, so an id's time stays close to its saving).
    Used for exactly one submission, then dropped.
    """

    submission_id: str
    epk: bytes
    wrapped_key: bytes
    data_key: bytes
    nonce: bytes
    made_at: float


@dataclass(frozen=True)
class Sealer:
    """Seals one submission's payload and attachments under one data key that it then forgets."""

    platform_key: X25519PublicKey

    def fresh_keys(self, submission_id: str | None = None) -> SealingKeys:
        """Everything of a seal that does not depend on the payload: id (a new UUIDv7 unless given),
        ephemeral key, X25519, HKDF and the wrapped data key."""
        submission_id = submission_id or str(uuid6.uuid7())
        ephemeral = X25519PrivateKey.generate()
        data_key = AESGCM.generate_key(bit_length=256)
        # One read of the system's randomness for both nonces.
        nonces = os.urandom(24)
        kek = _kek(ephemeral.exchange(self.platform_key), submission_id)
        wrapped = nonces[:12] + AESGCM(kek).encrypt(nonces[:12], data_key, submission_id.encode())
        return SealingKeys(
            submission_id=submission_id,
            epk=public_key_bytes(ephemeral.public_key()),
            wrapped_key=wrapped,
            data_key=data_key,
            nonce=nonces[12:],
            made_at=time.monotonic(),
        )

    def seal(
        self, submission_id: str, payload: bytes, attachments: list[bytes], keys: SealingKeys | None = None
    ) -> tuple[SealedBlob, list[bytes]]:
        keys = keys or self.fresh_keys(submission_id)
        if keys.submission_id != submission_id:
            raise ValueError("sealing keys were made for another submission")
        aad = submission_id.encode()
        aead = AESGCM(keys.data_key)
        blob = SealedBlob(
            alg=SEAL_ALG,
            epk=keys.epk,
            wrapped_key=keys.wrapped_key,
            nonce=keys.nonce,
            ciphertext=aead.encrypt(keys.nonce, payload, aad),
        )
        sealed_attachments = []
        for index, data in enumerate(attachments):
            a_nonce = os.urandom(12)
            sealed_attachments.append(a_nonce + aead.encrypt(a_nonce, data, f"{submission_id}#{index}".encode()))
        return blob, sealed_attachments


@dataclass(frozen=True)
class Opener:
    """The platform side: opens what terminals sealed with its public key."""

    private_key: X25519PrivateKey

    def data_key(self, submission_id: str, blob: SealedBlob) -> bytes:
        if blob.alg != SEAL_ALG:
            raise SealError(f"unknown sealing algorithm {blob.alg!r}")
        try:
            kek = _kek(self.private_key.exchange(load_public_key(blob.epk)), submission_id)
            return AESGCM(kek).decrypt(blob.wrapped_key[:12], blob.wrapped_key[12:], submission_id.encode())
        except (InvalidTag, ValueError) as exc:
            raise SealError("sealed key does not open with this platform key") from exc

    def open_payload(self, submission_id: str, blob: SealedBlob, key: bytes | None = None) -> bytes:
        """The payload in clear; ``key``: the data key if already unwrapped (saves an X25519)."""
        key = key or self.data_key(submission_id, blob)
        try:
            return AESGCM(key).decrypt(blob.nonce, blob.ciphertext, submission_id.encode())
        except InvalidTag as exc:
            raise SealError("payload was altered") from exc

    def open_attachment(
        self, submission_id: str, blob: SealedBlob, index: int, sealed: bytes, key: bytes | None = None
    ) -> bytes:
        key = key or self.data_key(submission_id, blob)
        try:
            return AESGCM(key).decrypt(sealed[:12], sealed[12:], f"{submission_id}#{index}".encode())
        except InvalidTag as exc:
            raise SealError(f"attachment {index} was altered") from exc
