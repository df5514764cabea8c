"""Issue 15, must-show 1 without the UI: a village day on one laptop with the platform away, the program killed
twice in the middle, then one sync puts every case at the real platform (on loopback) exactly once, with its
authorization and its attachments; the lifecycle a reviewer gives them at the platform comes back to the case
lists, and a 回交 recorded offline reaches its case as an event.

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
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

import kiosk
from central.db import open_engine
from central.keys import PlatformKeys
from central.runner import RunningCentral, start_central
from central.staff.accounts import StaffBook
from central.staff.lifecycle import CaseLifecycle
from kiosk.assisted.cases import CaseBook
from kiosk.assisted.staff import StaffDirectory
from kiosk.hall.assisted_outbox import AssistedOutbox
from kiosk.hall.assisted_sync import AssistedSync, SyncProgress
from kiosk.paths import TerminalPaths
from kiosk.visit.ports import Terminal
from offline_cache.courier import PlatformClient, PlatformLink
from offline_cache.store import Outbox
from offline_cache.sync import SyncEngine, SyncReport, SyncSettings
from offline_cache.wire.protocol import MiB
from offline_cache.wire.sealing import Sealer, load_public_key
from tests.kiosk.assisted_village_worker import resident

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
def db_url(laptop_dir: Path) -> str:
    """The platform's SQLite file beside the laptop's folder (tmpfs when there is one: the same speed argument)."""
    return f"sqlite:///{laptop_dir / 'central.db'}"


@pytest.fixture
def central(db_url: str) -> Iterator[RunningCentral]:
    """The real platform on loopback (SQLite), as the hall's would be once the network returns."""
    catalog = Path(kiosk.__file__).parent / "data" / "sample_catalog.json"  # with its 须本人到场 services
    running = start_central(db_url, keys=PlatformKeys.generate(), max_attachment_bytes=2 * MiB, catalog=catalog)
    try:
        yield running
    finally:
        running.stop()


@dataclass
class Laptop:
    paths: TerminalPaths
    link: PlatformLink


@pytest.fixture
def laptop_dir(tmp_path: Path) -> Iterator[Path]:
    """The laptop's data folder, on tmpfs when there is one: a SIGKILL ends the process, not the machine, so what
    was written survives in the page cache either way, and each durable write costs microseconds instead of the
    shared disk's 15 ms (the code path is the same)."""
    shm = Path("/dev/shm")
    if not (shm.is_dir() and os.access(shm, os.W_OK)):
        yield tmp_path / "laptop"
        return
    with tempfile.TemporaryDirectory(dir=shm, prefix="village-") as folder:
        yield Path(folder)


@pytest.fixture
def laptop(laptop_dir: Path, central: RunningCentral, db_url: str) -> Laptop:
    """The laptop enrolled at the platform, whose staff accounts it pulled the day before (online)."""
    engine = open_engine(db_url, create_schema=False)
    try:
        for staff_no, (name, password) in STAFF.items():
            StaffBook(engine).add(staff_no, name, "agent", password)
    finally:
        engine.dispose()
    paths = TerminalPaths(laptop_dir / "terminal").ensure()
    link = PlatformLink(central.url, central.enroll(TERMINAL), TERMINAL)
    client = PlatformClient(link)
    yesterday = datetime.now(ZONE) - timedelta(days=1)
    outbox = Outbox(paths.outbox, terminal_id=TERMINAL)
    try:
        sync = _sync(paths, client, outbox, None, lambda: yesterday)
        assert sync.pull_staff() == len(STAFF)
    finally:
        outbox.close()
        client.close()
    return Laptop(paths, link)


