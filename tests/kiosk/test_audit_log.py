"""The audit log as a supervisor checks it: every way of changing the file on disk is named by ``verify``, and an
honest log is always whole.

Each tamper below is done as someone with the file but not the terminal's key would do it: with SQLite, after
dropping the append-only triggers. The platform's cosignature is made with the real cosigning code.
"""

from __future__ import annotations

import shutil
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.paths import TerminalPaths
from kiosk.records.audit import (
    TECHNICIAN,
    AuditAction,
    AuditError,
    AuditLog,
    Resident,
)
from kiosk.records.audit_verify import AuditReport, verify_log
from offline_cache.wire.checkpoint import PLATFORM_COSIGNER_NAME, Cosigner, NoteSigner, SignedNote, audit_origin
from offline_cache.wire.protocol import canonical_json

TERMINAL = "T-0001"
EVERY = 50
PLATFORM = Cosigner(PLATFORM_COSIGNER_NAME, Ed25519PrivateKey.generate())


@pytest.fixture
def paths(tmp_path: Path) -> TerminalPaths:
    return TerminalPaths(tmp_path / "terminal").ensure()


def _open(paths: TerminalPaths) -> AuditLog:
    return AuditLog(paths.audit, paths.audit_key, TERMINAL, checkpoint_every=EVERY)


def _fill(paths: TerminalPaths, count: int) -> None:
    log = _open(paths)
    try:
        for n in range(count):
            staff = f"S{n % 3:02d}"
            log.record(AuditAction.CASE_EDITED, staff, case=f"C-{n}", detail={"field": "address"})
    finally:
        log.close()


def _verify(paths: TerminalPaths) -> AuditReport:
    return verify_log(
        paths.audit, paths.audit_key, TERMINAL, anchor_path=paths.audit_anchor, cosigner=PLATFORM.verifier
    )


@pytest.fixture
def tamper(paths: TerminalPaths) -> Iterator[sqlite3.Connection]:
    """The log of 120 entries, open in SQLite with its append-only triggers dropped."""
    _fill(paths, 120)
    conn = sqlite3.connect(paths.audit, isolation_level=None)
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        conn.execute(f"DROP TRIGGER {name}")
    yield conn
    conn.close()


def _sync(paths: TerminalPaths) -> SignedNote:
    """What a sync does on the terminal's side: sign the head, have the platform cosign it, keep the anchor."""
    log = _open(paths)
    try:
        cosigned = PLATFORM.cosign(log.checkpoint(), 1_764_000_000)
        return log.accept_cosigned(str(cosigned), PLATFORM.verifier, paths.audit_anchor)
    finally:
        log.close()


def _entry(conn: sqlite3.Connection, idx: int) -> dict[str, object]:
    return dict(orjson.loads(conn.execute("SELECT body FROM entry WHERE idx = ?", (idx,)).fetchone()[0]))


def test_an_honest_log_is_whole_across_reopenings_and_checkpoints(paths: TerminalPaths) -> None:
    _fill(paths, 120)
    _fill(paths, 31)
    log = _open(paths)
    log.record(AuditAction.STAFF_LOGOUT, "S01")  # signs at once
    log.close()
    report = _verify(paths)
    assert report.problems == []
    assert report.entries == 152 and report.checkpoints == 4 and report.last_checkpoint == 152
    assert stat.S_IMODE(paths.audit_key.stat().st_mode) == 0o600


def test_an_edited_entry_is_named(paths: TerminalPaths, tamper: sqlite3.Connection) -> None:
    entry = _entry(tamper, 17)
    entry["who"] = "S99"
    tamper.execute("UPDATE entry SET body = ? WHERE idx = 17", (canonical_json(entry),))
    problems = _verify(paths).problems
    assert "entry 17 does not match its seal (changed, or forged without the key)" in problems
    assert any("root signed at 50 entries and 1 later one(s)" in p for p in problems)


