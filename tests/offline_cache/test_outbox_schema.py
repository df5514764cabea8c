"""The outbox's schema version: a file from the release before versions is adopted and still delivers; a file
from a newer release is refused, untouched."""

from __future__ import annotations

import hashlib
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import uuid_utils
from offline_cache_support import SUMMARY, TERMINAL, Platform

from offline_cache.models import NewAttachment
from offline_cache.schema import MIGRATIONS
from offline_cache.sqlite_versions import SchemaTooNewError, statements
from offline_cache.store import ATTACHMENT_DIR, DB_NAME, Outbox
from offline_cache.sync import SyncEngine
from offline_cache.wire.sealing import Sealer
from offline_cache.wire.submission_body import submission_body

MakeEngine = Callable[..., SyncEngine]

#: The outbox's tables as the release before schema versions wrote them (eaf8770:offline_cache/schema.py),
#: kept verbatim: the upgrade must keep working from this exact file whatever the schema becomes.
PREVIOUS_RELEASE_SCHEMA = """
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


def previous_release_outbox(folder: Path, sealer: Sealer, scan: bytes) -> str:
    """An outbox folder as the previous release left it: one queued submission with one sealed attachment."""
    (folder / ATTACHMENT_DIR).mkdir(parents=True)
    conn = sqlite3.connect(folder / DB_NAME, isolation_level=None)
    conn.execute("PRAGMA page_size=1024")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.executescript(PREVIOUS_RELEASE_SCHEMA)
    submission_id = str(uuid_utils.uuid7())
    blob, (sealed,) = sealer.seal(submission_id, b'{"service_code": "GA-001"}', [scan])
    digest = hashlib.sha256(sealed).hexdigest()
    (folder / ATTACHMENT_DIR / f"{digest}.bin").write_bytes(sealed)
    refs: list[dict[str, object]] = [{"sha256": digest, "size": len(sealed), "media_type": "image/jpeg"}]
    body = submission_body(submission_id, TERMINAL, SUMMARY, blob, refs)
    conn.execute(
        "INSERT INTO submission (id, service_code, service_name, applicant_masked, created_at, queued_at, state, "
        "body) VALUES (?, ?, ?, ?, ?, ?, 'queued', ?)",
        (
            submission_id,
            SUMMARY.service_code,
            SUMMARY.service_name,
            SUMMARY.applicant_masked,
            SUMMARY.created_at,
            time.time(),
            body,
        ),
    )
    conn.execute(
        "INSERT INTO attachment (submission_id, idx, sha256, size, media_type) VALUES (?, 0, ?, ?, 'image/jpeg')",
        (submission_id, digest, len(sealed)),
    )
    conn.close()
    return submission_id


def user_version(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


def test_an_outbox_from_the_previous_release_is_adopted_and_still_delivers(
    platform: Platform, tmp_path: Path, make_engine: MakeEngine
) -> None:
    folder = tmp_path / "outbox"
    queued = previous_release_outbox(folder, platform.sealer(), b"scan" * 2000)
    assert user_version(folder / DB_NAME) == 0

    box = Outbox(folder, terminal_id=TERMINAL, sealer=platform.sealer())
    try:
        assert user_version(folder / DB_NAME) == len(MIGRATIONS)
        assert box.item(queued).state == "queued"
        assert box.integrity_ok()
        fresh = box.put(b"{}", SUMMARY, [NewAttachment(b"photo" * 100, "image/jpeg")])
        assert make_engine(platform.link()).run_once().sent == 2
        for submission_id in (queued, fresh):
            item = box.item(submission_id)
            assert item.state == "sent"
            assert item.case_no
            assert platform.copies(submission_id) == 1
    finally:
        box.close()


def test_a_version_1_outbox_keeps_its_bodies_and_its_purges_in_the_sealed_body_table(tmp_path: Path) -> None:
    from offline_cache.sqlite_versions import migrate

    folder = tmp_path / "outbox"
    folder.mkdir()
    conn = sqlite3.connect(folder / DB_NAME, isolation_level=None)
    migrate(conn, folder / DB_NAME, MIGRATIONS[:1])
    rows = {"queued": b"queued-body", "sent": b"sent-body", "purged": None}
    for name, body in rows.items():
        state = "queued" if name == "queued" else "sent"
        conn.execute(
            "INSERT INTO submission (id, service_code, service_name, applicant_masked, created_at, queued_at, "
            "state, acked_at, body) VALUES (?, 'GA-001', 'x', 'x', '2026-01-01', 0, ?, ?, ?)",
            (name, state, None if state == "queued" else 1.0, body),
        )
    conn.close()

    box = Outbox(folder, terminal_id=TERMINAL)
    try:
        assert user_version(folder / DB_NAME) == len(MIGRATIONS)
        assert box.sealed_body("queued") == b"queued-body"
        assert box.sealed_body("sent") == b"sent-body"
        assert box.sealed_body("purged") is None
        assert [box.item(name).purged for name in rows] == [False, False, True]
        assert box.integrity_ok()
        assert box.purge(retention_days=0) == 1  # the sent body goes; the queued one stays
        assert box.sealed_body("sent") is None
        assert box.sealed_body("queued") == b"queued-body"
        assert [d.id for d in box.claim(10)] == ["queued"]
    finally:
        box.close()


def test_a_new_outbox_is_created_at_the_current_version(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "outbox", terminal_id=TERMINAL)
    box.close()
    assert user_version(tmp_path / "outbox" / DB_NAME) == len(MIGRATIONS)
    again = Outbox(tmp_path / "outbox", terminal_id=TERMINAL)
    again.close()
    assert user_version(tmp_path / "outbox" / DB_NAME) == len(MIGRATIONS)


def test_an_outbox_from_a_newer_release_is_refused_and_left_untouched(tmp_path: Path) -> None:
    folder = tmp_path / "outbox"
    Outbox(folder, terminal_id=TERMINAL).close()
    newer = len(MIGRATIONS) + 1
    conn = sqlite3.connect(folder / DB_NAME)
    conn.execute(f"PRAGMA user_version = {newer}")
    conn.execute("CREATE TABLE from_the_future (x)")
    conn.commit()
    conn.close()

    with pytest.raises(SchemaTooNewError) as refused:
        Outbox(folder, terminal_id=TERMINAL)
    message = str(refused.value)
    assert str(folder / DB_NAME) in message
    assert f"schema version {newer}" in message
    assert "newer release" in message
    assert user_version(folder / DB_NAME) == newer


def test_a_failed_upgrade_step_leaves_the_file_as_it_was(tmp_path: Path) -> None:
    from offline_cache.sqlite_versions import migrate

    path = tmp_path / "book.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, path, ["CREATE TABLE a (x INTEGER);"])
    conn.execute("INSERT INTO a VALUES (1)")
    broken = ["CREATE TABLE a (x INTEGER);", "ALTER TABLE a ADD COLUMN y TEXT; UPDATE no_such_table SET z = 1;"]
    with pytest.raises(sqlite3.OperationalError):
        migrate(conn, path, broken)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    assert [row[1] for row in conn.execute("PRAGMA table_info(a)")] == ["x"]
    assert conn.execute("SELECT x FROM a").fetchall() == [(1,)]
    conn.close()


def test_statements_keep_a_trigger_whole() -> None:
    split = statements(PREVIOUS_RELEASE_SCHEMA)
    assert len(split) == 7
    assert split[-1].startswith("CREATE TRIGGER IF NOT EXISTS attachment_immutable")
    assert split[-1].endswith("END;")
