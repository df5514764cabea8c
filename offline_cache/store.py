"""The sealed outbox (离线待发箱): every saved submission stays on disk, sealed, until the platform has it.

``put`` seals the payload and attachments to the platform's key, writes the sealed attachment files
durably, then records the row, the sealed body and the attachment hashes in one transaction. It returns only
after that commit is on disk, so once a screen says "已保存 / saved" a power cut loses nothing. Rows never
change after that except their delivery state, which only moves forward:
``queued → sending (leased) → sent | retry | quarantined``.
"""

from __future__ import annotations

import errno
import hashlib
import json
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uuid_utils

from offline_cache.durable import fsync_dir, remove_quietly, write_atomic
from offline_cache.models import (
    Delivery,
    NewAttachment,
    OutboxEvent,
    OutboxItem,
    OutboxWriteError,
    StoredAttachment,
    UnknownSubmissionError,
)
from offline_cache.observers import ObserverList
from offline_cache.put_limits import check_before_sealing, check_body
from offline_cache.schema import PENDING_STATES, connect
from offline_cache.wire.protocol import Receipt, SubmissionSummary
from offline_cache.wire.sealing import Sealer
from offline_cache.wire.submission_body import submission_body

DB_NAME = "outbox.sqlite3"
ATTACHMENT_DIR = "attachments"
#: Files younger than this are never swept as orphans: another process may be about to commit them.
ORPHAN_GRACE_SECONDS = 3600.0

_ITEM_COLUMNS = (
    "id, service_code, service_name, applicant_masked, created_at, state, attempts, queued_at, "
    "next_attempt_at, last_error, case_no, acked_at, acked_via, "
    "NOT EXISTS (SELECT 1 FROM sealed_body b WHERE b.seq = submission.seq)"
)


_INSERT_SUBMISSION = (
    "INSERT INTO submission_put (id, service_code, service_name, applicant_masked, created_at, "
    "queued_at, body) VALUES (?, ?, ?, ?, ?, ?, ?)"
)
#: Values bound in one ``IN (…)``.
_IDS_PER_STATEMENT = 500
#: Receipts recorded by one statement: ``?1`` the receipts as a JSON array of [id, case number, received at],
#: ``?2`` the time, ``?3`` how they came, ``?4`` whether an unsent row that is not leased may be settled.
_SETTLE_SENT = (
    "UPDATE submission SET state = 'sent', case_no = json_extract(r.value, '$[1]'), "
    "received_at = json_extract(r.value, '$[2]'), acked_at = ?2, acked_via = ?3, lease_expires_at = NULL, "
    "last_error = NULL, error_kind = NULL FROM json_each(?1) AS r "
    "WHERE submission.id = json_extract(r.value, '$[0]') "
    "AND (submission.state = 'sending' OR (?4 AND submission.state IN ('queued', 'retry'))) "
    "RETURNING submission.id"
)


def _write_error(folder: Path, exc: BaseException) -> OutboxWriteError:
    text = str(exc).lower()
    full = isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT)
    if full or "full" in text:
        return OutboxWriteError(
            f"无法保存：存储空间已满 / Cannot save: storage is full (free space in {folder}); nothing was saved"
        )
    return OutboxWriteError(
        f"无法保存：存储写入失败 / Cannot save: storage write failed ({exc}); check the disk holding {folder}"
    )


