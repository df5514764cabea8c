"""Power cuts and failing disks: SIGKILL at every step of saving and of sending, and a disk that is full.

The crash worker (``crash_worker.py``) counts the steps of one run that reach the disk or the network: every
SQL statement, ``fsync``, rename, unlink and HTTP request. A first run lists them; then, for each step k, a
fresh run is stopped just before step k and killed there. After each kill the outbox is reopened as a
restarted terminal would: it passes its integrity check, every submission whose ``put`` returned is there,
no sealed file is left that a sweep would not remove, and one sync pass brings every submission to the
platform exactly once. Every step index is killed at once, whatever the machine's speed.
"""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from offline_cache_support import SUMMARY, TERMINAL, Platform

from offline_cache.backoff import Backoff
from offline_cache.models import NewAttachment
from offline_cache.store import ORPHAN_GRACE_SECONDS, Outbox
from offline_cache.sync import SyncEngine, SyncSettings

HERE = Path(__file__).parent


class CrashWorker:
    """The parent's side of ``crash_worker.py``: one command per run, a SIGKILL where the child pauses."""

    def __init__(self, platform: Platform) -> None:
        self.base = {
            "terminal": TERMINAL,
            "public_key": base64.b64encode(platform.central.public_key).decode(),
            "url": platform.central.url,
            "token": platform.token,
        }
        self.process = subprocess.Popen(
            [sys.executable, str(HERE / "crash_worker.py")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE.parent.parent), str(HERE)])},
        )

    def run(self, **command: Any) -> tuple[list[str] | None, tuple[int, str] | None]:
        """Run one command; returns the steps of a run that finished, or (k, step) where it was killed."""
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.write(json.dumps({**self.base, **command}) + "\n")
        self.process.stdin.flush()
        steps: list[str] | None = None
        paused: tuple[int, str] | None = None
        for line in self.process.stdout:
            word, _, rest = line.rstrip("\n").partition(" ")
            if word == "paused":
                pid, index, name = rest.split(" ", 2)
                os.kill(int(pid), signal.SIGKILL)
                paused = (int(index), name)
            elif word == "steps":
                steps = json.loads(rest)
            elif word == "done":
                return steps, paused
            else:
                raise AssertionError(f"the crash child failed: {line}")
        raise AssertionError("the crash worker exited")

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


@contextmanager
def crash_worker(platform: Platform) -> Iterator[CrashWorker]:
    worker = CrashWorker(platform)
    try:
        yield worker
    finally:
        worker.close()


def _reopen_consistent(folder: Path) -> set[str]:
    """Open the outbox as a restarted terminal does; returns the ids it holds."""
    outbox = Outbox(folder, terminal_id=TERMINAL)
    try:
        assert outbox.integrity_ok()
        items = outbox.items(limit=100_000)
        stored = {item.id for item in items}
        assert len(stored) == len(items)
        for item in items:
            assert outbox.sealed_body(item.id)
            assert all(a.path.exists() for a in outbox.attachments_of(item.id))
        # Files written before a commit that never came are orphans, and the sweep removes exactly those.
        outbox.sweep_orphans(now=time.time() + ORPHAN_GRACE_SECONDS + 1)
        named = {a.path.name for i in items for a in outbox.attachments_of(i.id)}
        assert {p.name for p in outbox.attachment_dir.iterdir()} == named
        return stored
    finally:
        outbox.close()


def _drain_once(folder: Path, platform: Platform, expected: set[str]) -> None:
    """One sync pass after a restart delivers every submission, and the platform holds each exactly once."""
    engine = SyncEngine(folder, platform.link(), SyncSettings(backoff=Backoff(0.0, 0.001)))
    try:
        engine.outbox.recover_leases()
        engine.run_once()
        items = engine.outbox.items(limit=100_000)
        assert {item.id for item in items} == expected
        assert {item.state for item in items} <= {"sent"}
    finally:
        engine.stop()
    for submission_id in expected:
        assert platform.copies(submission_id) == 1


def _queue(folder: Path, platform: Platform) -> set[str]:
    """Three submissions waiting to be sent: none, one large and two small attachments."""
    outbox = Outbox(folder, terminal_id=TERMINAL, sealer=platform.sealer())
    try:
        sets = ([], [NewAttachment(os.urandom(40_000), "image/jpeg")], [NewAttachment(b"a"), NewAttachment(b"b")])
        return {outbox.put(b'{"queued": true}', SUMMARY, attachments) for attachments in sets}
    finally:
        outbox.close()


