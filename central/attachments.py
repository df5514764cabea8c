"""Attachments (附件), content-addressed and resumable: sealed bytes stored in chunks in the database.

An upload's offset moves only by a compare-and-set ``UPDATE … WHERE upload_offset = N``, so two instances
(or two retries of one terminal) cannot both append at the same place. When the last byte arrives the whole
content is hashed; a mismatch throws the upload away so the terminal starts again cleanly. An attachment sent
whole in one request (the usual case: one chunk holds 256 KiB) is hashed as received and stored once,
already complete, without reading it back.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import Enum

from sqlalchemy import Connection, Engine, bindparam, delete, insert, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from central.clock import iso, utc_now
from central.db import reading
from central.schema import attachment_chunks, attachments


class UploadOutcome(Enum):
    PARTIAL = "partial"  # 202: more to come
    COMPLETE = "complete"  # 201: all bytes, hash verified
    CONFLICT = "conflict"  # 409: the offset is not where the platform is
    HASH_MISMATCH = "hash_mismatch"  # 422: content does not hash to its name; upload discarded
    TOO_LONG = "too_long"  # 422: more bytes than Upload-Length


@dataclass(frozen=True)
class UploadState:
    """Where an upload stands: bytes stored so far, the length announced, and whether it is verified."""

    offset: int
    length: int
    complete: bool


@dataclass(frozen=True)
class UploadResult:
    outcome: UploadOutcome
    state: UploadState


def _state(conn: Connection, sha256: str) -> UploadState | None:
    row = conn.execute(_STATE, {"sha256": sha256}).first()
    return None if row is None else UploadState(int(row[0]), int(row[1]), bool(row[2]))


def read_content(conn: Connection, sha256: str) -> bytes:
    rows = conn.execute(
        select(attachment_chunks.c.data).where(attachment_chunks.c.sha256 == sha256).order_by(attachment_chunks.c.start)
    )
    return b"".join(bytes(row[0]) for row in rows)


def _discard(conn: Connection, sha256: str) -> None:
    conn.execute(delete(attachment_chunks).where(attachment_chunks.c.sha256 == sha256))
    conn.execute(delete(attachments).where(attachments.c.sha256 == sha256))


@dataclass(frozen=True)
class AttachmentStore:
    """The platform's attachment shelf, shared by every instance through the database."""

    engine: Engine

    def state(self, sha256: str) -> UploadState | None:
        with reading(self.engine) as conn:
            return _state(conn, sha256)

    def append(self, sha256: str, offset: int, length: int, data: bytes) -> UploadResult:  # noqa: PLR0911
        """Add ``data`` at ``offset`` of an upload announced as ``length`` bytes long."""
        if offset == 0 and len(data) == length and hashlib.sha256(data).hexdigest() != sha256:
            # All of it in one request: hashed as it stands, and nothing stored when it is wrong.
            return UploadResult(UploadOutcome.HASH_MISMATCH, UploadState(0, length, False))
        with self.engine.begin() as conn:
            current = _state(conn, sha256)
            if current is not None and current.complete:
                # Content-addressed: the platform already holds exactly these bytes.
                return UploadResult(UploadOutcome.COMPLETE, current)
            if current is None:
                opened = self._open_upload(conn, sha256, offset, length, data)
                if isinstance(opened, UploadResult):
                    return opened
                current = opened
            if current.length != length or offset != current.offset:
                return UploadResult(UploadOutcome.CONFLICT, current)
            end = offset + len(data)
            if end > length:
                return UploadResult(UploadOutcome.TOO_LONG, current)
            moved = conn.execute(
                update(attachments)
                .where(attachments.c.sha256 == sha256, attachments.c.upload_offset == offset)
                .values(upload_offset=end)
            ).rowcount
            if moved != 1:
                return UploadResult(UploadOutcome.CONFLICT, _state(conn, sha256) or current)
            if data:
                conn.execute(insert(attachment_chunks).values(sha256=sha256, start=offset, data=data))
            if end < length:
                return UploadResult(UploadOutcome.PARTIAL, UploadState(end, length, False))
            if hashlib.sha256(read_content(conn, sha256)).hexdigest() != sha256:
                _discard(conn, sha256)
                return UploadResult(UploadOutcome.HASH_MISMATCH, UploadState(0, length, False))
            conn.execute(update(attachments).where(attachments.c.sha256 == sha256).values(complete=True))
            return UploadResult(UploadOutcome.COMPLETE, UploadState(end, length, True))

    def store_whole(self, sha256: str, data: bytes) -> bool:
        """Store a whole attachment at once (import from a drive); False if it does not hash to its name."""
        if hashlib.sha256(data).hexdigest() != sha256:
            return False
        with self.engine.begin() as conn:
            current = _state(conn, sha256)
            if current is not None and current.complete:
                return True
            if current is not None:
                _discard(conn, sha256)
            conn.execute(
                insert(attachments).values(
                    sha256=sha256,
                    upload_length=len(data),
                    upload_offset=len(data),
                    complete=True,
                    started_at=iso(utc_now()),
                )
            )
            conn.execute(insert(attachment_chunks).values(sha256=sha256, start=0, data=data))
        return True

    def store_verified_many(self, items: list[tuple[str, bytes]]) -> list[UploadOutcome]:
        """Many whole attachments in one transaction (one disk flush): COMPLETE when the platform now holds
        it, HASH_MISMATCH when the bytes do not hash to the name (nothing stored), CONFLICT when a resumable
        upload of it is under way (the terminal then goes on with that one)."""
        outcomes = [
            UploadOutcome.COMPLETE if hashlib.sha256(data).hexdigest() == sha256 else UploadOutcome.HASH_MISMATCH
            for sha256, data in items
        ]
        with self.engine.begin() as conn:
            for index, (sha256, data) in enumerate(items):
                if outcomes[index] is UploadOutcome.COMPLETE and self._store_verified(conn, sha256, data) is None:
                    outcomes[index] = UploadOutcome.CONFLICT
        return outcomes

    def _open_upload(
        self, conn: Connection, sha256: str, offset: int, length: int, data: bytes
    ) -> UploadState | UploadResult:
        """The first request of an upload: a whole one is stored at once, a first chunk opens its row."""
        if offset == 0 and len(data) == length:
            stored = self._store_verified(conn, sha256, data)
            return stored or _state(conn, sha256) or UploadState(0, length, False)
        if offset != 0:
            return UploadResult(UploadOutcome.CONFLICT, UploadState(0, length, False))
        if not self._start(conn, sha256, length):
            return UploadResult(UploadOutcome.CONFLICT, _state(conn, sha256) or UploadState(0, length, False))
        return UploadState(0, length, False)

    def _store_verified(self, conn: Connection, sha256: str, data: bytes) -> UploadResult | None:
        """Record a whole upload already hashed right, in one go (no read-back); None if another request
        has started the same upload meanwhile (the caller then goes on as with any chunk)."""
        if self._start(conn, sha256, len(data), complete=True):
            conn.execute(_CHUNK, {"sha256": sha256, "start": 0, "data": data})
            return UploadResult(UploadOutcome.COMPLETE, UploadState(len(data), len(data), True))
        current = _state(conn, sha256)
        if current is not None and current.complete:
            return UploadResult(UploadOutcome.COMPLETE, current)
        return None

    @staticmethod
    def _start(conn: Connection, sha256: str, length: int, *, complete: bool = False) -> bool:
        """Open an upload's row (or, ``complete``, record a whole verified one); False if another has it.

        ``ON CONFLICT DO NOTHING`` (SQLite and PostgreSQL alike) rather than a savepoint around a failing
        INSERT: the race is settled by the primary key all the same, in one statement.
        """
        values = {
            "sha256": sha256,
            "upload_length": length,
            "upload_offset": length if complete else 0,
            "complete": complete,
            "started_at": iso(utc_now()),
        }
        # RETURNING, not rowcount: psycopg reports -1 for an INSERT … ON CONFLICT that inserted nothing.
        return conn.execute(_START[conn.dialect.name], values).first() is not None


_START = {
    "sqlite": sqlite_insert(attachments).on_conflict_do_nothing(index_elements=["sha256"]).returning(
        attachments.c.sha256
    ),
    "postgresql": postgresql_insert(attachments).on_conflict_do_nothing(index_elements=["sha256"]).returning(
        attachments.c.sha256
    ),
}
_STATE = select(attachments.c.upload_offset, attachments.c.upload_length, attachments.c.complete).where(
    attachments.c.sha256 == bindparam("sha256")
)
_CHUNK = insert(attachment_chunks)
_CONTENT = (
    select(attachment_chunks.c.data)
    .where(attachment_chunks.c.sha256 == bindparam("sha256"))
    .order_by(attachment_chunks.c.start)
)
