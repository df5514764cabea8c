"""Issue 15, must-show 1 without the UI: a village day on one laptop with the platform away, the program killed
twice in the middle, then one sync puts every case at the real platform (on loopback) exactly once, with its
authorization and its attachments, and the case list shows them delivered with their case numbers.

The day itself runs in ``assisted_village_worker.py`` (its own process, so it can be SIGKILLed at a chosen step):
once until the 9th case is in the outbox but not yet noted in its file, once until the 5th outbox insert of the
second run (after the case and its attachments were sealed, before the row), then to the end.
"""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from central.db import open_engine
from central.keys import PlatformKeys
from central.runner import RunningCentral, start_central
from kiosk.assisted.cases import CaseBook
from kiosk.assisted.staff import StaffDirectory, StaffRecord
from kiosk.hall.assisted_outbox import AssistedOutbox
from kiosk.paths import TerminalPaths
from kiosk.visit.ports import Terminal
from offline_cache.courier import PlatformLink
from offline_cache.store import Outbox
from offline_cache.sync import SyncEngine, SyncSettings
from tests.kiosk.assisted_support import hash_password, verify_password

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
ZONE = ZoneInfo("Asia/Shanghai")
TERMINAL = "LAPTOP-village-01"
STAFF = {"S001": ("李代办", "li-2026!"), "S003": ("赵代办", "zhao-2026!")}


class Run:
    def __init__(self) -> None:
        self.cases: dict[int, str] = {}
        self.paused: str | None = None
        self.finished = False


def run_worker(root: Path, central: RunningCentral, **stop: Any) -> Run:
    """Run the day in a process of its own; SIGKILL it where it pauses."""
    command = {
        "root": str(root),
        "public_key": base64.b64encode(central.public_key).decode(),
        "terminal_id": TERMINAL,
        "unreachable": "http://127.0.0.1:9",
        **stop,
    }
    process = subprocess.Popen(
        [sys.executable, str(HERE / "assisted_village_worker.py"), json.dumps(command)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    run = Run()
    assert process.stdout is not None
    for line in process.stdout:
        word, _, rest = line.rstrip("\n").partition(" ")
        if word == "case":
            seq, submission_id = rest.split(" ")
            run.cases[int(seq)] = submission_id
        elif word == "paused":
            pid, name = rest.split(" ", 1)
            os.kill(int(pid), signal.SIGKILL)
            run.paused = name
        elif word == "finished":
            run.finished = True
    process.wait(timeout=60)
    assert run.finished or run.paused, f"the worker stopped on its own (exit {process.returncode})"
    return run


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'central.db'}"


@pytest.fixture
def central(db_url: str) -> Iterator[RunningCentral]:
    """The real platform on loopback (SQLite), as the hall's would be once the network returns."""
    running = start_central(db_url, keys=PlatformKeys.generate(), max_attachment_bytes=2 * 1024 * 1024)
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def laptop(data_dir: Path, central: RunningCentral) -> TerminalPaths:
    paths = TerminalPaths(data_dir / "terminal").ensure()
    directory = StaffDirectory(paths.assisted_staff, verify_password)
    # The laptop's last online moment, the day before (waits for GET /api/v1/staff: then a real pull).
    records = [StaffRecord(no, name, "agent", hash_password(password)) for no, (name, password) in STAFF.items()]
    directory.replace(records, datetime.now(ZONE) - timedelta(days=1))
    return paths


def _platform_rows(db_url: str) -> list[dict[str, Any]]:
    engine = open_engine(db_url, create_schema=False)
    try:
        with engine.connect() as conn:
            found = conn.execute(
                text("SELECT id, case_no, payload FROM submissions WHERE terminal_id = :t"), {"t": TERMINAL}
            ).fetchall()
            counts: dict[str, int] = dict(
                conn.execute(
                    text(
                        "SELECT submission_id, COUNT(*) FROM submission_attachments WHERE terminal_id = :t "
                        "GROUP BY submission_id"
                    ),
                    {"t": TERMINAL},
                ).fetchall()
            )
    finally:
        engine.dispose()
    return [
        {"id": row[0], "case_no": row[1], "payload": json.loads(bytes(row[2])), "attachments": counts.get(row[0], 0)}
        for row in found
    ]


def test_a_village_day_offline_with_two_kills_then_one_sync(
    laptop: TerminalPaths, central: RunningCentral, db_url: str
) -> None:
    first = run_worker(laptop.root, central, kill_on="record_submission", occurrence=9)
    assert first.paused == "record_submission"
    assert len(first.cases) == 8
    second = run_worker(laptop.root, central, kill_on="sql INSERT INTO submission", occurrence=5)
    assert second.paused is not None
    third = run_worker(laptop.root, central)
    assert third.finished
    assert sorted(third.cases) == list(range(30))
    # What was saved before a kill kept its submission (the slip's temporary number stays true).
    for seq, submission_id in {**first.cases, **second.cases}.items():
        assert third.cases[seq] == submission_id

    # The network is back: one sync of the outbox, then each staff member's case list takes the news.
    token = central.enroll(TERMINAL)
    link = PlatformLink(central.url, token, TERMINAL)
    engine = SyncEngine(laptop.outbox, link, SyncSettings(workers=2))
    try:
        report = engine.run_once()
    finally:
        engine.stop()
    assert (report.sent, report.quarantined) == (30, 0)

    rows = _platform_rows(db_url)
    assert len(rows) == 30, "every case at the platform exactly once"
    assert {row["id"] for row in rows} == set(third.cases.values())
    by_case = {row["payload"]["assisted"]["case_id"]: row for row in rows}
    assert len(by_case) == 30
    for row in rows:
        assisted = row["payload"]["assisted"]
        assert assisted["authorization"]["matters"] == [row["payload"]["service_code"]]
        assert [c["kind"] for c in assisted["authorization"]["consent"]] == ["signature", "paper_photo"]
        assert assisted["staff_no"] in STAFF
        assert [a["role"] for a in assisted["attachments"]] == ["signature", "authorization_photo"]
        assert row["attachments"] == 2
        assert row["case_no"]

    directory = StaffDirectory(laptop.assisted_staff, verify_password)
    outbox = Outbox(laptop.outbox, terminal_id=TERMINAL)
    try:
        adapter = AssistedOutbox(outbox, Terminal(TERMINAL, "522401", "assisted"))
        seen = 0
        for staff_no, (_, password) in STAFF.items():
            session = directory.login(staff_no, password, datetime.now(ZONE))
            book = CaseBook(session.vault(laptop.assisted_cases), staff_no)
            adapter.refresh(book, datetime.now(ZONE))
            for line in book.rows():
                assert line.state == "delivered"
                case_no = by_case[line.case_id]["case_no"]
                assert line.case_ref == case_no
                assert line.state_label == f"已送达（{case_no}）"
                seen += 1
            assert book.health(datetime.now(ZONE)).unsent == 0
    finally:
        outbox.close()
    assert seen == 30
