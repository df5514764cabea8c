"""The platform's key pair file (平台密钥): X25519 to open what terminals sealed, Ed25519 to sign receipts.

The file is JSON with the two raw private keys in base64 and is written with mode 0600. Several instances
of the platform behind one PostgreSQL share the same file.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

KEY_FILE_KIND = "hall-kiosk-platform-keys"


class KeyFileError(Exception):
    """The key file is missing, unreadable or not a platform key file; the message names the file."""


def _raw_private(key: X25519PrivateKey | Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )


def _raw_public(key: X25519PrivateKey | Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


@dataclass(frozen=True)
class PlatformKeys:
    """The two private keys of the platform: ``seal`` opens submissions, ``signing`` signs receipt files."""

    seal: X25519PrivateKey
    signing: Ed25519PrivateKey

    @classmethod
    def generate(cls) -> PlatformKeys:
        return cls(seal=X25519PrivateKey.generate(), signing=Ed25519PrivateKey.generate())

    @property
    def seal_public(self) -> bytes:
        """Raw 32-byte X25519 public key that terminals seal to."""
        return _raw_public(self.seal)

    @property
    def signing_public(self) -> bytes:
        """Raw 32-byte Ed25519 public key that verifies the platform's receipt files."""
        return _raw_public(self.signing)

    def sign(self, message: bytes) -> bytes:
        return self.signing.sign(message)

    def to_json(self) -> str:
        return json.dumps(
            {
                "kind": KEY_FILE_KIND,
                "x25519_private": base64.b64encode(_raw_private(self.seal)).decode(),
                "ed25519_private": base64.b64encode(_raw_private(self.signing)).decode(),
            },
            indent=2,
        )

    def save(self, path: Path) -> None:
        """Write the key file readable by its owner only (0600), never leaving a wider-open copy behind."""
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(self.to_json() + "\n")
        path.chmod(0o600)

    @classmethod
    def load(cls, path: Path) -> PlatformKeys:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise KeyFileError(f"cannot read key file {path}: {exc.strerror}") from exc
        except ValueError as exc:
            raise KeyFileError(f"key file {path} is not JSON; make one with 'kiosk-central keygen'") from exc
        if not isinstance(data, dict) or data.get("kind") != KEY_FILE_KIND:
            raise KeyFileError(f"{path} is not a platform key file; make one with 'kiosk-central keygen'")
        try:
            seal = X25519PrivateKey.from_private_bytes(
                base64.b64decode(data["x25519_private"], validate=True)
            )
            signing = Ed25519PrivateKey.from_private_bytes(
                base64.b64decode(data["ed25519_private"], validate=True)
            )
        except (KeyError, TypeError, ValueError, binascii.Error) as exc:
            raise KeyFileError(f"key file {path} is damaged: {exc}") from exc
        return cls(seal=seal, signing=signing)
