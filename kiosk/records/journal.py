"""The print journal (打印日志): every receipt written down before it prints, so a case number is never lost
with the paper.

SQLite with WAL and ``synchronous=FULL``: :meth:`ReceiptJournal.record` returns only after a durable commit.
An entry moves ``pending → printed`` or ``pending → failed(reason)``; a failed entry can be reprinted (and
fail again). An entry still ``pending`` when the kiosk starts was interrupted (a crash, a power cut mid-print)
and is listed by :meth:`ReceiptJournal.unprinted` with the failed ones. Only masked data is stored: what
:class:`~kiosk.visit.receipt.ReceiptData` accepts.
"""

from __future__ import annotations

import enum
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from devices.base import DeviceError
from devices.printer.document import PrintDocument
from kiosk.records.local_db import Migration, open_local_db
from kiosk.records.receipt_layout import build_receipt
from kiosk.visit.receipt import ReceiptData

#: Version 1 (the release before versions wrote exactly this): the receipts and their print state.
_SCHEMA_V1 = """
CREATE TABLE IF NOT EXISTS receipts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    case_no     TEXT NOT NULL,
    kind        TEXT NOT NULL,
    data        TEXT NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('pending', 'printed', 'failed')),
    reason      TEXT NOT NULL DEFAULT '',
    attempts    INTEGER NOT NULL DEFAULT 0,
    created_at  REAL NOT NULL,
    updated_at  REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS receipts_unprinted ON receipts (state) WHERE state != 'printed';
"""
#: Entry ``n`` takes the file from version ``n`` to ``n + 1``; a schema change appends one entry.
MIGRATIONS: tuple[Migration, ...] = (_SCHEMA_V1,)


class PrintState(enum.Enum):
    PENDING = "pending"
    PRINTED = "printed"
    FAILED = "failed"


@dataclass(frozen=True)
class JournalEntry:
    """One receipt in the journal."""

    entry_id: int
    data: ReceiptData
    state: PrintState
    reason: str
    attempts: int
    created_at: float
    updated_at: float


class DocumentPrinter(Protocol):
    """Anything that prints a document and raises :class:`~devices.base.DeviceError` when it cannot."""

    def print_document(self, document: PrintDocument) -> object: ...


class UnknownEntryError(KeyError):
    """No journal entry has this id."""


class ReceiptJournal:
    """The durable list of receipts and whether each reached paper. Safe to share between threads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._db = open_local_db(path, MIGRATIONS)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    # ------------------------------------------------------------------ states
    def record(self, data: ReceiptData) -> int:
        """Write ``data`` down as ``pending``; durable when this returns. Returns the entry id."""
        now = time.time()
        with self._transaction() as db:
            cursor = db.execute(
                "INSERT INTO receipts (case_no, kind, data, state, created_at, updated_at) "
                "VALUES (?, ?, ?, 'pending', ?, ?)",
                (data.case_no, data.kind.value, data.to_json(), now, now),
            )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def mark_printed(self, entry_id: int) -> None:
        self._set_state(entry_id, PrintState.PRINTED, "")

    def mark_failed(self, entry_id: int, reason: str) -> None:
        self._set_state(entry_id, PrintState.FAILED, reason or "未知原因 / unknown reason")

    def _set_state(self, entry_id: int, state: PrintState, reason: str) -> None:
        with self._transaction() as db:
            cursor = db.execute(
                "UPDATE receipts SET state = ?, reason = ?, updated_at = ? WHERE id = ?",
                (state.value, reason, time.time(), entry_id),
            )
            if cursor.rowcount == 0:
                raise UnknownEntryError(entry_id)

    # ------------------------------------------------------------------ reading
    def entry(self, entry_id: int) -> JournalEntry:
        with self._lock:
            row = self._db.execute(
                "SELECT id, data, state, reason, attempts, created_at, updated_at FROM receipts WHERE id = ?",
                (entry_id,),
            ).fetchone()
        if row is None:
            raise UnknownEntryError(entry_id)
        return _entry(row)

    def unprinted(self) -> list[JournalEntry]:
        """Receipts that did not reach paper (failed, or interrupted while pending), oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT id, data, state, reason, attempts, created_at, updated_at FROM receipts "
                "WHERE state != 'printed' ORDER BY id"
            ).fetchall()
        return [_entry(row) for row in rows]

    # ------------------------------------------------------------------ printing
    def print_receipt(self, data: ReceiptData, printer: DocumentPrinter) -> JournalEntry:
        """Record, print, and note the outcome. Returns the entry; a failure is recorded, not raised."""
        return self._attempt(self.record(data), data, printer)

    def reprint(self, entry_id: int, printer: DocumentPrinter) -> JournalEntry:
        """Print an entry again (after paper is loaded, or after a crash); returns the entry as it is now."""
        return self._attempt(entry_id, self.entry(entry_id).data, printer)

    def _attempt(self, entry_id: int, data: ReceiptData, printer: DocumentPrinter) -> JournalEntry:
        with self._transaction() as db:
            db.execute(
                "UPDATE receipts SET attempts = attempts + 1, updated_at = ? WHERE id = ?", (time.time(), entry_id)
            )
        try:
            printer.print_document(build_receipt(data))
        except DeviceError as exc:
            self.mark_failed(entry_id, exc.message)
        else:
            self.mark_printed(entry_id)
        return self.entry(entry_id)


def _entry(row: tuple[int, str, str, str, int, float, float]) -> JournalEntry:
    entry_id, data, state, reason, attempts, created_at, updated_at = row
    return JournalEntry(
        entry_id, ReceiptData.from_json(data), PrintState(state), reason, attempts, created_at, updated_at
    )