class Outbox:
    """The outbox in one folder: ``outbox.sqlite3`` plus ``attachments/<sha256>.bin`` (sealed bytes only).

    One instance holds one SQLite connection; it may be shared between threads (calls are serialised), and
    the sync worker opens its own instance on the same folder.
    """

    def __init__(self, folder: Path, *, terminal_id: str, sealer: Sealer | None = None) -> None:
        self.folder = folder
        self.terminal_id = terminal_id
        self.sealer = sealer
        self.attachment_dir = folder / ATTACHMENT_DIR
        self.attachment_dir.mkdir(parents=True, exist_ok=True)
        self.events: ObserverList[OutboxEvent] = ObserverList()
        self._lock = threading.RLock()
        self._conn = connect(folder / DB_NAME)

    def close(self) -> None:
        if self.sealer is not None:
            self.sealer.forget()
        with self._lock:
            self._conn.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    # -- saving ---------------------------------------------------------------------------------------

    def put(self, payload: bytes, summary: SubmissionSummary, attachments: Sequence[NewAttachment] = ()) -> str:
        """Seal and durably save one submission; returns its id (a UUIDv7, its idempotency key forever)."""
        if self.sealer is None:
            raise OutboxWriteError("cannot save: the platform public key is not configured (platform.public_key)")
        # What the platform would refuse is refused here, before anything is written (offline_cache.put_limits).
        check_before_sealing(self.terminal_id, summary, payload, [len(a.data) for a in attachments])
        submission_id = str(uuid_utils.uuid7())
        blob, sealed = self.sealer.seal(
            submission_id, payload, [a.data for a in attachments], terminal_id=self.terminal_id
        )
        refs: list[dict[str, object]] = [
            {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data), "media_type": attachment.media_type}
            for data, attachment in zip(sealed, attachments, strict=True)
        ]
        body = submission_body(submission_id, self.terminal_id, summary, blob, refs)
        check_body(body)
        written: list[Path] = []
        try:
            for data, ref in zip(sealed, refs, strict=True):
                path = self.attachment_dir / f"{ref['sha256']}.bin"
                write_atomic(path, data, sync_dir=False)
                written.append(path)
            if written:
                fsync_dir(self.attachment_dir)
            self._insert(submission_id, summary, body, refs)
        except (OSError, sqlite3.Error) as exc:
            for path in written:
                remove_quietly(path)
            raise _write_error(self.folder, exc) from exc
        self.events.notify(OutboxEvent("queued", submission_id))
        return submission_id

    def _insert(
        self, submission_id: str, summary: SubmissionSummary, body: bytes, refs: list[dict[str, object]]
    ) -> None:
        row = (
            submission_id,
            summary.service_code,
            summary.service_name,
            summary.applicant_masked,
            summary.created_at,
            time.time(),
            body,
        )
        if not refs:
            # One statement is its own transaction (autocommit): no BEGIN/COMMIT round trips for a lone row.
            with self._lock:
                self._conn.execute(_INSERT_SUBMISSION, row)
            return
        with self._write() as conn:
            conn.execute(_INSERT_SUBMISSION, row)
            conn.executemany(
                "INSERT INTO attachment (submission_id, idx, sha256, size, media_type) VALUES (?, ?, ?, ?, ?)",
                [(submission_id, idx, ref["sha256"], ref["size"], ref["media_type"]) for idx, ref in enumerate(refs)],
            )

    # -- the sync worker's side -------------------------------------------------------------------------

    def recover_leases(self) -> int:
        """Return every lease left by a crashed or killed worker to ``queued``; the worker calls it first."""
        with self._write() as conn:
            return conn.execute(
                "UPDATE submission SET state = 'queued', lease_expires_at = NULL WHERE state = 'sending'"
            ).rowcount

    def claim(
        self, limit: int, lease_seconds: float = 120.0, now: float | None = None, due_by: float | None = None
    ) -> list[Delivery]:
        """Lease up to ``limit`` due submissions, oldest first (an expired lease counts as due).

        ``due_by``: only waits that ended by then count (default ``now``): a sync pass gives its start, so an
        item it has just tried and put back to wait is not tried again within the same pass.
        """
        now = time.time() if now is None else now
        due_by = now if due_by is None else due_by
        with self._write() as conn:
            # A few statements for the whole chunk, not one per row: between statements the sync worker's
            # sending threads take the interpreter, and a hundred of them made leasing slower than sending.
            rows = sorted(
                conn.execute(
                    "UPDATE submission SET state = 'sending', lease_expires_at = ?, attempts = attempts + 1 "
                    "WHERE seq IN (SELECT seq FROM submission WHERE state IN ('queued', 'sending', 'retry') "
                    "AND ((state != 'sending' AND next_attempt_at <= ?) "
                    "OR (state = 'sending' AND lease_expires_at < ?)) ORDER BY seq LIMIT ?) "
                    "RETURNING seq, id, attempts",
                    (now + lease_seconds, due_by, now, limit),
                ).fetchall()
            )
            bodies = dict(_each_in(conn, "SELECT seq, body FROM sealed_body WHERE seq IN ({})", [r[0] for r in rows]))
            attached = self._attachments(conn, [row[1] for row in rows])
        return [Delivery(id_, bytes(bodies[seq]), attached.get(id_, ()), attempts) for seq, id_, attempts in rows]

    def _attachments(
        self, conn: sqlite3.Connection, submission_ids: Sequence[str]
    ) -> dict[str, tuple[StoredAttachment, ...]]:
        """Each submission's attachments in their order (a submission without any is not in the answer)."""
        found: dict[str, list[StoredAttachment]] = {}
        query = "SELECT submission_id, sha256, size, media_type FROM attachment WHERE submission_id IN ({})"
        for submission_id, sha, size, media_type in _each_in(conn, query + " ORDER BY idx", submission_ids):
            found.setdefault(submission_id, []).append(
                StoredAttachment(sha, size, media_type, self.attachment_dir / f"{sha}.bin")
            )
        return {submission_id: tuple(refs) for submission_id, refs in found.items()}

    def mark_sent(self, submission_id: str, receipt: Receipt, via: str = "online") -> bool:
        """Record the platform's receipt for one item; a receipt file (``via="receipt"``) may settle any
        unsent item, an online answer only the item it leased."""
        return bool(self.settle(sent=[(submission_id, receipt)], via=via))

    def settle(
        self,
        *,
        sent: Sequence[tuple[str, Receipt]] = (),
        retry: Sequence[tuple[str, float, str, str]] = (),
        quarantined: Sequence[tuple[str, str]] = (),
        released: Sequence[str] = (),
        via: str = "online",
    ) -> int:
        """Record many delivery results in one durable commit; returns how many items were marked sent.

        ``retry`` holds (id, delay seconds, error, kind ``network``/``server``); ``released`` gives leases
        back untried (sync paused), without counting the attempt. Only leased rows move (a receipt file may
        settle any unsent row), so a late answer never moves an item backwards.
        """
        now = time.time()
        any_unsent = via != "online"
        events = []
        with self._write() as conn:
            if sent:
                # One statement for every receipt (a statement each let the sending threads in between rows).
                receipts = json.dumps([[i, r.case_no, r.received_at] for i, r in sent], ensure_ascii=False)
                moved = {row[0] for row in conn.execute(_SETTLE_SENT, (receipts, now, via, any_unsent))}
                for submission_id, receipt in sent:
                    if submission_id in moved:
                        moved.discard(submission_id)  # a receipt given twice is one event
                        events.append(OutboxEvent("sent", submission_id, receipt.case_no))
            for submission_id, delay, error, kind in retry:
                if conn.execute(
                    "UPDATE submission SET state = 'retry', next_attempt_at = ?, last_error = ?, "
                    "error_kind = ?, lease_expires_at = NULL WHERE id = ? AND state = 'sending'",
                    (now + delay, error, kind, submission_id),
                ).rowcount:
                    events.append(OutboxEvent("retry", submission_id, error))
            for submission_id, reason in quarantined:
                if conn.execute(
                    "UPDATE submission SET state = 'quarantined', last_error = ?, error_kind = 'refused', "
                    "lease_expires_at = NULL WHERE id = ? AND state = 'sending'",
                    (reason, submission_id),
                ).rowcount:
                    events.append(OutboxEvent("quarantined", submission_id, reason))
            for submission_id in released:
                conn.execute(
                    "UPDATE submission SET state = 'queued', attempts = max(attempts - 1, 0), "
                    "lease_expires_at = NULL WHERE id = ? AND state = 'sending'",
                    (submission_id,),
                )
        for event in events:
            self.events.notify(event)
        return sum(1 for event in events if event.kind == "sent")

    def wake_network_retries(self) -> int:
        """The network is back: items waiting only because it was down become due now."""
        with self._write() as conn:
            return conn.execute(
                "UPDATE submission SET next_attempt_at = 0 WHERE state = 'retry' AND error_kind = 'network'"
            ).rowcount

    def requeue(self, submission_id: str) -> str:
        """The technician's "try again now" for a waiting or quarantined item; returns its new state."""
        with self._write() as conn:
            row = conn.execute("SELECT state FROM submission WHERE id = ?", (submission_id,)).fetchone()
            if row is None:
                raise UnknownSubmissionError(f"no submission {submission_id} in the outbox")
            if row[0] in ("retry", "quarantined", "queued"):
                conn.execute(
                    "UPDATE submission SET state = 'queued', next_attempt_at = 0 WHERE id = ?",
                    (submission_id,),
                )
                return "queued"
            return str(row[0])

    # -- reading ------------------------------------------------------------------------------------------

    def item(self, submission_id: str) -> OutboxItem:
        with self._lock:
            row = self._conn.execute(
                f"SELECT {_ITEM_COLUMNS} FROM submission WHERE id = ?",  # noqa: S608 (fixed column list)
                (submission_id,),
            ).fetchone()
        if row is None:
            raise UnknownSubmissionError(f"no submission {submission_id} in the outbox")
        return _item(row)

    def items(self, states: Sequence[str] = (), limit: int = 1000) -> list[OutboxItem]:
        """Submissions newest first, optionally only in the given states."""
        where = f"WHERE state IN ({','.join('?' * len(states))})" if states else ""
        with self._lock:
            rows = self._conn.execute(
                f"SELECT {_ITEM_COLUMNS} FROM submission {where} ORDER BY seq DESC LIMIT ?",  # noqa: S608
                (*states, limit),
            ).fetchall()
        return [_item(row) for row in rows]

    def counts(self) -> dict[str, int]:
        with self._lock:
            return dict(self._conn.execute("SELECT state, count(*) FROM submission GROUP BY state").fetchall())

    def oldest_pending_queued_at(self) -> float | None:
        marks = ",".join("?" * len(PENDING_STATES))
        with self._lock:
            row = self._conn.execute(
                f"SELECT min(queued_at) FROM submission WHERE state IN ({marks})",  # noqa: S608
                PENDING_STATES,
            ).fetchone()
        return None if row[0] is None else float(row[0])

    def next_due_at(self) -> float | None:
        """When the earliest waiting item becomes due (None: nothing waits)."""
        with self._lock:
            row = self._conn.execute(
                "SELECT min(CASE WHEN state = 'sending' THEN lease_expires_at ELSE next_attempt_at END) "
                "FROM submission WHERE state IN ('queued', 'retry', 'sending')"
            ).fetchone()
        return None if row[0] is None else float(row[0])

    def sealed_body(self, submission_id: str) -> bytes | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT b.body FROM sealed_body b JOIN submission s ON s.seq = b.seq WHERE s.id = ?", (submission_id,)
            ).fetchone()
        return None if row is None or row[0] is None else bytes(row[0])

    def attachments_of(self, submission_id: str) -> tuple[StoredAttachment, ...]:
        with self._lock:
            return self._attachments(self._conn, [submission_id]).get(submission_id, ())

    def data_version(self) -> int:
        """Changes whenever another connection (another process's ``put``) commits to the outbox."""
        with self._lock:
            return int(self._conn.execute("PRAGMA data_version").fetchone()[0])

    def integrity_ok(self) -> bool:
        with self._lock:
            return bool(self._conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok")

    # -- status notes (last success, last error, pause) ----------------------------------------------------

    def set_meta(self, values: dict[str, str | None]) -> None:
        with self._write() as conn:
            for key, value in values.items():
                if value is None:
                    conn.execute("DELETE FROM meta WHERE key = ?", (key,))
                else:
                    conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def meta(self) -> dict[str, str]:
        with self._lock:
            return dict(self._conn.execute("SELECT key, value FROM meta").fetchall())

    # -- retention -------------------------------------------------------------------------------------------

    def purge(self, retention_days: float = 7.0, now: float | None = None) -> int:
        """Drop sealed bodies and files of items acknowledged ``retention_days`` ago; keep the summaries."""
        cutoff = (time.time() if now is None else now) - retention_days * 86400.0
        with self._write() as conn:
            purged = conn.execute(
                "SELECT s.seq, s.id FROM submission s JOIN sealed_body b ON b.seq = s.seq "
                "WHERE s.state = 'sent' AND s.acked_at < ?",
                (cutoff,),
            ).fetchall()
            attached = self._attachments(conn, [submission_id for _, submission_id in purged])
            files = [ref.path for refs in attached.values() for ref in refs]
            conn.executemany("DELETE FROM sealed_body WHERE seq = ?", [(seq,) for seq, _ in purged])
        # Files go after the commit: a crash in between leaves orphans, which the sweep removes.
        for path in files:
            remove_quietly(path)
        return len(purged)

    def sweep_orphans(self, now: float | None = None) -> int:
        """Remove sealed files no live row names (left by a crash between file write and commit)."""
        now = time.time() if now is None else now
        with self._lock:
            live = {
                row[0]
                for row in self._conn.execute(
                    "SELECT a.sha256 FROM attachment a JOIN submission s ON s.id = a.submission_id "
                    "JOIN sealed_body b ON b.seq = s.seq"
                )
            }
        removed = 0
        for path in self.attachment_dir.iterdir():
            if path.name.removesuffix(".bin") in live:
                continue
            try:
                if now - path.stat().st_mtime < ORPHAN_GRACE_SECONDS:
                    continue
            except FileNotFoundError:
                continue
            remove_quietly(path)
            removed += 1
        return removed


def _item(row: tuple[object, ...]) -> OutboxItem:
    (sid, code, name, masked, created, state, attempts, queued, due, error, case_no, acked, via, purged) = row
    return OutboxItem(
        id=str(sid),
        summary=SubmissionSummary(str(code), str(name), str(masked), str(created)),
        state=state,  # type: ignore[arg-type]
        attempts=int(attempts),  # type: ignore[call-overload]
        queued_at=float(queued),  # type: ignore[arg-type]
        next_attempt_at=float(due),  # type: ignore[arg-type]
        last_error=None if error is None else str(error),
        case_no=None if case_no is None else str(case_no),
        acked_at=None if acked is None else float(acked),  # type: ignore[arg-type]
        acked_via=None if via is None else str(via),
        purged=bool(purged),
    )


def _each_in(conn: sqlite3.Connection, query: str, values: Sequence[object]) -> Iterator[tuple[Any, ...]]:
    """The rows of ``query`` for ``values``, its ``{}`` filled with their placeholders, a few hundred at a time
    (well under SQLite's limit on a statement's parameters)."""
    for start in range(0, len(values), _IDS_PER_STATEMENT):
        some = values[start : start + _IDS_PER_STATEMENT]
        yield from conn.execute(query.format(",".join("?" * len(some))), some)
