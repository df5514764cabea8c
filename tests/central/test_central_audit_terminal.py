"""The audit log's sync from a whole terminal against a real platform on loopback: the hall's upkeep sends the log
after a beat and keeps serving when the platform refuses it; a drive export carries the log and the platform's
import cosigns it; an entry's proof is checked offline with ``kiosk audit check-proof``."""

from __future__ import annotations

import base64
import json
import threading
from pathlib import Path
from typing import Any

import pytest
import requests

from central.audit import PATH_AUDIT_ALARMS, AuditBook
from central.cli import main as central_main
from central.db import open_engine
from central.importer import import_export
from central.keys import PlatformKeys
from central.runner import RunningCentral
from kiosk.cli.main import main as kiosk_main
from kiosk.config import parse_config
from kiosk.hall.audit_upload import AuditSyncState, AuditUploader, platform_cosigner
from kiosk.hall.compose import open_hall
from kiosk.paths import TerminalPaths
from kiosk.records.audit import KIOSK, AuditAction, AuditLog, read_anchor
from kiosk.records.audit_verify import verify_log
from offline_cache.courier import PlatformClient, PlatformLink
from offline_cache.wire.protocol import SubmissionSummary

TERMINAL = "T-audit-hall"
#: The most a test waits for an event it needs.
WAIT = 30.0


def _config_text(central: RunningCentral, token: str, data: Path) -> str:
    return (
        f'data_dir = "{data}"\n[terminal]\nid = "{TERMINAL}"\n'
        f'[platform]\nurl = "{central.url}"\ntoken = "{token}"\n'
        f'public_key = "{base64.b64encode(central.public_key).decode()}"\n'
        f'signing_key = "{base64.b64encode(central.signing_public_key).decode()}"\n'
        "[devices.id_reader]\nenabled = false\n[devices.printer]\nenabled = false\n"
        "[devices.camera]\nenabled = false\n"
    )


def _alarms(central: RunningCentral) -> list[dict[str, Any]]:
    answer = requests.get(
        central.url + PATH_AUDIT_ALARMS,
        params={"terminal": TERMINAL},
        headers={"Authorization": f"Bearer {central.admin_token}"},
        timeout=30,
    )
    alarms: list[dict[str, Any]] = answer.json()["alarms"]
    return alarms


class Rounds:
    """The upkeep's rounds, counted as they end."""

    def __init__(self) -> None:
        self.count = 0
        self._changed = threading.Condition()

    def ended(self, _clean: bool) -> None:
        with self._changed:
            self.count += 1
            self._changed.notify_all()

    def wait_for(self, count: int) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: self.count >= count, WAIT)


def test_the_hall_syncs_its_log_after_a_beat_and_serves_on_when_the_platform_refuses_it(
    central: RunningCentral, tmp_path: Path, rows: Any
) -> None:
    token = central.enroll(TERMINAL)
    # Someone else's key pinned for this terminal first: every checkpoint of the terminal's own is refused.
    impostor = AuditLog(tmp_path / "impostor.sqlite3", tmp_path / "impostor-key", TERMINAL)
    client = PlatformClient(PlatformLink(central.url, token, TERMINAL))
    try:
        impostor.record(AuditAction.KIOSK_START, KIOSK)
        cosigner = platform_cosigner(central.signing_public_key)
        pinned = AuditUploader(impostor, client, tmp_path / "impostor-anchor.txt", cosigner).sync()
        assert pinned.state is AuditSyncState.ANCHORED
    finally:
        impostor.close()
        client.close()

    config = parse_config(_config_text(central, token, tmp_path / "data"))
    paths = TerminalPaths(tmp_path / "data").ensure()
    rounds = Rounds()
    hall = open_hall(config, demo=False, paths=paths)
    try:
        hall.upkeep.after_round.add(rounds.ended)
        assert hall.heartbeat.beat(WAIT)
        assert rounds.wait_for(1)
        assert [a["kind"] for a in _alarms(central)] == ["signature"]
        assert read_anchor(paths.audit_anchor) is None

        # The citizen is never blocked: a staff call and a submission still reach the platform.
        assert hall.ports.staff.call_staff("services") is True
        sent = threading.Event()
        hall.sync.events.add(lambda event: sent.set() if event.kind == "sent" else None)
        payload = json.dumps({"service_code": "GLJT-01", "applicant": {"name": "张三丰"}}, ensure_ascii=False)
        summary = SubmissionSummary("GLJT-01", "高龄津贴申请", "张*丰", "2026-11-25T08:30:00+00:00")
        submission_id = hall.outbox.put(payload.encode(), summary)
        hall.sync.trigger()
        assert sent.wait(WAIT)
        assert rows("submissions", "id = :id", id=submission_id) == 1
        assert [a["kind"] for a in central._platform.terminals.alerts_of(TERMINAL)] == ["call_staff"]
    finally:
        hall.close()


