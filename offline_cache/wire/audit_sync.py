"""The audit log's sync, as both ends see it: what a terminal sends to have its log cosigned, and the inclusion
proof a supervisor checks offline.

An **append** (``POST`` :data:`~offline_cache.wire.protocol.PATH_AUDIT_APPEND`, or ``audit.json`` on an export
drive) carries the entries the platform has not yet got, from ``from_size`` (the size of the last checkpoint the
platform cosigned for this terminal, 0 before the first), the terminal's signed checkpoint of its tree, and an RFC
9162 consistency proof from ``from_size`` to that checkpoint's size::

    {"protocol": "hall-kiosk/1", "kind": "audit_append", "terminal_id": "T-0001", "from_size": 256,
     "entries": ["<base64 of an entry's bytes>", …], "checkpoint": "<signed note>",
     "consistency": ["<base64 of a 32-byte hash>", …], "key": "hall-kiosk/audit/T-0001+60c587d9+Ad…"}

``key`` is the terminal's verifier key; the platform pins it at the first append and checks every later
checkpoint against the pinned one. The platform answers with the same checkpoint carrying its cosignature.

An **inclusion proof** (``kiosk-central audit prove``) is one JSON document: an entry, its index, its RFC 9162
audit path, and a checkpoint cosigned by the platform. :func:`check_inclusion` verifies it with nothing but the
platform's public key, so a supervisor checks one entry without the platform or the terminal::

    from offline_cache.wire.audit_sync import check_inclusion
    from offline_cache.wire.checkpoint import CosignatureVerifier
    from offline_cache.wire.protocol import load_json
    platform = CosignatureVerifier.from_vkey("hall-kiosk/central+…+BA…")   # the platform's key, known beforehand
    proven = check_inclusion(load_json(open("proof.json", "rb").read()), platform)
    print(proven.entry, proven.size, proven.cosigned_at)
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from offline_cache.wire.checkpoint import (
    CosignatureVerifier,
    NoteError,
    NoteVerifier,
    SignedNote,
    audit_origin,
)
from offline_cache.wire.merkle import HASH_SIZE, ProofError, leaf_hash, verify_inclusion
from offline_cache.wire.protocol import envelope, load_json

APPEND_KIND = "audit_append"
COSIGNED_KIND = "audit_cosigned"
PROOF_KIND = "audit_inclusion_proof"
#: Longest entry either end takes, in bytes (an entry is a few hundred).
MAX_ENTRY_BYTES = 16 * 1024
#: Longest signed note, in characters.
MAX_NOTE_CHARS = 16 * 1024
#: Most hashes in a consistency or inclusion proof (two per level of a tree of 2⁶³ leaves, and some).
MAX_PROOF_HASHES = 130


class AuditSyncError(ValueError):
    """A document that is not a well-formed append or inclusion proof; the message says which field."""


def _decode(value: object, what: str) -> bytes:
    if not isinstance(value, str):
        raise AuditSyncError(f"{what} is a base64 string")
    try:
        return base64.b64decode(value.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise AuditSyncError(f"{what} is not standard base64") from None


def _hashes(value: object, what: str) -> tuple[bytes, ...]:
    if not isinstance(value, list) or len(value) > MAX_PROOF_HASHES:
        raise AuditSyncError(f"{what} is a list of at most {MAX_PROOF_HASHES} base64 hashes")
    hashes = tuple(_decode(item, what) for item in value)
    if any(len(h) != HASH_SIZE for h in hashes):
        raise AuditSyncError(f"every hash in {what} is {HASH_SIZE} bytes")
    return hashes


def _size(value: object, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 1 << 63:
        raise AuditSyncError(f"{what} is a tree size (an integer from 0)")
    return value


def _text(value: object, what: str, limit: int) -> str:
    if not isinstance(value, str) or not value or len(value) > limit:
        raise AuditSyncError(f"{what} is a string of 1 to {limit} characters")
    return value


def _encode_all(values: Sequence[bytes]) -> list[str]:
    return [base64.b64encode(value).decode() for value in values]


@dataclass(frozen=True)
class AuditAppend:
    """New entries and the terminal's signed checkpoint, with a consistency proof from ``from_size``."""

    terminal_id: str
    from_size: int
    entries: tuple[bytes, ...]
    checkpoint: str
    consistency: tuple[bytes, ...]
    key: str

    def to_json(self) -> dict[str, Any]:
        return envelope(
            APPEND_KIND,
            terminal_id=self.terminal_id,
            from_size=self.from_size,
            entries=_encode_all(self.entries),
            checkpoint=self.checkpoint,
            consistency=_encode_all(self.consistency),
            key=self.key,
        )

    @classmethod
    def from_json(cls, value: object, *, max_entries: int | None = None) -> AuditAppend:
        """Read an append; :class:`AuditSyncError` for anything not of its shape (nothing is verified here)."""
        if not isinstance(value, dict) or value.get("kind") != APPEND_KIND:
            raise AuditSyncError(f"not an {APPEND_KIND} document")
        entries = value.get("entries")
        if not isinstance(entries, list) or (max_entries is not None and len(entries) > max_entries):
            limit = "" if max_entries is None else f" of at most {max_entries}"
            raise AuditSyncError(f"entries is a list{limit}")
        decoded = tuple(_decode(item, "an entry") for item in entries)
        if any(len(entry) > MAX_ENTRY_BYTES for entry in decoded):
            raise AuditSyncError(f"an entry is at most {MAX_ENTRY_BYTES} bytes")
        return cls(
            terminal_id=_text(value.get("terminal_id"), "terminal_id", 64),
            from_size=_size(value.get("from_size"), "from_size"),
            entries=decoded,
            checkpoint=_text(value.get("checkpoint"), "checkpoint", MAX_NOTE_CHARS),
            consistency=_hashes(value.get("consistency"), "consistency"),
            key=_text(value.get("key"), "key", 256),
        )


