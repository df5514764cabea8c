"""Signed tree heads as C2SP checkpoints in signed notes, and the platform's cosignatures.

A checkpoint (c2sp.org/tlog-checkpoint) is a note body of three lines, each ending in a newline: the log's
origin, its tree size in decimal, and its root hash in standard base64 (then optional extension lines). A signed
note (c2sp.org/signed-note) is the body, one empty line, and one line per signature::

    — <key name> base64(key ID (4 bytes) || signature)

An Ed25519 note signature (type 0x01) signs the body's bytes; its key ID is ``SHA-256(name || "\\n" || 0x01 ||
public key)[:4]``. A cosignature (c2sp.org/tlog-cosignature, type 0x04) is a note signature whose signed bytes are
``"cosignature/v1\\ntime <T>\\n" || body`` and whose signature is ``T`` (8 bytes, big-endian) followed by the
Ed25519 signature; the platform adds one to a terminal's checkpoint once it has checked that the checkpoint
extends the last one it cosigned. A verifier key is written ``<name>+<key ID hex>+base64(type || public key)``.

Verifiers look only at the lines whose name and key ID are theirs and ignore the others, as the format asks.
Stands alone: the terminal and the platform both import it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import struct
from dataclasses import dataclass, replace

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from offline_cache.wire.merkle import HASH_SIZE

#: Signature types of c2sp.org/signed-note.
ALG_ED25519 = 0x01
ALG_COSIGNATURE_V1 = 0x04
#: Origin line of a terminal's audit log: this prefix and the terminal id; also the name of its signing key.
AUDIT_ORIGIN_PREFIX = "hall-kiosk/audit/"
#: Key name of the central platform's audit cosignatures.
PLATFORM_COSIGNER_NAME = "hall-kiosk/central"

_DASH = "\u2014 "
_MAX_SIGNATURES = 100
_NAME = re.compile(r"[^\s+]+")
_SIZE = re.compile(r"0|[1-9][0-9]{0,19}")


class NoteError(ValueError):
    """Text that is not a well-formed signed note or checkpoint."""


def audit_origin(terminal_id: str) -> str:
    return AUDIT_ORIGIN_PREFIX + terminal_id


def _b64decode(text: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise NoteError("not standard base64") from None


def _check_name(name: str) -> str:
    if not _NAME.fullmatch(name):
        raise NoteError(f"a key name is not empty and holds no spaces or '+': {name!r}")
    return name


def key_id(name: str, alg: int, public_key: bytes) -> bytes:
    """The 4-byte key ID: ``SHA-256(name || "\\n" || alg || public key)[:4]``."""
    return hashlib.sha256(name.encode() + b"\n" + bytes([alg]) + public_key).digest()[:4]


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


@dataclass(frozen=True)
class Checkpoint:
    """A log's tree head: origin, size, root hash, and any extension lines (without their newlines)."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def body(self) -> str:
        lines = [self.origin, str(self.size), base64.b64encode(self.root).decode(), *self.extensions]
        return "".join(line + "\n" for line in lines)

    @classmethod
    def parse(cls, body: str) -> Checkpoint:
        if not body.endswith("\n"):
            raise NoteError("a checkpoint ends with a newline")
        lines = body[:-1].split("\n")
        if len(lines) < 3:
            raise NoteError("a checkpoint has an origin, a size and a root hash line")
        origin, size, root, *extensions = lines
        if not origin or any(not line for line in extensions):
            raise NoteError("a checkpoint has no empty lines")
        if not _SIZE.fullmatch(size) or int(size) >= 1 << 63:
            raise NoteError(f"not a tree size: {size!r}")
        raw = _b64decode(root)
        if len(raw) != HASH_SIZE:
            raise NoteError(f"a root hash is {HASH_SIZE} bytes, not {len(raw)}")
        return cls(origin, int(size), raw, tuple(extensions))


@dataclass(frozen=True)
class NoteSignature:
    """One signature line: the key's name, its 4-byte ID, and the signature bytes that follow the ID."""

    name: str
    key_id: bytes
    signature: bytes

    def line(self) -> str:
        return f"{_DASH}{self.name} {base64.b64encode(self.key_id + self.signature).decode()}\n"


