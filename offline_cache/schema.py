"""The outbox's tables: one row per submission (申请) with its masked summary and state, and its sealed body.

Triggers refuse any change to what was saved; the only change allowed to the sealed body (its own table,
``sealed_body``) is the retention purge deleting it once the item is sent. Attachment addresses live in
``attachment``. Two small indexes keep a ``put`` to a few pages of WAL. ``meta`` holds the last success, the
last error and the pause flag for the status screen.

The file's schema version is ``PRAGMA user_version``, upgraded at open by :data:`MIGRATIONS` (see
:mod:`offline_cache.sqlite_versions`); a file from a newer release is refused, never used.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from offline_cache.sqlite_versions import Migration, migrate

STATES = ("queued", "sending", "sent", "retry", "quarantined")
PENDING_STATES = ("queued", "sending", "retry")

#: Version 1: the outbox as first versioned; the release before versions wrote exactly these tables.
SCHEMA = """
CREATE TABLE IF NOT EXISTS submission (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    service_code TEXT NOT NULL,
    service_name TEXT NOT NULL,
    applicant_masked TEXT NOT NULL,
    created_at TEXT NOT NULL,
    queued_at REAL NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'sent', 'retry', 'quarantined')),
    attempts INTEGER NOT NULL DEFAULT 0,
    lease_expires_at REAL,
    next_attempt_at REAL NOT NULL DEFAULT 0,
    error_kind TEXT,
    last_error TEXT,
    case_no TEXT,
    received_at TEXT,
    acked_at REAL,
    acked_via TEXT,
    body BLOB
);
CREATE INDEX IF NOT EXISTS submission_pending ON submission (seq)
WHERE state IN ('queued', 'sending', 'retry');
CREATE TABLE IF NOT EXISTS attachment (
    submission_id TEXT NOT NULL,
    idx INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    media_type TEXT NOT NULL,
    PRIMARY KEY (submission_id, idx)
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TRIGGER IF NOT EXISTS submission_immutable
BEFORE UPDATE OF id, service_code, service_name, applicant_masked, created_at, queued_at ON submission
BEGIN SELECT RAISE(ABORT, 'a queued submission is immutable'); END;
CREATE TRIGGER IF NOT EXISTS submission_body_immutable BEFORE UPDATE OF body ON submission
WHEN NEW.body IS NOT NULL OR OLD.state != 'sent'
BEGIN SELECT RAISE(ABORT, 'a queued submission is immutable (only a sent one may be purged)'); END;
CREATE TRIGGER IF NOT EXISTS attachment_immutable BEFORE UPDATE ON attachment
BEGIN SELECT RAISE(ABORT, 'a queued submission is immutable'); END;
"""

#: Version 2: the sealed body in a table of its own, keyed by its submission's ``seq``. A delivery changes a
#: row's state twice (leased, then sent or retried) and SQLite writes a changed row whole: with the body in
#: it, leasing and settling a hundred 2 KB items wrote ≈ 1.2 MB of WAL (and a checkpoint after nearly every
#: batch) instead of ≈ 45 KB. The purge deletes a body; only a sent item's may go. A ``put`` inserts into the
#: view ``submission_put``, whose trigger writes the row and its body: still one statement in autocommit.
SEALED_BODY = """
CREATE TABLE sealed_body (seq INTEGER PRIMARY KEY, body BLOB NOT NULL);
INSERT INTO sealed_body (seq, body) SELECT seq, body FROM submission WHERE body IS NOT NULL;
DROP TRIGGER submission_body_immutable;
ALTER TABLE submission DROP COLUMN body;
CREATE TRIGGER sealed_body_immutable BEFORE UPDATE ON sealed_body
BEGIN SELECT RAISE(ABORT, 'a queued submission is immutable'); END;
CREATE TRIGGER sealed_body_kept BEFORE DELETE ON sealed_body
WHEN (SELECT state FROM submission WHERE seq = OLD.seq) IS NOT 'sent'
BEGIN SELECT RAISE(ABORT, 'a queued submission is immutable (only a sent one may be purged)'); END;
CREATE VIEW submission_put AS
SELECT s.id, s.service_code, s.service_name, s.applicant_masked, s.created_at, s.queued_at, b.body
FROM submission s JOIN sealed_body b ON b.seq = s.seq;
CREATE TRIGGER submission_put_row INSTEAD OF INSERT ON submission_put
BEGIN
INSERT INTO submission (id, service_code, service_name, applicant_masked, created_at, queued_at, state)
VALUES (NEW.id, NEW.service_code, NEW.service_name, NEW.applicant_masked, NEW.created_at, NEW.queued_at, 'queued');
INSERT INTO sealed_body (seq, body) VALUES (last_insert_rowid(), NEW.body);
END;
"""

#: Entry ``n`` takes the file from version ``n`` to ``n + 1``; a schema change appends one entry.
MIGRATIONS: tuple[Migration, ...] = (SCHEMA, SEALED_BODY)


def connect(path: Path) -> sqlite3.Connection:
    """Open the outbox database: WAL, ``synchronous=FULL`` (a commit is on disk when it returns).

    The schema is brought to this release's version in one transaction; raises
    :class:`~offline_cache.sqlite_versions.SchemaTooNewError` (the file untouched) for a newer release's file.
    """
    conn = sqlite3.connect(path, timeout=30.0, isolation_level=None, check_same_thread=False)
    # Set before the first table exists (a later change needs a VACUUM). Every commit copies each page it
    # touched into the WAL and flushes it: a put touches table, overflow and two index pages, and with 1 KB
    # pages that is ≈ 8.6 KB flushed per put instead of ≈ 21 KB with SQLite's default 4 KB (measured).
    conn.execute("PRAGMA page_size=1024")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=30000")
    # SQLite's default, said aloud: a WAL that stops growing at ~1 MB is rewritten in place, and a flush
    # of a file that does not grow costs no file-system journal commit (measured: bench/outbox.py).
    conn.execute("PRAGMA wal_autocheckpoint=1000")
    try:
        migrate(conn, path, MIGRATIONS)
    except BaseException:
        conn.close()
        raise
    return conn