def inclusion_document(
    terminal_id: str,
    *,
    index: int,
    entry: bytes,
    path: Sequence[bytes],
    cosigned: str,
    terminal_key: str,
    platform_key: str,
) -> dict[str, Any]:
    """The offline-checkable proof that ``entry`` is leaf ``index`` of the tree the cosigned checkpoint names."""
    return envelope(
        PROOF_KIND,
        terminal_id=terminal_id,
        index=index,
        entry=base64.b64encode(entry).decode(),
        # For the reader only: the check hashes ``entry``'s bytes, never this.
        entry_json=_readable(entry),
        inclusion=_encode_all(path),
        checkpoint=cosigned,
        terminal_key=terminal_key,
        platform_key=platform_key,
    )


def _readable(entry: bytes) -> Any:
    try:
        return load_json(entry)
    except ValueError:
        return None


@dataclass(frozen=True)
class ProvenEntry:
    """What a checked inclusion proof shows: the entry (parsed), where it is, and when the platform cosigned."""

    terminal_id: str
    index: int
    entry: Any
    size: int
    cosigned_at: int
    terminal_key: str


def check_inclusion(document: object, platform: CosignatureVerifier, terminal_key: str | None = None) -> ProvenEntry:
    """Verify an inclusion proof document: the checkpoint is the terminal's (its origin, and a signature by the
    key the document names, or by ``terminal_key`` when the caller knows it), it carries ``platform``'s
    cosignature, and the entry with its path leads to the checkpoint's root. Raises :class:`AuditSyncError`,
    :class:`~offline_cache.wire.checkpoint.NoteError` or :class:`~offline_cache.wire.merkle.ProofError`."""
    if not isinstance(document, dict) or document.get("kind") != PROOF_KIND:
        raise AuditSyncError(f"not an {PROOF_KIND} document")
    terminal_id = _text(document.get("terminal_id"), "terminal_id", 64)
    index = _size(document.get("index"), "index")
    entry = _decode(document.get("entry"), "entry")
    path = _hashes(document.get("inclusion"), "inclusion")
    note = SignedNote.parse(_text(document.get("checkpoint"), "checkpoint", MAX_NOTE_CHARS))
    checkpoint = note.checkpoint()
    named = _text(document.get("terminal_key"), "terminal_key", 256)
    if terminal_key is not None and named != terminal_key:
        raise NoteError(f"the proof names terminal key {named}, not the expected {terminal_key}")
    terminal = NoteVerifier.from_vkey(named)
    if checkpoint.origin != audit_origin(terminal_id) or terminal.name != checkpoint.origin:
        raise NoteError(f"the checkpoint is of {checkpoint.origin}, not of terminal {terminal_id}'s audit log")
    if not terminal.verifies(note):
        raise NoteError("the checkpoint is not signed by the terminal's key")
    cosigned_at = platform.timestamp(note)
    if cosigned_at is None:
        raise NoteError(f"the checkpoint carries no valid cosignature by the platform's key ({platform.vkey})")
    verify_inclusion(leaf_hash(entry), index, checkpoint.size, path, checkpoint.root)
    return ProvenEntry(terminal_id, index, _readable(entry), checkpoint.size, cosigned_at, named)


__all__ = [
    "APPEND_KIND",
    "COSIGNED_KIND",
    "PROOF_KIND",
    "AuditAppend",
    "AuditSyncError",
    "ProofError",
    "ProvenEntry",
    "check_inclusion",
    "inclusion_document",
]