@dataclass(frozen=True)
class SignedNote:
    """A note body and its signatures, in the order they were added."""

    text: str
    signatures: tuple[NoteSignature, ...] = ()

    def __str__(self) -> str:
        return self.text + "\n" + "".join(s.line() for s in self.signatures)

    def adding(self, signature: NoteSignature) -> SignedNote:
        return replace(self, signatures=(*self.signatures, signature))

    def checkpoint(self) -> Checkpoint:
        return Checkpoint.parse(self.text)

    @classmethod
    def parse(cls, note: str) -> SignedNote:
        if "\r" in note or any(ord(c) < 0x20 and c != "\n" for c in note):
            raise NoteError("a note holds no control characters but newlines")
        text, sep, block = note.rpartition("\n\n")
        if not sep or not block.endswith("\n"):
            raise NoteError("a signed note is a text, an empty line and signature lines")
        lines = block[:-1].split("\n")
        if len(lines) > _MAX_SIGNATURES:
            raise NoteError(f"more than {_MAX_SIGNATURES} signatures")
        signatures = []
        for line in lines:
            if not line.startswith(_DASH):
                raise NoteError("a signature line starts with '— '")
            name, space, encoded = line[len(_DASH) :].partition(" ")
            raw = _b64decode(encoded) if space else b""
            if len(raw) < 5:
                raise NoteError("a signature line holds a name, a space and base64(key ID || signature)")
            signatures.append(NoteSignature(_check_name(name), raw[:4], raw[4:]))
        return cls(text + "\n", tuple(signatures))


class NoteSigner:
    """Signs notes with an Ed25519 key under ``name`` (type 0x01)."""

    def __init__(self, name: str, private_key: Ed25519PrivateKey) -> None:
        self.name = _check_name(name)
        self.private_key = private_key
        self.verifier = NoteVerifier(name, private_key.public_key())

    def sign(self, text: str) -> NoteSignature:
        return NoteSignature(self.name, self.verifier.key_id, self.private_key.sign(text.encode()))

    def sign_note(self, text: str) -> SignedNote:
        return SignedNote(text, (self.sign(text),))


class NoteVerifier:
    """Checks Ed25519 note signatures (type 0x01) by one named key."""

    alg = ALG_ED25519

    def __init__(self, name: str, public_key: Ed25519PublicKey) -> None:
        self.name = _check_name(name)
        self.public_key = public_key
        self.public_bytes = _raw_public(public_key)
        self.key_id = key_id(name, self.alg, self.public_bytes)

    @property
    def vkey(self) -> str:
        """``<name>+<key ID hex>+base64(type || public key)``."""
        return f"{self.name}+{self.key_id.hex()}+{base64.b64encode(bytes([self.alg]) + self.public_bytes).decode()}"

    @classmethod
    def from_vkey(cls, vkey: str) -> NoteVerifier:
        name, _, rest = vkey.partition("+")
        hex_id, _, encoded = rest.partition("+")
        raw = _b64decode(encoded)
        if len(raw) != 33 or raw[0] != cls.alg:
            raise NoteError(f"not a verifier key of type {cls.alg:#04x}")
        verifier = cls(name, Ed25519PublicKey.from_public_bytes(raw[1:]))
        if verifier.key_id.hex() != hex_id:
            raise NoteError("the verifier key's ID does not match its name and key")
        return verifier

    def _mine(self, note: SignedNote) -> list[NoteSignature]:
        return [s for s in note.signatures if s.name == self.name and s.key_id == self.key_id]

    def verifies(self, note: SignedNote) -> bool:
        """Whether one of the note's signature lines is this key's and holds."""
        for signature in self._mine(note):
            try:
                self.public_key.verify(signature.signature, note.text.encode())
            except InvalidSignature:
                continue
            return True
        return False


def cosigned_message(text: str, timestamp: int) -> bytes:
    return f"cosignature/v1\ntime {timestamp}\n".encode() + text.encode()


class Cosigner:
    """Adds cosignature/v1 lines (type 0x04) to checkpoints: the platform's side."""

    def __init__(self, name: str, private_key: Ed25519PrivateKey) -> None:
        self.name = _check_name(name)
        self.private_key = private_key
        self.verifier = CosignatureVerifier(name, private_key.public_key())

    def cosign(self, note: SignedNote, timestamp: int) -> SignedNote:
        if not 0 <= timestamp < 1 << 63:
            raise ValueError("a cosignature's time is 0 to 2⁶³ − 1")
        signature = self.private_key.sign(cosigned_message(note.text, timestamp))
        return note.adding(NoteSignature(self.name, self.verifier.key_id, struct.pack(">Q", timestamp) + signature))


class CosignatureVerifier(NoteVerifier):
    """Checks cosignature/v1 lines by one named key."""

    alg = ALG_COSIGNATURE_V1

    def timestamp(self, note: SignedNote) -> int | None:
        """The time of this key's cosignature on the note, or ``None`` when there is none that holds."""
        for signature in self._mine(note):
            if len(signature.signature) != 8 + 64:
                continue
            (timestamp,) = struct.unpack(">Q", signature.signature[:8])
            if timestamp >= 1 << 63:
                continue
            try:
                self.public_key.verify(signature.signature[8:], cosigned_message(note.text, timestamp))
            except InvalidSignature:
                continue
            return int(timestamp)
        return None

    def verifies(self, note: SignedNote) -> bool:
        return self.timestamp(note) is not None
