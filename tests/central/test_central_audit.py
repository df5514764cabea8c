"""The audit log's sync (数据铁笼) against a real platform on loopback: a terminal's real log, its uploader, the
platform's checks, cosignatures and alarms, and what a supervisor runs on each side. On SQLite always, on
PostgreSQL when ``KIOSK_TEST_PG_URL`` is set."""

from __future__ import annotations

import base64
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from central.audit import PATH_AUDIT_ALARMS, AuditBook
from central.cli import main as central_main
from central.db import open_engine
from central.keys import PlatformKeys
from central.runner import RunningCentral
from kiosk.hall.audit_upload import AuditSyncState, AuditUploader, build_append, platform_cosigner
from kiosk.records.audit import KIOSK, TECHNICIAN, AuditAction, AuditLog, Resident, read_anchor
from kiosk.records.audit_verify import verify_log
from offline_cache.courier import PlatformClient, PlatformLink
from offline_cache.wire.audit_sync import AuditAppend, check_inclusion
from offline_cache.wire.checkpoint import NoteError
from offline_cache.wire.merkle import ProofError
from offline_cache.wire.protocol import PATH_AUDIT_APPEND

TERMINAL = "T-audit-01"


@dataclass
class AuditTerminal:
    """A terminal's audit log and its uploader, speaking to the platform under test."""

    central: RunningCentral
    root: Path
    token: str
    client: PlatformClient
    log: AuditLog

    @property
    def log_path(self) -> Path:
        return self.root / "audit.sqlite3"

    @property
    def key_path(self) -> Path:
        return self.root / "audit-key"

    @property
    def anchor_path(self) -> Path:
        return self.root / "audit-anchor.txt"

    def uploader(self) -> AuditUploader:
        cosigner = platform_cosigner(self.central.signing_public_key)
        return AuditUploader(self.log, self.client, self.anchor_path, cosigner)

    def record(self, n: int, who: str = "S0007") -> None:
        for k in range(n):
            self.log.record(AuditAction.CASE_EDITED, who, case=f"C-{k}")

    def reopen(self, key_path: Path | None = None) -> None:
        self.log.close()
        self.log = AuditLog(self.log_path, key_path or self.key_path, TERMINAL)

    def verify(self) -> list[str]:
        cosigner = platform_cosigner(self.central.signing_public_key)
        report = verify_log(self.log_path, self.key_path, TERMINAL, anchor_path=self.anchor_path, cosigner=cosigner)
        return report.problems

    def post(self, append: AuditAppend) -> requests.Response:
        return self.client.request("POST", PATH_AUDIT_APPEND, json=append.to_json(), timeout=30)


@pytest.fixture
def audit_terminal(central: RunningCentral, tmp_path: Path) -> Iterator[AuditTerminal]:
    token = central.enroll(TERMINAL)
    client = PlatformClient(PlatformLink(central.url, token, TERMINAL))
    root = tmp_path / "terminal"
    log = AuditLog(root / "audit.sqlite3", root / "audit-key", TERMINAL)
    term = AuditTerminal(central, root, token, client, log)
    try:
        yield term
    finally:
        term.log.close()
        client.close()


