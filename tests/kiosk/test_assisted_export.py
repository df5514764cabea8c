"""Assisted cases leave a laptop without network on a drive: a staff member's export carries their own cases
only (B exports none of A's), lifts the limit on new cases, and ``kiosk queue export`` (the technician's whole
sealed queue) carries assisted cases like any other."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from kiosk.assisted.cases import CaseBook, CaseRefused
from kiosk.assisted.limits import CaseLimits
from kiosk.assisted.resident import Resident, resident_from_input
from kiosk.assisted.staff import StaffSession
from kiosk.assisted.vault import new_data_key
from kiosk.hall.assisted_export import export_member_cases
from kiosk.hall.assisted_outbox import AssistedOutbox
from kiosk.paths import TerminalPaths
from kiosk.visit.identity import check_character
from kiosk.visit.ports import Terminal
from offline_cache.store import Outbox
from offline_cache.wire.sealing import Sealer

ZONE = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=ZONE)
TERMINAL = "LAPTOP-export-01"


def _resident(n: int) -> Resident:
    first17 = f"52240119500110{n}{n}3"
    return resident_from_input(f"村民{'甲乙丙'[n]}", first17 + check_character(first17), today=NOW.date())


def _config(tmp_path: Path, public: bytes) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f'data_dir = "{tmp_path / "data"}"\n[terminal]\nid = "{TERMINAL}"\nmode = "assisted"\n[platform]\n'
        f'url = "http://127.0.0.1:9"\ntoken = "t"\npublic_key = "{base64.b64encode(public).decode()}"\n',
        encoding="utf-8",
    )
    return path


def test_each_member_exports_only_their_cases_and_the_queue_export_carries_all(tmp_path: Path) -> None:
    platform_key = X25519PrivateKey.generate().public_key()
    public = platform_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    paths = TerminalPaths(tmp_path / "data" / "terminal").ensure()
    outbox = Outbox(paths.outbox, terminal_id=TERMINAL, sealer=Sealer(platform_key))
    adapter = AssistedOutbox(outbox, Terminal(TERMINAL, "522401", "assisted"))
    limits = CaseLimits(warn_unsent=1, refuse_unsent=2)
    sent: dict[str, list[str]] = {}
    books: dict[str, CaseBook] = {}
    sessions: dict[str, StaffSession] = {}
    try:
        for staff_no, count in (("S001", 2), ("S003", 1)):
            session = StaffSession(staff_no, staff_no, "agent", new_data_key())
            book = CaseBook(session.vault(paths.assisted_cases), staff_no, limits)
            for n in range(count):
                case = book.new_case("GLJT-01", "高龄津贴申请", _resident(n), NOW)
                book.add_attachment(case.case_id, b"\x89PNG sig", "image/png", "signature", NOW)
                sent.setdefault(staff_no, []).append(adapter.send(book, session, case.case_id, NOW).submission_id or "")
            books[staff_no], sessions[staff_no] = book, session

        # S001 has reached the limit of unsent cases: no new case until synced or exported.
        with pytest.raises(CaseRefused, match="导出到U盘"):
            books["S001"].new_case("GLJT-01", "高龄津贴申请", _resident(2), NOW)

        drive_b = tmp_path / "drive-b"
        result = export_member_cases(outbox, books["S003"], drive_b, NOW)
        manifest = json.loads((drive_b / "manifest.json").read_text(encoding="utf-8"))
        assert [s["id"] for s in manifest["submissions"]] == sent["S003"]
        assert result.submissions == 1
        assert not any((drive_b / f"{sid}.json").exists() for sid in sent["S001"])

        drive_a = tmp_path / "drive-a"
        export_member_cases(outbox, books["S001"], drive_a, NOW + timedelta(minutes=1))
        manifest = json.loads((drive_a / "manifest.json").read_text(encoding="utf-8"))
        assert sorted(s["id"] for s in manifest["submissions"]) == sorted(sent["S001"])
        # The bodies on the drive are the outbox's, byte for byte, and name no resident in clear.
        for sid in sent["S001"]:
            assert (drive_a / f"{sid}.json").read_bytes() == outbox.sealed_body(sid)
            assert "村民".encode() not in (drive_a / f"{sid}.json").read_bytes()
        # Exported counts as synced for the limit of days (the unsent count still stands until delivered).
        assert books["S001"].last_synced_at == (NOW + timedelta(minutes=1)).isoformat()
    finally:
        outbox.close()

    # The technician's export of the whole sealed queue carries every assisted case.
    drive = tmp_path / "drive"
    drive.mkdir()
    command = [sys.executable, "-m", "kiosk.cli.main", "--config", str(_config(tmp_path, public))]
    done = subprocess.run(
        [*command, "queue", "export", "--force", str(drive)],
        capture_output=True,
        text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "exported 3 submissions" in done.stdout
    manifest = json.loads((drive / "manifest.json").read_text(encoding="utf-8"))
    assert sorted(s["id"] for s in manifest["submissions"]) == sorted(sent["S001"] + sent["S003"])