def test_a_deleted_entry_is_named(paths: TerminalPaths, tamper: sqlite3.Connection) -> None:
    tamper.execute("DELETE FROM entry WHERE idx = 60")
    problems = _verify(paths).problems
    assert "entries 60 to 60 are missing (removed)" in problems
    assert any("the head names 120 entries but the log holds 119" in p for p in problems)


def test_two_swapped_entries_are_named(paths: TerminalPaths, tamper: sqlite3.Connection) -> None:
    rows = {i: tamper.execute("SELECT body, seal FROM entry WHERE idx = ?", (i,)).fetchone() for i in (30, 31)}
    for i, j in ((30, 31), (31, 30)):
        tamper.execute("UPDATE entry SET body = ?, seal = ? WHERE idx = ?", (*rows[j], i))
    problems = _verify(paths).problems
    assert "entry 30 holds entry 31 (moved or swapped)" in problems
    assert "entry 31 holds entry 30 (moved or swapped)" in problems


def test_a_cut_tail_is_found_by_the_head_and_the_checkpoints(paths: TerminalPaths, tamper: sqlite3.Connection) -> None:
    tamper.execute("DELETE FROM entry WHERE idx >= 90")
    problems = _verify(paths).problems
    assert any("the head names 120 entries but the log holds 90: the tail was cut" in p for p in problems)
    assert any("checkpoint(s) up to 100 entries cover entries the log no longer holds (90)" in p for p in problems)
    # Cutting the head and the checkpoints as well leaves a head that is not sealed by the key.
    tamper.execute("DELETE FROM checkpoint WHERE size > 90")
    tamper.execute("UPDATE head SET size = 90")
    assert "the log's head does not match its seal (rewritten without the key)" in _verify(paths).problems


def test_entries_forged_in_the_right_format_without_the_key_are_named(
    paths: TerminalPaths, tamper: sqlite3.Connection
) -> None:
    forged = _entry(tamper, 119)
    forged.update(i=120, who="S00", action="case.exported")
    tamper.execute("INSERT INTO entry VALUES (120, ?, ?)", (canonical_json(forged), b"\x00" * 16))
    problems = _verify(paths).problems
    assert "entry 120 does not match its seal (changed, or forged without the key)" in problems
    assert any("the log holds 121 entries but its head names 120" in p for p in problems)


def test_a_checkpoint_re_signed_with_another_key_is_named(paths: TerminalPaths, tamper: sqlite3.Connection) -> None:
    note = SignedNote.parse(tamper.execute("SELECT note FROM checkpoint WHERE size = 100").fetchone()[0])
    other = NoteSigner(audit_origin(TERMINAL), Ed25519PrivateKey.generate())
    tamper.execute("UPDATE checkpoint SET note = ? WHERE size = 100", (str(other.sign_note(note.text)),))
    problems = _verify(paths).problems
    assert len(problems) == 1 and problems[0].startswith("checkpoint at 100 entries is not signed by this terminal")


def test_an_older_copy_of_the_whole_file_is_found_against_the_cosigned_anchor(paths: TerminalPaths) -> None:
    _fill(paths, 70)
    _sync(paths)
    old = paths.root / "old-copy.sqlite3"
    shutil.copy(paths.audit, old)  # the log is closed: its WAL is folded into the file
    _fill(paths, 30)
    assert _sync(paths).checkpoint().size == 100
    assert _verify(paths).problems == []
    shutil.copy(old, paths.audit)
    problems = _verify(paths).problems
    assert problems == [
        "the platform cosigned 100 entries but the log holds 70: the log was cut or replaced by an older copy"
    ]
    # Grown again past the anchor (with the terminal's own key), it still is not what the platform saw.
    _fill(paths, 40)
    assert _verify(paths).problems == [
        "the log's first 100 entries are not those the platform cosigned: the log was rewritten or replaced"
    ]


