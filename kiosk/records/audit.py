"""The audit log (审计日志): who did what, for whom, when, on this terminal, in a record nobody here can quietly
change, shorten or roll back.

Each action is one entry: canonical JSON (sorted keys, no spaces, UTF-8) holding its index ``i``, the time ``at``
(UTC), the ``terminal``, ``who`` acted (a staff id, ``technician`` or ``kiosk``), the ``action`` (one of
:class:`AuditAction`), and when they apply the ``resident`` (a keyed hash of the ID number and the masked name,
never the number or the name), the ``case``, the ``authorization`` and a small ``detail`` object. The entries
are the leaves of an RFC 9162 Merkle tree (:mod:`offline_cache.wire.merkle`).

The file (its own SQLite database, WAL, ``synchronous=FULL``) holds:

- ``entry``: index, bytes, and a seal (keyed BLAKE2b under the terminal's audit key over the index and the
  leaf hash), so a changed or forged entry is named, not only found;
- ``head``: the tree's size and its frontier (the roots of its perfect subtrees: an append is O(log n)), sealed
  the same way, so a cut tail shows as a head that names more entries than there are;
- ``checkpoint``: C2SP signed notes of the tree head (:mod:`offline_cache.wire.checkpoint`), signed with the
  terminal's Ed25519 key every :attr:`AuditLog.checkpoint_every` entries, after a logout and at the kiosk's stop,
  and whenever :meth:`AuditLog.checkpoint` is called (before each sync).

An entry, the head and a checkpoint it brings are written in one transaction. The key (an Ed25519 seed from
which the seal and resident keys are derived) is made on first use, owner-only, beside the log; the last
checkpoint the platform cosigned (the *anchor*) is kept in another file, so a log replaced by an older copy of
itself no longer reaches it. ``docs/audit.md`` says what is detected and what is not.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.records.local_db import Migration, open_local_db
from kiosk.visit.identity import mask_name, normalize_id_number
from offline_cache.durable import fsync_dir, write_atomic
from offline_cache.wire.checkpoint import (
    Checkpoint,
    CosignatureVerifier,
    NoteError,
    NoteSigner,
    SignedNote,
    audit_origin,
)
from offline_cache.wire.merkle import Frontier, leaf_hash
from offline_cache.wire.protocol import canonical_json


class AuditAction(StrEnum):
    """Every action the log records, in one place (the ``action`` of an entry)."""

    KIOSK_START = "kiosk.start"
    KIOSK_STOP = "kiosk.stop"
    STAFF_LOGIN = "staff.login"
    STAFF_LOGOUT = "staff.logout"
    STAFF_LOCKOUT = "staff.lockout"
    RESIDENT_IDENTIFIED = "resident.identified"
    AUTHORIZATION_RECORDED = "authorization.recorded"
    CASE_CREATED = "case.created"
    CASE_SUBMITTED = "case.submitted"
    CASE_EDITED = "case.edited"
    CASE_EXPORTED = "case.exported"
    SLIP_PRINTED = "slip.printed"
    SLIP_REPRINTED = "slip.reprinted"
    #: 回交: the papers of a case handed back.
    HANDBACK_RECORDED = "handback.recorded"
    #: 回访: a follow-up call or visit.
    FOLLOW_UP_RECORDED = "follow_up.recorded"
    #: ``detail``: ``{"ok": true | false}``; a wrong PIN is recorded as surely as a right one.
    TECHNICIAN_PIN = "technician.pin"
    DEVICE_TEST = "device.test"
    QUEUE_RETRY = "queue.retry"
    QUEUE_EXPORT = "queue.export"
    QUEUE_IMPORT_RECEIPT = "queue.import_receipt"
    CONFIG_CHANGE = "config.change"


#: ``who`` for the technician behind the PIN, and for the kiosk program itself.
TECHNICIAN = "technician"
KIOSK = "kiosk"
#: Actions after which the head is signed in the same transaction.
CHECKPOINT_AFTER = frozenset({AuditAction.STAFF_LOGOUT, AuditAction.KIOSK_STOP})
#: The most entries between two checkpoints, by default.
CHECKPOINT_EVERY = 256
ENTRY_VERSION = 1

#: A run of digits that could be an ID number (15 or 18) or a mobile number: never written into an entry.
_CLEAR_NUMBER = re.compile(r"(?<![0-9])(?:[0-9]{17}[0-9Xx]|[0-9]{15}|1[3-9][0-9]{9})(?![0-9])")
_SEAL_BYTES = 16
_KEY_BYTES = 32

MIGRATIONS: tuple[Migration, ...] = (
    """
    CREATE TABLE IF NOT EXISTS entry (idx INTEGER PRIMARY KEY, body BLOB NOT NULL, seal BLOB NOT NULL);
    CREATE TABLE IF NOT EXISTS head (
        one INTEGER PRIMARY KEY CHECK (one = 1), size INTEGER NOT NULL, frontier BLOB NOT NULL, seal BLOB NOT NULL
    );
    CREATE TABLE IF NOT EXISTS checkpoint (size INTEGER PRIMARY KEY, note TEXT NOT NULL);
    CREATE TRIGGER IF NOT EXISTS entry_append_only_update BEFORE UPDATE ON entry
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER IF NOT EXISTS entry_append_only_delete BEFORE DELETE ON entry
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER IF NOT EXISTS checkpoint_append_only_update BEFORE UPDATE ON checkpoint
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER IF NOT EXISTS checkpoint_append_only_delete BEFORE DELETE ON checkpoint
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    """,
)


class AuditError(Exception):
    """The log cannot take this: a value that would put personal data in clear, or a cosigned checkpoint
    that is not this log's."""