def _alarms(central: RunningCentral, terminal: str = TERMINAL) -> list[dict[str, Any]]:
    answer = requests.get(
        central.url + PATH_AUDIT_ALARMS,
        params={"terminal": terminal},
        headers={"Authorization": f"Bearer {central.admin_token}"},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    alarms: list[dict[str, Any]] = answer.json()["alarms"]
    return alarms


def _book(db_url: str, keys: PlatformKeys) -> AuditBook:
    return AuditBook(open_engine(db_url, create_schema=False), keys)


def test_an_honest_sync_is_cosigned_and_anchored_and_the_next_one_sends_only_what_is_new(
    audit_terminal: AuditTerminal, db_url: str, platform_keys: PlatformKeys
) -> None:
    term = audit_terminal
    term.log.record(AuditAction.KIOSK_START, KIOSK)
    term.log.record(AuditAction.RESIDENT_IDENTIFIED, "S0007", resident=Resident("11010519491231002X", "张小三"))
    term.record(8)
    uploader = term.uploader()

    result = uploader.sync()
    assert result.state is AuditSyncState.ANCHORED and result.anchored == 10
    anchor = read_anchor(term.anchor_path)
    assert anchor is not None and anchor.checkpoint().size == 10
    assert term.verify() == []

    term.record(5, who=TECHNICIAN)
    append = build_append(term.log, anchor)
    assert append is not None and append.from_size == 10 and len(append.entries) == 5
    assert uploader.sync().anchored == 15
    assert uploader.sync().state is AuditSyncState.UP_TO_DATE
    assert term.verify() == []

    book = _book(db_url, platform_keys)
    try:
        report = book.verify(TERMINAL)
        assert report.whole, report.problems
        assert (report.entries, report.checkpoints, report.cosigned) == (15, 2, 15)
        assert report.key == term.log.keys.signer.verifier.vkey
    finally:
        book.engine.dispose()
    assert _alarms(term.central) == []


def test_a_lost_answer_is_cosigned_again_and_a_backlog_goes_in_rounds(audit_terminal: AuditTerminal) -> None:
    term = audit_terminal
    term.reopen()
    term.log.checkpoint_every = 4
    term.record(30)
    first = build_append(term.log, None, max_entries=10)
    assert first is not None and first.from_size == 0 and len(first.entries) == 8  # the checkpoint at 8
    assert term.post(first).status_code == 201
    # The answer was lost: the terminal has no anchor, sends the same again, and gets the same cosignature.
    again = term.post(first)
    assert again.status_code == 201 and again.json()["checkpoint"] == term.post(first).json()["checkpoint"]
    # From no anchor, the entries the platform holds are sent again and must be the same.
    result = term.uploader().sync()
    assert result.state is AuditSyncState.ANCHORED and result.anchored == 30
    assert term.verify() == []


def test_a_log_replaced_by_an_older_copy_after_a_sync_is_refused_with_an_alarm_and_found_on_the_terminal(
    audit_terminal: AuditTerminal,
) -> None:
    term = audit_terminal
    term.record(5)
    term.log.close()
    shutil.copy(term.log_path, term.root / "older.sqlite3")
    term.reopen()
    term.record(5)
    uploader = term.uploader()
    assert uploader.sync().anchored == 10

    # The whole file replaced by the older copy (5 entries); the kiosk starts again and records on.
    term.log.close()
    for suffix in ("-wal", "-shm"):
        term.log_path.with_name(term.log_path.name + suffix).unlink(missing_ok=True)
    shutil.copy(term.root / "older.sqlite3", term.log_path)
    term.reopen()
    term.log.record(AuditAction.KIOSK_START, KIOSK)
    problems = term.verify()
    assert any("the platform cosigned 10 entries but the log holds 6" in p for p in problems), problems

    uploader = term.uploader()
    refused = uploader.sync()
    assert refused.state is AuditSyncState.REFUSED and "audit_rollback" in refused.message
    alarms = _alarms(term.central)
    assert [a["kind"] for a in alarms] == ["rollback"]
    assert "cosigned 10 entries" in alarms[0]["detail"]["message"]
    # The same checkpoint is not sent again; the anchor stays what the platform cosigned.
    assert uploader.sync().state is AuditSyncState.REFUSED
    assert _alarms(term.central)[0]["times"] == 1
    anchor = read_anchor(term.anchor_path)
    assert anchor is not None and anchor.checkpoint().size == 10

    # Grown again past the anchor: the new tree does not extend the cosigned one.
    term.record(8)
    assert uploader.sync().state is AuditSyncState.REFUSED
    assert [a["kind"] for a in _alarms(term.central)] == ["rollback", "inconsistent"]


def test_an_older_copy_restored_with_the_anchor_removed_is_still_refused_as_a_rollback(
    audit_terminal: AuditTerminal,
) -> None:
    term = audit_terminal
    term.record(4)
    term.log.close()
    shutil.copy(term.log_path, term.root / "older.sqlite3")
    term.reopen()
    term.record(6)
    assert term.uploader().sync().anchored == 10
    term.log.close()
    for suffix in ("-wal", "-shm"):
        term.log_path.with_name(term.log_path.name + suffix).unlink(missing_ok=True)
    shutil.copy(term.root / "older.sqlite3", term.log_path)
    term.anchor_path.unlink()  # root on the terminal removes the anchor too: nothing local to compare with
    term.reopen()
    term.log.record(AuditAction.KIOSK_START, KIOSK)
    assert term.verify() == []  # the terminal cannot tell
    result = term.uploader().sync()
    assert result.state is AuditSyncState.REFUSED and "audit_rollback" in result.message
    assert [a["kind"] for a in _alarms(term.central)] == ["rollback"]


def test_a_forked_tree_of_the_same_size_is_refused_with_an_alarm(audit_terminal: AuditTerminal) -> None:
    term = audit_terminal
    term.record(6)
    assert term.uploader().sync().anchored == 6
    anchor = read_anchor(term.anchor_path)
    # Another log under the same key and terminal, as many entries, other contents: a fork.
    other = AuditLog(term.root / "fork.sqlite3", term.key_path, TERMINAL)
    try:
        for k in range(6):
            other.record(AuditAction.CASE_SUBMITTED, "S0099", case=f"F-{k}")
        append = build_append(other, anchor)
        assert append is not None and append.from_size == 6 and append.entries == ()
        answer = term.post(append)
        assert answer.status_code == 409 and answer.json()["error"]["code"] == "audit_fork"
        # Sent from the start, its entries differ from those the platform holds: a fork again.
        whole = build_append(other, None)
        assert whole is not None
        other.record(AuditAction.CASE_SUBMITTED, "S0099", case="F-6")
        longer = build_append(other, None)
        assert longer is not None and len(longer.entries) == 7
        answer = term.post(longer)
        assert answer.status_code == 409 and answer.json()["error"]["code"] == "audit_fork"
    finally:
        other.close()
    assert [a["kind"] for a in _alarms(term.central)] == ["fork", "fork"]


def test_a_checkpoint_signed_with_another_key_is_refused_with_an_alarm(audit_terminal: AuditTerminal) -> None:
    term = audit_terminal
    term.record(3)
    assert term.uploader().sync().anchored == 3
    # The log rebuilt under a new key (its entries re-sealed and re-signed): the pinned key does not sign it.
    term.log.close()
    for suffix in ("", "-wal", "-shm"):
        term.log_path.with_name(term.log_path.name + suffix).unlink(missing_ok=True)
    term.log = AuditLog(term.log_path, term.root / "new-key", TERMINAL)
    term.record(5)
    result = term.uploader().sync()
    assert result.state is AuditSyncState.REFUSED and "audit_signature" in result.message
    alarms = _alarms(term.central)
    assert [a["kind"] for a in alarms] == ["signature"]
    assert term.log.keys.signer.verifier.vkey in alarms[0]["detail"]["message"]


def test_a_bad_proof_or_wrong_entries_are_refused_and_a_malformed_body_is_refused_without_an_alarm(
    audit_terminal: AuditTerminal,
) -> None:
    term = audit_terminal
    term.record(4)
    assert term.uploader().sync().anchored == 4
    anchor = read_anchor(term.anchor_path)
    term.record(5)
    append = build_append(term.log, anchor)
    assert append is not None
    bad_proof = AuditAppend(**{**append.__dict__, "consistency": (b"\x00" * 32, *append.consistency[1:])})
    assert term.post(bad_proof).status_code == 422
    other_entries = AuditAppend(**{**append.__dict__, "entries": (b"{}", *append.entries[1:])})
    answer = term.post(other_entries)
    assert answer.status_code == 422 and answer.json()["error"]["code"] == "audit_root"
    malformed = term.client.request("POST", PATH_AUDIT_APPEND, json={"kind": "audit_append"}, timeout=30)
    assert malformed.status_code == 422 and malformed.json()["error"]["code"] == "invalid_audit_append"
    no_token = requests.post(term.central.url + PATH_AUDIT_APPEND, json=append.to_json(), timeout=30)
    assert no_token.status_code == 401
    assert [a["kind"] for a in _alarms(term.central)] == ["inconsistent", "root_mismatch"]
    # The honest append still goes through.
    assert term.post(append).status_code == 201
    alarms = requests.get(term.central.url + PATH_AUDIT_ALARMS, headers={"Authorization": f"Bearer {term.token}"})
    assert alarms.status_code == 401  # a terminal's token is not the admin's


def test_an_entry_is_proven_offline_and_the_supervisor_verifies_at_the_platform(
    audit_terminal: AuditTerminal,
    db_url: str,
    platform_keys: PlatformKeys,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    term = audit_terminal
    term.log.record(AuditAction.KIOSK_START, KIOSK)
    term.log.record(AuditAction.TECHNICIAN_PIN, TECHNICIAN, detail={"ok": False})
    term.record(11)
    assert term.uploader().sync().anchored == 13
    key_file = tmp_path / "platform-keys.json"
    platform_keys.save(key_file)
    common = ["--db", db_url, "--keys", str(key_file)]

    assert central_main(["audit", "verify", TERMINAL, *common]) == 0
    out = capsys.readouterr().out
    assert "13 entries" in out and "whole" in out and term.log.keys.signer.verifier.vkey in out

    assert central_main(["audit", "prove", TERMINAL, "1", *common]) == 0
    document = json.loads(capsys.readouterr().out)
    proven = check_inclusion(document, platform_cosigner(platform_keys.signing_public))
    assert proven.index == 1 and proven.size == 13
    assert proven.entry["action"] == "technician.pin" and proven.entry["detail"] == {"ok": False}
    # Tampered with: another entry's bytes, or a checkpoint without the platform's cosignature.
    forged = {**document, "entry": base64.b64encode(json.dumps({"i": 1}).encode()).decode()}
    with pytest.raises(ProofError):
        check_inclusion(forged, platform_cosigner(platform_keys.signing_public))
    with pytest.raises(NoteError):
        check_inclusion(document, platform_cosigner(PlatformKeys.generate().signing_public))

    assert central_main(["audit", "prove", TERMINAL, "13", *common]) == 1
    assert "0 to 12" in capsys.readouterr().err
    assert central_main(["audit", "alarms", *common]) == 0
    assert "0 alarm(s)" in capsys.readouterr().out

    # Rows changed behind the platform's back are found by verify.
    book = _book(db_url, platform_keys)
    try:
        from sqlalchemy import update

        from central.schema import audit_entries

        with book.engine.begin() as conn:
            conn.execute(
                update(audit_entries)
                .where(audit_entries.c.terminal_id == TERMINAL, audit_entries.c.idx == 1)
                .values(body=b'{"i":1}')
            )
    finally:
        book.engine.dispose()
    assert central_main(["audit", "verify", TERMINAL, *common]) == 1
    assert "PROBLEM: " in capsys.readouterr().out