def _sync(
    paths: TerminalPaths,
    client: PlatformClient,
    outbox: Outbox,
    engine: SyncEngine | None,
    clock: Callable[[], datetime] = lambda: datetime.now(ZONE),
) -> AssistedSync:
    directory = StaffDirectory(paths.assisted_staff)
    adapter = AssistedOutbox(outbox, Terminal(TERMINAL, "522401", "assisted"))
    if engine is None:
        return AssistedSync(client, directory, adapter, SyncReport, clock)
    return AssistedSync(client, directory, adapter, engine.run_once, clock, events=engine.events)


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
    laptop: Laptop, central: RunningCentral, db_url: str
) -> None:
    root = laptop.paths.root
    first = run_worker(root, central, kill_on="record_submission", occurrence=9)
    assert first.paused == "record_submission"
    assert len(first.cases) == 8
    second = run_worker(root, central, kill_on="sql INSERT INTO submission", occurrence=5)
    assert second.paused is not None
    third = run_worker(root, central)
    assert third.finished
    assert sorted(third.cases) == list(range(30))
    # What was saved before a kill kept its submission (the slip's temporary number stays true).
    for seq, submission_id in {**first.cases, **second.cases}.items():
        assert third.cases[seq] == submission_id
    # Nothing of the 12 residents is readable anywhere in the laptop's data (vaults, outbox, staff list).
    secrets = [s for n in range(12) for s in (resident(n).name.encode(), resident(n).id_number.encode())]
    files = [path for path in root.rglob("*") if path.is_file()]
    assert len(files) > 100
    for path in files:
        data = path.read_bytes()
        assert not [s for s in secrets if s in data], f"{path.relative_to(root)} holds a resident in clear"

    # The network is back: one sync, from the first staff member to log in, sends the whole outbox.
    client = PlatformClient(laptop.link)
    engine = SyncEngine(laptop.paths.outbox, laptop.link, SyncSettings(workers=2))
    outbox = Outbox(laptop.paths.outbox, terminal_id=TERMINAL, sealer=Sealer(load_public_key(central.public_key)))
    progress: list[SyncProgress] = []
    try:
        sync = _sync(laptop.paths, client, outbox, engine)
        books = {}
        for staff_no, (_, password) in STAFF.items():
            session = sync.directory.login(staff_no, password, datetime.now(ZONE))
            books[staff_no] = (session, CaseBook(session.vault(laptop.paths.assisted_cases), staff_no))
        session, book = books["S001"]
        report = sync.run(book, session, progress.append)
        assert report.reached
        assert (report.sent, report.quarantined) == (30, 0), report.message
        assert progress[0].step == "staff"
        assert progress[-1].step == "done"
        # The bar moves with each of the member's cases delivered (S001 handled 15 of the day's 30).
        sending = [(p.done, p.total) for p in progress if p.step == "send"]
        assert sending[0] == (0, 15)
        assert sending[-1] == (15, 15)
        assert len(sending) >= 15
        assert [d for d, _ in sending] == sorted(d for d, _ in sending)

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

        # At the platform a reviewer moves some of S003's cases on; the 受理 of all came back already.
        session_b, book_b = books["S003"]
        sync.page_size = 4  # S003's 15 cases come back in four pages, cursor after cursor
        pages: list[SyncProgress] = []
        assert sync.run(book_b, session_b, pages.append).states == 15
        assert [p.done for p in pages if p.step == "states"] == [4, 8, 12, 15]
        cases_b = sorted(book_b.cases(), key=lambda c: c.created_at)
        assert {c.state for c in cases_b} == {"accepted"}
        lifecycle = CaseLifecycle(open_engine(db_url, create_schema=False))
        try:
            done, suspended = cases_b[0].case_no or "", cases_b[1].case_no or ""
            lifecycle.advance(done, "processing", by="S009")
            lifecycle.advance(done, "concluded", by="S009", note="已发放")
            lifecycle.advance(suspended, "suspended", by="S009", note="缺户口簿复印件")
        finally:
            lifecycle.engine.dispose()
        assert sync.run(book_b, session_b).states == 2
        rows_b = {r.case_id: r for r in book_b.rows()}
        assert (rows_b[cases_b[0].case_id].state_label, rows_b[cases_b[0].case_id].case_ref) == ("办结", done)
        assert rows_b[cases_b[1].case_id].state_label == "中止"
        assert rows_b[cases_b[1].case_id].reason == "缺户口簿复印件"
        assert book_b.rows()[0].case_id == cases_b[1].case_id, "worst first: the suspended case on top"

        # 回交 recorded offline with the resident's signature, sent through the outbox, and back as a state.
        event = book_b.record_event(
            cases_b[0].case_id,
            "handed_back",
            datetime.now(ZONE),
            "结果已交本人",
            [(b"\x89PNG handback signature", "image/png")],
        )
        sync.outbox.send_event(book_b, session_b, cases_b[0].case_id, event.event_id)
        report = sync.run(book_b, session_b)
        assert (report.sent, report.quarantined) == (1, 0), report.message
        assert book_b.case(cases_b[0].case_id).state == "handed_back"
        after = _platform_rows(db_url)
        kinds = sorted(row["payload"]["kind"] for row in after)
        assert kinds == ["case"] * 30 + ["case_event"], "a 回交 is an event of its case, not a new case"
        assert len({row["case_no"] for row in after if row["payload"]["kind"] == "case"}) == 30

        seen = 0
        for session, book in books.values():
            sync.run(book, session)
            seen += len(book.rows())
            # Every line names its case by the platform's case number (受理编号), not a temporary one.
            assert all(line.case_ref == book.case(line.case_id).case_no for line in book.rows())
            assert {line.state for line in book.rows()} <= {"accepted", "concluded", "suspended", "handed_back"}
            assert book.health(datetime.now(ZONE)).unsent == 0
            assert book.health(datetime.now(ZONE)).level == "ok"
        assert seen == 30
    finally:
        engine.stop()
        outbox.close()
        client.close()
