"""``kiosk audit verify`` and ``kiosk audit show`` as a supervisor runs them."""

from __future__ import annotations

import base64
import json
import sqlite3
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from kiosk.cli.main import main
from kiosk.config import load_config
from kiosk.hall.compose import open_hall
from kiosk.paths import TerminalPaths
from kiosk.records.audit import TECHNICIAN, AuditAction, AuditLog, Resident
from offline_cache.wire.checkpoint import PLATFORM_COSIGNER_NAME, Cosigner

TERMINAL = "T-cli-01"
PLATFORM_KEY = Ed25519PrivateKey.generate()


def _config(tmp_path: Path) -> Path:
    public = PLATFORM_KEY.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    lines = [
        f'data_dir = "{tmp_path / "data"}"',
        "[terminal]",
        f'id = "{TERMINAL}"',
        "[platform]",
        'url = "http://127.0.0.1:9"',
        f'signing_key = "{base64.b64encode(public).decode()}"',
    ]
    path = tmp_path / "config.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _log(tmp_path: Path) -> TerminalPaths:
    paths = TerminalPaths.of(tmp_path / "data", demo=False).ensure()
    log = AuditLog(
        paths.audit, paths.audit_key, TERMINAL, clock=iter([1_764_000_000.0 + n * 86_400 for n in range(9)]).__next__
    )
    try:
        log.record(AuditAction.KIOSK_START, "kiosk")
        log.record(AuditAction.TECHNICIAN_PIN, TECHNICIAN, detail={"ok": False})
        log.record(AuditAction.RESIDENT_IDENTIFIED, "S01", resident=Resident("11010519491231002X", "张小三"))
        log.record(AuditAction.CASE_SUBMITTED, "S01", case="C-1")
        log.record(AuditAction.STAFF_LOGOUT, "S01")
        cosigned = Cosigner(PLATFORM_COSIGNER_NAME, PLATFORM_KEY).cosign(log.checkpoint(), 1_764_400_000)
        log.accept_cosigned(str(cosigned), Cosigner(PLATFORM_COSIGNER_NAME, PLATFORM_KEY).verifier, paths.audit_anchor)
        log.record(AuditAction.CASE_EDITED, "S02", case="C-1")
    finally:
        log.close()
    return paths


def test_verify_says_whole_and_then_names_each_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = _config(tmp_path)
    paths = _log(tmp_path)
    assert main(["--config", str(config), "audit", "verify"]) == 0
    out = capsys.readouterr().out
    assert "6 entries" in out and "the platform cosigned the first 5" in out and "whole" in out
    assert main(["--config", str(config), "audit", "verify", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["whole"] is True

    conn = sqlite3.connect(paths.audit, isolation_level=None)
    conn.execute("DROP TRIGGER entry_append_only_delete")
    conn.execute("DELETE FROM entry WHERE idx = 1")  # the wrong PIN, removed
    conn.close()
    assert main(["--config", str(config), "audit", "verify"]) == 1
    problems = [line for line in capsys.readouterr().out.splitlines() if line.startswith("PROBLEM: ")]
    assert "PROBLEM: entries 1 to 1 are missing (removed)" in problems
    assert any("not those the platform cosigned" in line for line in problems)
    assert main(["--config", str(config), "audit", "verify", "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["problems"]


def test_show_lists_one_member_of_staff_from_a_date(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = _config(tmp_path)
    _log(tmp_path)
    assert main(["--config", str(config), "audit", "show", "--staff", "S01", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert [e["action"] for e in shown] == ["resident.identified", "case.submitted", "staff.logout"]
    assert shown[0]["resident"]["name"] == "张*三"
    assert main(["--config", str(config), "audit", "show", "--since", "2025-11-28T00:00:00+00:00"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[3] for line in lines[:-1]] == ["staff.logout", "case.edited"]
    assert lines[-1].startswith("2 entries")


@pytest.mark.parametrize("argv", [["show", "--since", "yesterday"], ["verify", "--staff", "S01"], []])
def test_bad_arguments_exit_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    assert main(["--config", str(_config(tmp_path)), "audit", *argv]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1


def test_the_hall_records_its_start_and_stop(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = _config(tmp_path)
    hall = open_hall(load_config(config), demo=False)
    hall.close()
    assert hall.audit is not None
    hall.audit.stop()  # a second close records nothing more
    assert main(["--config", str(config), "audit", "show", "--staff", "kiosk", "--json"]) == 0
    assert [e["action"] for e in json.loads(capsys.readouterr().out)] == ["kiosk.start", "kiosk.stop"]
    assert main(["--config", str(config), "audit", "verify", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["last_checkpoint"] == 2  # the stop signed the head