@dataclass(frozen=True)
class Resident:
    """On whose behalf: the log keeps ``HMAC(resident key, ID number)`` and the masked name only."""

    id_number: str
    name: str


class AuditKeys:
    """The terminal's audit secret: an Ed25519 seed, and the two HMAC keys derived from it."""

    def __init__(self, seed: bytes, terminal_id: str) -> None:
        if len(seed) != _KEY_BYTES:
            raise ValueError(f"an audit key is {_KEY_BYTES} bytes")
        self.terminal_id = terminal_id
        self.origin = audit_origin(terminal_id)
        self.signer = NoteSigner(self.origin, Ed25519PrivateKey.from_private_bytes(seed))
        self.seal_key = hmac.digest(seed, b"hall-kiosk audit seal v1", "sha256")
        self._entry_mac = hashlib.blake2b(b"entry", key=self.seal_key, digest_size=_SEAL_BYTES)
        self.resident_key = hmac.digest(seed, b"hall-kiosk audit resident v1", "sha256")

    @classmethod
    def load_or_make(cls, path: Path, terminal_id: str) -> AuditKeys:
        """Read the key at ``path``, making it (owner-only, durably) when there is none yet."""
        try:
            return cls(path.read_bytes(), terminal_id)
        except FileNotFoundError:
            pass
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f"{path.name}.{os.getpid()}.new")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, os.urandom(_KEY_BYTES))
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(temporary, path)  # never over a key another process made meanwhile
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
        fsync_dir(path.parent)
        return cls(path.read_bytes(), terminal_id)

    @classmethod
    def load(cls, path: Path, terminal_id: str) -> AuditKeys:
        return cls(path.read_bytes(), terminal_id)

    def seal_entry(self, index: int, leaf: bytes) -> bytes:
        """Keyed BLAKE2b (a MAC by design, and several times quicker per call than HMAC here) over the place
        and the leaf hash."""
        mac = self._entry_mac.copy()
        mac.update(index.to_bytes(8, "big") + leaf)
        return mac.digest()

    def seal_head(self, size: int, frontier: bytes) -> bytes:
        data = b"head" + size.to_bytes(8, "big") + frontier
        return hashlib.blake2b(data, key=self.seal_key, digest_size=_SEAL_BYTES).digest()

    def resident(self, resident: Resident) -> dict[str, str]:
        digest = hmac.digest(self.resident_key, normalize_id_number(resident.id_number).encode(), "sha256")
        return {"key": digest[:16].hex(), "name": mask_name(resident.name)}

    def sign(self, frontier: Frontier) -> SignedNote:
        return self.signer.sign_note(Checkpoint(self.origin, frontier.size, frontier.root()).body())


def utc_text(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _check_clear(values: Iterator[Any]) -> None:
    for value in values:
        if isinstance(value, str) and _CLEAR_NUMBER.search(value):
            raise AuditError("an audit entry holds no ID or phone number in clear")


def _strings(value: Any) -> Iterator[Any]:
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield key
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)
    else:
        yield value


