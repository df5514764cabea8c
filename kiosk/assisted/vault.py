"""A staff member's vault (个人加密保管箱): their data key, wrapped by their password, and the files it opens.

Each staff member on a laptop has one random 256-bit data key. On disk it is only ever stored wrapped:
AES-256-GCM under a key-encryption key derived from the password with scrypt (``n = 2**15, r = 8, p = 1``,
salt per staff member), the staff number bound as associated data. Everything about that member's cases
(drafts, the resident, the authorization, signature images, photos, the case list itself) is written through
:class:`Vault`: AES-256-GCM under the data key, a fresh nonce per write, the file's own name as associated
data (a file renamed or copied over another does not open as it). Files are replaced atomically and durably
(:func:`offline_cache.durable.write_atomic`). Staff B, logged in on the same laptop, holds only B's key and
cannot open a byte of A's files.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from offline_cache.durable import write_atomic

#: The first bytes of every vault file and of a wrapped key file's format name.
FILE_MAGIC = b"HKV1"
KEY_FORMAT = "hall-kiosk/staff-key/v1"
SCRYPT_N = 2**15
SCRYPT_R = 8
SCRYPT_P = 1
_NONCE = 12


class VaultError(Exception):
    """A vault file or a wrapped key cannot be opened: wrong password or key, or changed bytes."""


def _kek(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(password.encode("utf-8"))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: object) -> bytes:
    import base64

    if not isinstance(text, str):
        raise VaultError("wrapped key file: a field is missing")
    return base64.b64decode(text, validate=True)


def wrap_data_key(staff_no: str, password: str, data_key: bytes) -> bytes:
    """The wrapped key file's bytes: ``data_key`` under a key derived from ``password`` (JSON, no secret in clear)."""
    salt = os.urandom(16)
    nonce = os.urandom(_NONCE)
    sealed = AESGCM(_kek(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)).encrypt(nonce, data_key, staff_no.encode())
    record = {
        "format": KEY_FORMAT,
        "staff_no": staff_no,
        "kdf": {"name": "scrypt", "n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P, "salt": _b64(salt)},
        "nonce": _b64(nonce),
        "wrapped": _b64(sealed),
    }
    return json.dumps(record, sort_keys=True).encode()


def unwrap_data_key(staff_no: str, password: str, wrapped: bytes) -> bytes:
    """The data key from a wrapped key file; :class:`VaultError` for a wrong password or a changed file."""
    try:
        record = json.loads(wrapped)
        kdf = record["kdf"]
        if record.get("format") != KEY_FORMAT or kdf.get("name") != "scrypt":
            raise VaultError("wrapped key file: unknown format")
        kek = _kek(password, _unb64(kdf["salt"]), int(kdf["n"]), int(kdf["r"]), int(kdf["p"]))
        return AESGCM(kek).decrypt(_unb64(record["nonce"]), _unb64(record["wrapped"]), staff_no.encode())
    except InvalidTag:
        raise VaultError("the password does not open this staff member's key") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise VaultError(f"wrapped key file unreadable: {exc}") from None


def new_data_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


@dataclass(frozen=True)
class Vault:
    """The files of one staff member in ``folder``, each sealed under ``data_key`` (never written in clear)."""

    folder: Path
    data_key: bytes

    def __post_init__(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)

    def _aad(self, name: str) -> bytes:
        return f"{FILE_MAGIC.decode()}/{name}".encode()

    def seal(self, name: str, data: bytes) -> bytes:
        """The bytes a vault file ``name`` holding ``data`` has on disk."""
        nonce = os.urandom(_NONCE)
        return FILE_MAGIC + nonce + AESGCM(self.data_key).encrypt(nonce, data, self._aad(name))

    def open(self, name: str, sealed: bytes) -> bytes:
        if not sealed.startswith(FILE_MAGIC) or len(sealed) < len(FILE_MAGIC) + _NONCE + 16:
            raise VaultError(f"{name}: not a vault file")
        nonce = sealed[len(FILE_MAGIC) : len(FILE_MAGIC) + _NONCE]
        try:
            return AESGCM(self.data_key).decrypt(nonce, sealed[len(FILE_MAGIC) + _NONCE :], self._aad(name))
        except InvalidTag:
            raise VaultError(
                f"{name}: does not open with this staff member's key (another's file, or changed)"
            ) from None

    def write(self, name: str, data: bytes, *, sync_dir: bool = True) -> None:
        """Replace the file ``name`` with ``data``, sealed, atomically and durably."""
        write_atomic(self.folder / name, self.seal(name, data), sync_dir=sync_dir)

    def read(self, name: str) -> bytes:
        return self.open(name, (self.folder / name).read_bytes())

    def exists(self, name: str) -> bool:
        return (self.folder / name).exists()

    def names(self, prefix: str = "") -> list[str]:
        """The vault's file names starting with ``prefix`` (temporary files of an interrupted write left out)."""
        try:
            entries = [entry.name for entry in os.scandir(self.folder)]
        except FileNotFoundError:
            return []
        return sorted(name for name in entries if name.startswith(prefix) and not name.startswith("."))