def test_a_kill_at_every_step_of_put_loses_nothing_and_leaves_the_outbox_consistent(
    platform: Platform, tmp_path: Path
) -> None:
    killed: dict[int, str] = {}
    with crash_worker(platform) as worker:
        log = tmp_path / "whole.log"
        steps, _ = worker.run(mode="put", folder=str(tmp_path / "whole"), log=str(log))
        assert steps is not None
        assert {"fsync", "rename", "sql COMMIT"} <= set(steps)
        assert _reopen_consistent(tmp_path / "whole") == set(log.read_text().split())
        for k, step in enumerate(steps):
            folder, log = tmp_path / f"put-{k}", tmp_path / f"put-{k}.log"
            finished, paused = worker.run(mode="put", folder=str(folder), log=str(log), kill_at=k)
            assert finished is None
            assert paused is not None
            killed[paused[0]] = paused[1]
            returned = set(log.read_text().split()) if log.exists() else set()
            stored = _reopen_consistent(folder)
            assert returned <= stored, f"a put that returned was lost (killed before step {k}: {step})"
            _drain_once(folder, platform, stored)
    assert killed == dict(enumerate(steps)), "every step of a put was killed at"


@pytest.mark.parametrize("batch", [True, False], ids=["batch", "one-by-one"])
def test_a_kill_at_every_step_of_a_sync_pass_loses_and_duplicates_nothing(
    platform: Platform, tmp_path: Path, batch: bool
) -> None:
    killed: dict[int, str] = {}
    with crash_worker(platform) as worker:
        whole = _queue(tmp_path / "whole", platform)
        steps, _ = worker.run(mode="sync", folder=str(tmp_path / "whole"), batch=batch)
        assert steps is not None
        assert any(step.startswith("http POST") for step in steps)
        for submission_id in whole:
            assert platform.copies(submission_id) == 1
        for k, step in enumerate(steps):
            folder = tmp_path / f"sync-{k}"
            queued = _queue(folder, platform)
            finished, paused = worker.run(mode="sync", folder=str(folder), batch=batch, kill_at=k)
            assert finished is None
            assert paused is not None
            killed[paused[0]] = paused[1]
            assert _reopen_consistent(folder) == queued, f"killed before step {k} ({step}): a submission was lost"
            _drain_once(folder, platform, queued)
    assert killed == dict(enumerate(steps)), "every step of a sync pass was killed at"


DISK_FULL_CHILD = """
import json, os, resource, signal, sys
from pathlib import Path
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from offline_cache.models import NewAttachment, OutboxWriteError
from offline_cache.wire.protocol import SubmissionSummary
from offline_cache.wire.sealing import Sealer
from offline_cache.store import Outbox

folder = Path(sys.argv[1])
outbox = Outbox(folder, terminal_id="T-0001", sealer=Sealer(X25519PrivateKey.generate().public_key()))
# A file-size limit makes every write past it fail with EFBIG: a real failing filesystem for this process.
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
limit = max(p.stat().st_size for p in folder.iterdir() if p.is_file()) + 300_000
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
summary = SubmissionSummary("GA-001", "x", "张*三", "2026-11-22T08:00:00+00:00")
ids = []
try:
    for n in range(1000):
        ids.append(outbox.put(b"{}", summary, [NewAttachment(os.urandom(60_000 + n * 10_000))]))
    error = None
except OutboxWriteError as exc:
    error = str(exc)
print(json.dumps({"ids": ids, "error": error}))
"""


def test_a_full_disk_during_put_gives_a_clear_error_and_keeps_earlier_items(tmp_path: Path) -> None:
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

    from offline_cache.models import NewAttachment
    from offline_cache.wire.sealing import Sealer

    folder = tmp_path / "outbox"
    outbox = Outbox(folder, terminal_id=TERMINAL, sealer=Sealer(X25519PrivateKey.generate().public_key()))
    earlier = [outbox.put(b"{}", SUMMARY, [NewAttachment(b"a" * 1000)]) for _ in range(5)]
    outbox.close()
    result = subprocess.run(
        [sys.executable, "-c", DISK_FULL_CHILD, str(folder)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        env={**os.environ, "PYTHONPATH": str(HERE.parent.parent)},
    )
    report = json.loads(result.stdout)
    assert report["error"] is not None, "the size limit never bit"
    assert report["error"].startswith("无法保存")
    assert "full" in report["error"]
    outbox = Outbox(folder, terminal_id=TERMINAL)
    try:
        assert outbox.integrity_ok()
        for submission_id in [*earlier, *report["ids"]]:
            assert outbox.item(submission_id).state == "queued"
            assert outbox.sealed_body(submission_id)
            assert all(a.path.exists() for a in outbox.attachments_of(submission_id))
        assert len(outbox.items()) == len(earlier) + len(report["ids"])
        # The failed put left no sealed file behind.
        named = {a.path.name for i in outbox.items() for a in outbox.attachments_of(i.id)}
        assert {p.name for p in outbox.attachment_dir.iterdir()} == named
    finally:
        outbox.close()
