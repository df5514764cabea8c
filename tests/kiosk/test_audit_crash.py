"""Power cuts in the middle of an append: SIGKILL at chosen steps, then the log reopens whole.

The crash worker (``audit_crash_worker.py``) counts every SQL statement, ``fsync``, rename, link and unlink of a
child that opens the log and appends. It is stopped just before a chosen step and killed there. After each kill
the log is reopened as a restarted kiosk would: ``verify`` finds nothing wrong, it holds exactly the entries whose
``record`` returned (none half-written, none lost), and it takes the next entry.

The 10,000-entry run keeps its folder on tmpfs when there is one: a SIGKILL ends the process, not the machine,
so what was written survives in the page cache either way, and tmpfs makes each durable commit cost
microseconds instead of milliseconds. The code path is the same (``synchronous=FULL``). The slow variant runs
the same loop on the disk of the test's temporary folder.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk.paths import TerminalPaths
from kiosk.records.audit import AuditAction, AuditLog
from kiosk.records.audit_verify import verify_log

HERE = Path(__file__).parent
TERMINAL = "T-crash"
#: Where a trial stops: the n-th step of each kind an append makes.
KINDS = (
    "sql BEGIN IMMEDIATE",
    "sql INSERT INTO entry",
    "sql INSERT INTO head",
    "sql INSERT INTO checkpoint",
    "sql COMMIT",
)


class Trial:
    def __init__(self) -> None:
        self.appended: list[int] = []
        self.steps: list[str] | None = None
        self.paused: tuple[int, str] | None = None


class CrashWorker:
    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(HERE / "audit_crash_worker.py")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE.parent.parent), str(HERE)])},
        )

    def run(self, **command: Any) -> Trial:
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()
        trial = Trial()
        for line in self.process.stdout:
            word, _, rest = line.rstrip("\n").partition(" ")
            if word == "appended":
                trial.appended.append(int(rest))
            elif word == "paused":
                pid, index, name = rest.split(" ", 2)
                os.kill(int(pid), signal.SIGKILL)
                trial.paused = (int(index), name)
            elif word == "steps":
                trial.steps = json.loads(rest)
            elif word == "done":
                return trial
            else:
                raise AssertionError(f"the crash child failed: {line}")
        raise AssertionError("the crash worker exited")

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


@pytest.fixture
def worker() -> Iterator[CrashWorker]:
    crash = CrashWorker()
    try:
        yield crash
    finally:
        crash.close()


def _reopened_whole(paths: TerminalPaths, expected: int) -> None:
    report = verify_log(paths.audit, paths.audit_key, TERMINAL)
    assert report.problems == []
    assert report.entries == expected


def test_a_kill_at_every_step_of_opening_and_appending_leaves_a_whole_log(worker: CrashWorker, tmp_path: Path) -> None:
    command = {"count": 3, "every": 2}
    first = worker.run(root=str(tmp_path / "dry"), **command)
    assert first.steps is not None and first.appended == [0, 1, 2]
    # Opening makes the key (fsync, link, unlink) and the schema; the appends carry a checkpoint.
    assert {"fsync", "link", "unlink", "sql INSERT INTO checkpoint"} <= set(first.steps)
    for k in range(len(first.steps)):
        paths = TerminalPaths(tmp_path / f"k{k}")
        trial = worker.run(root=str(paths.root), kill_at=k, **command)
        assert trial.paused is not None and trial.paused[0] == k
        if not paths.audit_key.exists():
            continue  # killed before the key existed: nothing was ever recorded
        log = AuditLog(paths.audit, paths.audit_key, TERMINAL, checkpoint_every=2)
        try:
            assert log.size == len(trial.appended)
            log.record(AuditAction.KIOSK_START, "kiosk")
        finally:
            log.close()
        _reopened_whole(paths, len(trial.appended) + 1)


def _crash_loop(worker: CrashWorker, paths: TerminalPaths, total: int) -> None:
    stored = 0
    trial_no = 0
    killed: set[str] = set()
    while stored < total:
        kind = KINDS[trial_no % len(KINDS)]
        occurrence = 1 + (trial_no * 53) % (18 if kind.endswith("checkpoint") else 900)
        trial = worker.run(root=str(paths.root), count=1000, every=50, kill_on=kind, occurrence=occurrence)
        assert trial.appended == list(range(stored, stored + len(trial.appended)))
        stored += len(trial.appended)
        if trial.paused is not None:
            killed.add(trial.paused[1])
        _reopened_whole(paths, stored)
        trial_no += 1
    assert set(KINDS) <= killed


def test_ten_thousand_entries_appended_through_kills_are_all_there_and_verify(worker: CrashWorker) -> None:
    base = Path("/dev/shm") if Path("/dev/shm").is_dir() else None
    with tempfile.TemporaryDirectory(dir=base) as folder:
        _crash_loop(worker, TerminalPaths(Path(folder)), 10_000)


@pytest.mark.slow
def test_ten_thousand_entries_through_kills_on_disk(worker: CrashWorker, tmp_path: Path) -> None:
    _crash_loop(worker, TerminalPaths(tmp_path / "terminal"), 10_000)