def test_an_honest_hall_is_cosigned_after_a_beat(central: RunningCentral, tmp_path: Path) -> None:
    token = central.enroll(TERMINAL)
    config = parse_config(_config_text(central, token, tmp_path / "data"))
    paths = TerminalPaths(tmp_path / "data").ensure()
    rounds = Rounds()
    hall = open_hall(config, demo=False, paths=paths)
    try:
        hall.upkeep.after_round.add(rounds.ended)
        assert hall.heartbeat.beat(WAIT)
        assert rounds.wait_for(1)
        anchor = read_anchor(paths.audit_anchor)
        assert anchor is not None and anchor.checkpoint().size >= 1  # kiosk.start at least
        assert _alarms(central) == []
    finally:
        hall.close()
    cosigner = platform_cosigner(central.signing_public_key)
    report = verify_log(paths.audit, paths.audit_key, TERMINAL, anchor_path=paths.audit_anchor, cosigner=cosigner)
    assert report.whole, report.problems


def test_a_drive_export_carries_the_log_and_the_import_cosigns_it(
    central: RunningCentral,
    db_url: str,
    platform_keys: PlatformKeys,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    token = central.enroll(TERMINAL)
    config_file = tmp_path / "config.toml"
    config_file.write_text(_config_text(central, token, tmp_path / "data"), encoding="utf-8")
    paths = TerminalPaths.of(tmp_path / "data", demo=False).ensure()
    log = AuditLog(paths.audit, paths.audit_key, TERMINAL)
    try:
        log.record(AuditAction.KIOSK_START, KIOSK)
        for k in range(6):
            log.record(AuditAction.CASE_CREATED, "S0001", case=f"C-{k}")
    finally:
        log.close()
    drive = tmp_path / "drive"
    drive.mkdir()

    assert kiosk_main(["--config", str(config_file), "queue", "export", str(drive), "--force"]) == 0
    assert "audit log's 7 entries" in capsys.readouterr().out
    manifest = json.loads((drive / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["audit"]["file"] == "audit.json"

    engine = open_engine(db_url, create_schema=False)
    try:
        report = import_export(drive, engine, platform_keys)
        receipt = json.loads(report.receipt_path.read_text(encoding="utf-8"))
        assert receipt["audit"]["status"] == 201 and receipt["audit"]["size"] == 7
        verified = AuditBook(engine, platform_keys).verify(TERMINAL)
        assert verified.whole and verified.cosigned == 7
    finally:
        engine.dispose()

    assert kiosk_main(["--config", str(config_file), "queue", "import-receipt", str(report.receipt_path)]) == 0
    assert "cosigned by the platform up to 7 entries" in capsys.readouterr().out
    anchor = read_anchor(paths.audit_anchor)
    assert anchor is not None and anchor.checkpoint().size == 7
    assert kiosk_main(["--config", str(config_file), "audit", "verify"]) == 0
    capsys.readouterr()

    # Then an entry's proof, printed at the platform and checked offline at the terminal.
    key_file = tmp_path / "platform-keys.json"
    platform_keys.save(key_file)
    assert central_main(["audit", "prove", TERMINAL, "3", "--db", db_url, "--keys", str(key_file)]) == 0
    proof = tmp_path / "proof.json"
    proof.write_text(capsys.readouterr().out, encoding="utf-8")
    assert kiosk_main(["--config", str(config_file), "audit", "check-proof", str(proof)]) == 0
    out = capsys.readouterr().out
    assert "C-2" in out and "entry 3 is in terminal" in out and "proven" in out
    other = base64.b64encode(PlatformKeys.generate().signing_public).decode()
    assert kiosk_main(["--config", str(config_file), "audit", "check-proof", str(proof), "--platform-key", other]) == 1
    assert "NOT proven" in capsys.readouterr().out
