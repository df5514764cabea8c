"""Drain 10,000 queued submissions (2 KB each, every tenth with a 100 KB attachment) to the platform.

The platform runs in its own process on loopback (SQLite, ``synchronous=FULL``), so it does not share the
terminal's interpreter. The outbox is filled first (not measured), then the sync worker drains it: batched
submissions, several requests in flight, attachments uploaded content-addressed; every submission is still
acknowledged and deduplicated one by one. The peer, measured in the same run against the same platform, is a
loop that posts one submission at a time with plain ``requests.post`` (and ``requests.put`` for its attachment),
over ``--peer-items`` fresh submissions. Prints one JSON line at the end.

    .venv/bin/python bench/sync_drain.py [--items 10000] [--peer-items 1000]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
import uuid_utils
from sqlalchemy import create_engine, func, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from central.schema import submissions
from offline_cache.courier import PlatformLink
from offline_cache.models import NewAttachment
from offline_cache.store import Outbox
from offline_cache.sync import SyncEngine, SyncSettings
from offline_cache.wire import protocol
from offline_cache.wire.protocol import SubmissionSummary
from offline_cache.wire.sealing import Sealer, load_public_key
from offline_cache.wire.submission_body import sealed_json

TERMINAL = "bench-0001"
SUMMARY = SubmissionSummary("GA-001", "居民身份证换领", "张*三", "2026-11-22T08:00:00+00:00")
PLATFORM_SCRIPT = """
import base64, json, sys
from central.runner import start_central
central = start_central(sys.argv[1])
print(json.dumps({"url": central.url, "token": central.enroll(sys.argv[2]),
                  "public_key": base64.b64encode(central.public_key).decode()}), flush=True)
sys.stdin.read()
central.stop()
"""


def payload_2kb(n: int) -> bytes:
    raw = json.dumps({"name": "张三", "id_number": "110101199003071234", "n": n, "note": "示" * 600}).encode()
    return raw + b" " * max(0, 2048 - len(raw))


def fill(folder: Path, sealer: Sealer, items: int) -> None:
    outbox = Outbox(folder, terminal_id=TERMINAL, sealer=sealer)
    # Filling is set-up, not the measurement: skip the per-item flush here (the drain below flushes as usual).
    outbox._conn.execute("PRAGMA synchronous=OFF")
    for n in range(items):
        attachments = [NewAttachment(os.urandom(100 * 1024), "image/jpeg")] if n % 10 == 0 else []
        outbox.put(payload_2kb(n), SUMMARY, attachments)
    outbox.close()


def peer_loop(url: str, token: str, sealer: Sealer, items: int) -> float:
    """One submission at a time with plain requests.post / requests.put: no session, no batching."""
    headers = {"Authorization": f"Bearer {token}"}
    bodies = []
    for n in range(items):
        submission_id = str(uuid_utils.uuid7())
        data = [os.urandom(100 * 1024)] if n % 10 == 0 else []
        blob, sealed = sealer.seal(submission_id, payload_2kb(n), data)
        refs = [{"sha256": hashlib.sha256(s).hexdigest(), "size": len(s), "media_type": "image/jpeg"} for s in sealed]
        body = {
            "id": submission_id,
            "terminal_id": TERMINAL,
            "service_code": SUMMARY.service_code,
            "created_at": SUMMARY.created_at,
            "summary": {
                "service_code": SUMMARY.service_code,
                "service_name": SUMMARY.service_name,
                "applicant_masked": SUMMARY.applicant_masked,
                "created_at": SUMMARY.created_at,
            },
            "sealed": sealed_json(blob),
            "attachments": refs,
        }
        bodies.append((body, sealed, refs))
    start = time.perf_counter()
    for body, sealed, refs in bodies:
        for piece, ref in zip(sealed, refs, strict=True):
            answer = requests.put(
                url + protocol.PATH_ATTACHMENT.format(sha256=ref["sha256"]),
                data=piece,
                headers={**headers, protocol.HEADER_UPLOAD_OFFSET: "0", protocol.HEADER_UPLOAD_LENGTH: str(len(piece))},
                timeout=30,
            )
            assert answer.status_code == 201, answer.text
        answer = requests.post(
            url + protocol.PATH_SUBMISSIONS,
            json=body,
            headers={**headers, protocol.HEADER_IDEMPOTENCY_KEY: str(body["id"])},
            timeout=30,
        )
        assert answer.status_code == 201, answer.text
    return len(bodies) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--peer-items", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--batch", type=int, default=100)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="bench-drain-", dir=os.environ.get("BENCH_DIR")))
    db_url = f"sqlite:///{root / 'central.sqlite3'}"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    server = subprocess.Popen(
        [sys.executable, "-c", PLATFORM_SCRIPT, db_url, TERMINAL],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert server.stdout is not None
        platform = json.loads(server.stdout.readline())
        sealer = Sealer(load_public_key(base64.b64decode(platform["public_key"])))
        began = time.perf_counter()
        fill(root / "outbox", sealer, args.items)
        print(f"filled {args.items} in {time.perf_counter() - began:.1f} s", file=sys.stderr)

        link = PlatformLink(platform["url"], platform["token"], TERMINAL)
        settings = SyncSettings(workers=args.workers, batch_size=args.batch)
        engine = SyncEngine(root / "outbox", link, settings)
        start = time.perf_counter()
        report = engine.run_once()
        drain_seconds = time.perf_counter() - start
        status = engine.status()
        engine.stop()
        drain_rate = report.sent / drain_seconds
        print(f"drained {report.sent} in {drain_seconds:.1f} s: {drain_rate:.0f}/s", file=sys.stderr)

        peer_rate = peer_loop(platform["url"], platform["token"], sealer, args.peer_items)
        print(f"peer loop: {peer_rate:.0f}/s", file=sys.stderr)

        engine_db = create_engine(db_url)
        with engine_db.connect() as conn:
            stored = conn.execute(select(func.count()).select_from(submissions)).scalar_one()
            distinct = conn.execute(select(func.count(func.distinct(submissions.c.id)))).scalar_one()
        engine_db.dispose()
    finally:
        if server.stdin is not None:
            server.stdin.close()
        server.wait(timeout=30)
        shutil.rmtree(root, ignore_errors=True)
    result = {
        "bench": "sync_drain",
        "items": args.items,
        "with_attachment_every": 10,
        "attachment_bytes": 100 * 1024,
        "workers": args.workers,
        "batch": args.batch,
        "sent": report.sent,
        "left_pending": status.pending,
        "platform_records": stored,
        "platform_distinct_ids": distinct,
        "drain_per_s": round(drain_rate, 1),
        "drain_seconds": round(drain_seconds, 2),
        "peer_requests_post_per_s": round(peer_rate, 1),
        "peer_items": args.peer_items,
        "ratio_vs_requests_post_loop": round(drain_rate / peer_rate, 2),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
