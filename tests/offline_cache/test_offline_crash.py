"""Power cuts and failing disks: SIGKILL at random moments during saving and sending, and a disk that is full.

The crash loop runs at least 200 trials; each trial is a child forked from a worker that has already imported
everything, killed at a random moment while it saves or sends. Afterwards every submission whose ``put``
returned is on the platform exactly once or still queued, and the outbox database passes its integrity check.
"""

from __future__ import annotations

import base64
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from offline_cache_support import SUMMARY, TERMINAL, Platform

from offline_cache.backoff import Backoff
from offline_cache.store import Outbox
from offline_cache.sync import SyncEngine, SyncSettings

TRIALS = int(os.environ.get("OUTBOX_CRASH_TRIALS", "200"))
HERE = Path(__file__).parent


def test_sigkill_during_put_and_sync_loses_nothing_and_duplicates_nothing(platform: Platform, tmp_path: Path) -> None:
    folder, log = tmp_path / "outbox", tmp_path / "returned.log"
    worker = subprocess.Popen(
        [sys.executable, str(HERE / "crash_worker.py")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE.parent.parent), str(HERE)])},
    )
    assert worker.stdin is not None
    assert worker.stdout is not None
    rng = random.Random(20261122)
    base = {
        "folder": str(folder),
        "terminal": TERMINAL,
        "log": str(log),
        "public_key": base64.b64encode(platform.central.public_key).decode(),
        "url": platform.central.url,
        "token": platform.token,
    }
    killed = 0
    try:
        for trial in range(TRIALS):
            mode = "put" if trial % 5 < 3 else "sync"
            command = {**base, "mode": mode, "count": 3, "batch": trial % 2 == 0}
            worker.stdin.write(json.dumps(command) + "\n")
            worker.stdin.flush()
            pid = int(worker.stdout.readline())
            time.sleep(rng.uniform(0.0, 0.03 if mode == "put" else 0.08))
            try:
                os.kill(pid, signal.SIGKILL)
                killed += 1
            except ProcessLookupError:
                pass
            assert worker.stdout.readline().startswith("done")
    finally:
        worker.stdin.close()
        worker.wait(timeout=30)

    returned = set(log.read_text().split()) if log.exists() else set()
    outbox = Outbox(folder, terminal_id=TERMINAL)
    try:
        assert outbox.integrity_ok()
        stored = {item.id for item in outbox.items(limit=100_000)}
        assert returned <= stored, "a put that returned was lost"
        # Every leftover is still queued; the platform may already hold some of them (answer lost in the
        # kill), so a final drain must neither lose nor duplicate any.
        assert platform.total() <= len(stored)
    finally:
        outbox.close()
    engine = SyncEngine(folder, platform.link(), SyncSettings(backoff=Backoff(0.0, 0.001)))
    try:
        engine.outbox.recover_leases()
        for _ in range(20):
            engine.run_once()
            if engine.status().pending == 0:
                break
            time.sleep(0.01)
        items = engine.outbox.items(limit=100_000)
        assert {item.state for item in items} == {"sent"}
    finally:
        engine.stop()
    assert platform.total() == len(stored)
    for submission_id in rng.sample(sorted(stored), min(50, len(stored))):
        assert platform.copies(submission_id) == 1
    assert killed > TRIALS // 2  # most trials really were cut short


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