class AuditLog:
    """The terminal's append-only audit log; thread-safe."""

    def __init__(
        self,
        path: Path,
        key_path: Path,
        terminal_id: str,
        *,
        checkpoint_every: int = CHECKPOINT_EVERY,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if checkpoint_every < 1:
            raise ValueError("checkpoint_every is at least 1")
        self.path = path
        self.terminal_id = terminal_id
        self.checkpoint_every = checkpoint_every
        self.keys = AuditKeys.load_or_make(key_path, terminal_id)
        self._clock = clock
        self._lock = threading.Lock()
        self._conn = open_local_db(path, MIGRATIONS)
        self._closed = False

    @property
    def size(self) -> int:
        with self._lock:
            return self._head().size

    def _head(self) -> Frontier:
        row = self._conn.execute("SELECT size, frontier FROM head WHERE one = 1").fetchone()
        return Frontier.from_bytes(int(row[0]), bytes(row[1])) if row else Frontier()

    def record(
        self,
        action: AuditAction,
        who: str,
        *,
        resident: Resident | None = None,
        case: str | None = None,
        authorization: str | None = None,
        detail: Mapping[str, Any] | None = None,
    ) -> int:
        """Append one entry, durably; returns its index. After a logout or the kiosk's stop, and every
        :attr:`checkpoint_every` entries, the head is signed in the same transaction."""
        action = AuditAction(action)
        if not who:
            raise AuditError("an audit entry names who acted")
        extra = {"case": case, "authorization": authorization, "detail": dict(detail) if detail else None}
        _check_clear(_strings([who, extra]))
        entry: dict[str, Any] = {
            "v": ENTRY_VERSION,
            "terminal": self.terminal_id,
            "who": who,
            "action": action.value,
        }
        entry.update((k, v) for k, v in extra.items() if v is not None)
        if resident is not None:
            entry["resident"] = self.keys.resident(resident)
        with self._lock, self._transaction():
            # The head is read inside the write lock: another process (``kiosk queue`` beside the running
            # kiosk) may have appended since.
            frontier = self._head()
            index = frontier.size
            entry.update(i=index, at=utc_text(self._clock()))
            body = canonical_json(entry)
            leaf = leaf_hash(body)
            frontier.append(leaf)
            raw = frontier.to_bytes()
            self._conn.execute(
                "INSERT INTO entry (idx, body, seal) VALUES (?, ?, ?)", (index, body, self.keys.seal_entry(index, leaf))
            )
            self._conn.execute(
                "INSERT INTO head (one, size, frontier, seal) VALUES (1, ?, ?, ?) ON CONFLICT (one) DO UPDATE "
                "SET size = excluded.size, frontier = excluded.frontier, seal = excluded.seal",
                (frontier.size, raw, self.keys.seal_head(frontier.size, raw)),
            )
            if action in CHECKPOINT_AFTER or frontier.size % self.checkpoint_every == 0:
                self._insert_checkpoint(frontier)
            return index

    def checkpoint(self) -> SignedNote:
        """The signed head now (signing it if it is not yet): before each sync, and whenever a caller wants
        the entries so far covered."""
        with self._lock, self._transaction():
            frontier = self._head()
            row = self._conn.execute("SELECT note FROM checkpoint WHERE size = ?", (frontier.size,)).fetchone()
            return SignedNote.parse(str(row[0])) if row else self._insert_checkpoint(frontier)

    def _insert_checkpoint(self, frontier: Frontier) -> SignedNote:
        note = self.keys.sign(frontier)
        self._conn.execute("INSERT INTO checkpoint (size, note) VALUES (?, ?)", (frontier.size, str(note)))
        return note

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def entries(self, start: int = 0, end: int | None = None) -> list[bytes]:
        """The entries' bytes from index ``start`` (to ``end``, exclusive): what a sync sends."""
        end = self.size if end is None else end
        with self._lock:  # the upkeep thread reads while the hall's threads append on the same connection
            rows = self._conn.execute(
                "SELECT body FROM entry WHERE idx >= ? AND idx < ? ORDER BY idx", (start, end)
            ).fetchall()
        return [bytes(row[0]) for row in rows]

    def signed_checkpoints(self, above: int = 0) -> list[SignedNote]:
        """The checkpoints this log signed of more than ``above`` entries, smallest first: what a sync may send."""
        with self._lock:
            rows = self._conn.execute("SELECT note FROM checkpoint WHERE size > ? ORDER BY size", (above,)).fetchall()
        return [SignedNote.parse(str(row[0])) for row in rows]

    def accept_cosigned(self, note_text: str, cosigner: CosignatureVerifier, anchor_path: Path) -> SignedNote:
        """Keep the platform's cosigned copy of one of this log's checkpoints as the new anchor.

        It must be a checkpoint this log signed (same text), carry this terminal's signature and the platform's
        cosignature, and be no smaller than the anchor it replaces; else :class:`AuditError` and the anchor
        stays as it was. The file is replaced atomically and durably."""
        try:
            note = SignedNote.parse(note_text)
            size = note.checkpoint().size
        except NoteError as exc:
            raise AuditError(f"the cosigned checkpoint is malformed: {exc}") from None
        row = self._conn.execute("SELECT note FROM checkpoint WHERE size = ?", (size,)).fetchone()
        if row is None or SignedNote.parse(str(row[0])).text != note.text:
            raise AuditError(f"the platform cosigned a checkpoint of {size} entries that this log did not sign")
        if not self.keys.signer.verifier.verifies(note):
            raise AuditError("the cosigned checkpoint does not carry this terminal's signature")
        if not cosigner.verifies(note):
            raise AuditError("the checkpoint carries no valid cosignature by the platform's key")
        previous = read_anchor(anchor_path)
        if previous is not None and previous.checkpoint().size > size:
            raise AuditError(f"the anchor already covers {previous.checkpoint().size} entries, more than {size}")
        write_atomic(anchor_path, str(note).encode())
        return note

    def stop(self) -> None:
        """The kiosk stops: record it (which signs the head) and close. Once only, however often called."""
        if self._closed:
            return
        try:
            self.record(AuditAction.KIOSK_STOP, KIOSK)
        finally:
            self.close()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._conn.close()


def read_anchor(path: Path) -> SignedNote | None:
    """The last platform-cosigned checkpoint, or ``None`` before the first sync."""
    try:
        return SignedNote.parse(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
