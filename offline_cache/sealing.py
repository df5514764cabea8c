"""Sealing submissions at rest: the terminal can seal, only the platform can open.

A fresh AES-256-GCM data key per submission encrypts the payload and every attachment. The data key is
wrapped to the platform's X25519 public key: an ephemeral key pair per submission, X25519 shared secret,
HKDF-SHA256 (info = protocol + submission id) → key-encryption key, AES-256-GCM. The terminal keeps no copy of
the data key once sealing is done, so its own queue is unreadable to it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

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
    """One submission's fresh key material, made before its id is known (so it can be made ahead of time).

    ``epk``: the ephemeral public key; ``shared``: its X25519 secret with the platform; ``data_key``: the
    AES-256 key. Used for exactly one submission, then dropped.
    """

    epk: bytes
    shared: bytes
    data_key: bytes


@dataclass(frozen=True)
class Sealer:
    """Seals one submission's payload and attachments under one data key that it then forgets."""

    platform_key: X25519PublicKey

    def fresh_keys(self) -> SealingKeys:
        ephemeral = X25519PrivateKey.generate()
        return SealingKeys(
            epk=public_key_bytes(ephemeral.public_key()),
            shared=ephemeral.exchange(self.platform_key),
            data_key=AESGCM.generate_key(bit_length=256),
        )

    def seal(
        self, submission_id: str, payload: bytes, attachments: list[bytes], keys: SealingKeys | None = None
    ) -> tuple[SealedBlob, list[bytes]]:
        keys = keys or self.fresh_keys()
        aead = AESGCM(keys.data_key)
        kek = _kek(keys.shared, submission_id)
        wrap_nonce = os.urandom(12)
        wrapped = wrap_nonce + AESGCM(kek).encrypt(wrap_nonce, keys.data_key, submission_id.encode())
        nonce = os.urandom(12)
        blob = SealedBlob(
            alg=SEAL_ALG,
            epk=keys.epk,
            wrapped_key=wrapped,
            nonce=nonce,
            ciphertext=aead.encrypt(nonce, payload, submission_id.encode()),
        )
        sealed_attachments = []
        for index, data in enumerate(attachments):
            a_nonce = os.urandom(12)
            aad = f"{submission_id}#{index}".encode()
            sealed_attachments.append(a_nonce + aead.encrypt(a_nonce, data, aad))
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

    def open_payload(self, submission_id: str, blob: SealedBlob) -> bytes:
        key = self.data_key(submission_id, blob)
        try:
            return AESGCM(key).decrypt(blob.nonce, blob.ciphertext, submission_id.encode())
        except InvalidTag as exc:
            raise SealError("payload was altered") from exc

    def open_attachment(self, submission_id: str, blob: SealedBlob, index: int, sealed: bytes) -> bytes:
        key = self.data_key(submission_id, blob)
        try:
            return AESGCM(key).decrypt(sealed[:12], sealed[12:], f"{submission_id}#{index}".encode())
        except InvalidTag as exc:
            raise SealError(f"attachment {index} was altered") from exc