def test_a_log_rewritten_under_a_new_key_does_not_pass_the_anchor(paths: TerminalPaths) -> None:
    # The CVE-2023-31439 pattern: old entries sealed again with a newer key. Locally the new log is whole; the
    # anchor the platform cosigned was signed by the old key and covers other entries.
    _fill(paths, 60)
    _sync(paths)
    paths.audit.unlink()
    paths.audit_key.unlink()
    _fill(paths, 60)
    problems = _verify(paths).problems
    assert "the anchor is not a checkpoint signed by this terminal's key" in problems
    assert any("first 60 entries are not those the platform cosigned" in p for p in problems)


def test_the_anchor_takes_only_this_logs_checkpoints_with_the_platforms_cosignature(paths: TerminalPaths) -> None:
    _fill(paths, 10)
    log = _open(paths)
    try:
        note = log.checkpoint()
        impostor = Cosigner(PLATFORM_COSIGNER_NAME, Ed25519PrivateKey.generate())
        with pytest.raises(AuditError, match="no valid cosignature"):
            log.accept_cosigned(str(impostor.cosign(note, 1)), PLATFORM.verifier, paths.audit_anchor)
        foreign = NoteSigner(audit_origin(TERMINAL), Ed25519PrivateKey.generate()).sign_note(note.text)
        with pytest.raises(AuditError, match="this terminal's signature"):
            log.accept_cosigned(str(PLATFORM.cosign(foreign, 1)), PLATFORM.verifier, paths.audit_anchor)
        assert not paths.audit_anchor.exists()
        log.accept_cosigned(str(PLATFORM.cosign(note, 1)), PLATFORM.verifier, paths.audit_anchor)
        log.record(AuditAction.DEVICE_TEST, TECHNICIAN)
        older = log.checkpoint()
        assert older.checkpoint().size == 11
    finally:
        log.close()
    assert _verify(paths).anchored == 10


def test_no_id_number_name_or_phone_in_clear_on_disk(paths: TerminalPaths) -> None:
    log = _open(paths)
    try:
        resident = Resident("11010519491231002x", "张小三")
        log.record(AuditAction.RESIDENT_IDENTIFIED, "S01", resident=resident)
        log.record(AuditAction.AUTHORIZATION_RECORDED, "S01", resident=resident, authorization="AUTH-7")
        with pytest.raises(AuditError):
            log.record(AuditAction.CASE_EDITED, "S01", detail={"phone": "13812345678"})
        with pytest.raises(AuditError):
            log.record(AuditAction.CASE_CREATED, "S01", case="11010519491231002X")
        entries = [orjson.loads(e) for e in log.entries()]
    finally:
        log.close()
    assert entries[0]["resident"] == entries[1]["resident"]
    assert entries[0]["resident"]["name"] == "张*三"
    assert len(entries) == 2
    data = b"".join(p.read_bytes() for p in paths.root.iterdir() if p.name.startswith("audit"))
    for clear in ("11010519491231002", "张小三", "13812345678"):
        assert clear.encode() not in data
    assert "张*三".encode() in data


def test_the_log_refuses_changes_through_sqlite_itself(paths: TerminalPaths) -> None:
    _fill(paths, EVERY)
    conn = sqlite3.connect(paths.audit, isolation_level=None)
    try:
        for sql in ("UPDATE entry SET body = x'00'", "DELETE FROM entry", "DELETE FROM checkpoint"):
            with pytest.raises(sqlite3.DatabaseError, match="append-only"):
                conn.execute(sql)
    finally:
        conn.close()


def test_two_openers_of_one_log_take_turns_without_breaking_it(paths: TerminalPaths) -> None:
    # The running kiosk and a technician's ``kiosk queue retry`` append to the same file.
    kiosk, command = _open(paths), _open(paths)
    try:
        for n in range(60):
            (kiosk if n % 3 else command).record(AuditAction.QUEUE_RETRY, TECHNICIAN, detail={"n": n})
        assert kiosk.size == command.size == 60
    finally:
        kiosk.close()
        command.close()
    assert _verify(paths).problems == []
