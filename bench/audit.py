"""The audit log: a durable append beside a raw sqlite3 insert-commit loop, verifying 100,000 entries, and
consistency proofs in a tree of 1,000,000 entries.

1. **Append.** ``AuditLog.record`` of a realistic entry (a resident identified: keyed hash and masked name, a
   case number) against a raw loop that inserts a body of the same size and commits, both in WAL mode at
   ``synchronous=FULL``, so each waits for its own disk flush. Items alternate between the two, so the shared
   disk's slow and fast moments fall on both alike. Every 256th append also signs a checkpoint, as in a hall.
2. **Verify.** ``verify_log`` over a log of ``--verify-entries`` entries (built with ``synchronous=OFF``: the
   building is not what is measured): every entry's bytes, place and seal, the tree, every checkpoint's
   signature and the head. Best and median of three runs.
3. **Consistency proofs.** An RFC 9162 tree of ``--tree-entries`` leaves held in memory (as the platform holds
   a terminal's tree): the proof between two checkpoint sizes made and checked, for 200 pairs of sizes.

Prints one JSON line at the end.

    .venv/bin/python bench/audit.py [--items 2000] [--verify-entries 100000] [--tree-entries 1000000]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kiosk.paths import TerminalPaths
from kiosk.records.audit import AuditAction, AuditLog, Resident
from kiosk.records.audit_verify import verify_log
from offline_cache.wire.merkle import MerkleTree, leaf_hash, verify_consistency
from offline_cache.wire.protocol import canonical_json

TERMINAL = "bench-0001"
RESIDENT = Resident("11010519491231002X", "张小三")


def p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[98] * 1000.0


class RawStore:
    def __init__(self, folder: Path, body: bytes) -> None:
        folder.mkdir(parents=True)
        self.body = body
        self.conn = sqlite3.connect(folder / "raw.sqlite3", isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=FULL")
        self.conn.execute("CREATE TABLE item (id INTEGER PRIMARY KEY, body BLOB NOT NULL)")

    def put(self) -> None:
        self.conn.execute("BEGIN")
        self.conn.execute("INSERT INTO item (body) VALUES (?)", (self.body,))
        self.conn.execute("COMMIT")

    def close(self) -> None:
        self.conn.close()


def bench_append(root: Path, items: int) -> dict[str, float]:
    paths = TerminalPaths(root / "append").ensure()
    log = AuditLog(paths.audit, paths.audit_key, TERMINAL)
    log.record(AuditAction.KIOSK_START, "kiosk")
    sample = log.entries(0, 1)[0]
    raw = RawStore(root / "raw", canonical_json({"pad": "x" * (len(sample) + 110)}))  # an entry's size
    audit_times: list[float] = []
    raw_times: list[float] = []
    try:
        for n in range(items):
            pair = [("audit", n), ("raw", n)] if n % 2 else [("raw", n), ("audit", n)]
            for name, _ in pair:
                began = time.perf_counter()
                if name == "audit":
                    log.record(AuditAction.RESIDENT_IDENTIFIED, "S0001", resident=RESIDENT, case=f"C-{n:08d}")
                    audit_times.append(time.perf_counter() - began)
                else:
                    raw.put()
                    raw_times.append(time.perf_counter() - began)
    finally:
        log.close()
        raw.close()
    audit_rate = len(audit_times) / sum(audit_times)
    raw_rate = len(raw_times) / sum(raw_times)
    print(
        f"append: audit {audit_rate:.0f}/s p50 {statistics.median(audit_times) * 1000:.2f} ms "
        f"p99 {p99(audit_times):.2f} ms; raw {raw_rate:.0f}/s p99 {p99(raw_times):.2f} ms",
        file=sys.stderr,
    )
    return {
        "append_per_s": round(audit_rate, 1),
        "append_p50_ms": round(statistics.median(audit_times) * 1000, 3),
        "append_p99_ms": round(p99(audit_times), 3),
        "raw_sqlite_per_s": round(raw_rate, 1),
        "raw_sqlite_p99_ms": round(p99(raw_times), 3),
        "ratio_vs_raw_sqlite": round(audit_rate / raw_rate, 3),
    }


def bench_verify(root: Path, entries: int) -> dict[str, float]:
    paths = TerminalPaths(root / "verify").ensure()
    log = AuditLog(paths.audit, paths.audit_key, TERMINAL)
    log._conn.execute("PRAGMA synchronous=OFF")  # building only
    began = time.perf_counter()
    for n in range(entries):
        log.record(AuditAction.RESIDENT_IDENTIFIED, f"S{n % 40:04d}", resident=RESIDENT, case=f"C-{n:08d}")
    log.close()
    print(f"verify: built {entries} entries in {time.perf_counter() - began:.1f} s", file=sys.stderr)
    runs = []
    for _ in range(3):
        began = time.perf_counter()
        report = verify_log(paths.audit, paths.audit_key, TERMINAL)
        runs.append(time.perf_counter() - began)
        assert report.whole, report.problems
        assert report.entries == entries
    print(f"verify: {', '.join(f'{r:.3f}' for r in runs)} s", file=sys.stderr)
    return {
        "verify_entries": entries,
        "verify_best_s": round(min(runs), 3),
        "verify_median_s": round(statistics.median(runs), 3),
        "verify_checkpoints": report.checkpoints,
    }


def bench_consistency(entries: int) -> dict[str, float]:
    began = time.perf_counter()
    tree = MerkleTree(leaf_hash(n.to_bytes(8, "big")) for n in range(entries))
    print(f"consistency: built a tree of {entries} leaves in {time.perf_counter() - began:.1f} s", file=sys.stderr)
    # The tree's two million hashes live as long as the process: out of the garbage collector's sweeps, as a
    # long-running platform would keep them.
    gc.collect()
    gc.freeze()
    rng = random.Random(9162)
    pairs = [(entries - 256, entries), (1, entries), (entries // 2 + 1, entries)]
    pairs += [tuple(sorted(rng.sample(range(1, entries + 1), 2))) for _ in range(197)]  # type: ignore[misc]
    roots = {size: tree.root(size) for pair in pairs for size in pair}
    times: list[float] = []
    for first, second in pairs:
        began = time.perf_counter()
        proof = tree.consistency_proof(first, second)
        verify_consistency(first, second, roots[first], roots[second], proof)
        times.append(time.perf_counter() - began)
    print(
        f"consistency: make + check median {statistics.median(times) * 1000:.3f} ms, max {max(times) * 1000:.3f} ms",
        file=sys.stderr,
    )
    return {
        "tree_entries": entries,
        "consistency_median_ms": round(statistics.median(times) * 1000, 3),
        "consistency_p99_ms": round(p99(times), 3),
        "consistency_max_ms": round(max(times) * 1000, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--verify-entries", type=int, default=100_000)
    parser.add_argument("--tree-entries", type=int, default=1_000_000)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="bench-audit-", dir=os.environ.get("BENCH_DIR")))
    try:
        result: dict[str, object] = {"bench": "audit_log", "items": args.items}
        result.update(bench_append(root, args.items))
        result.update(bench_verify(root, args.verify_entries))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    result.update(bench_consistency(args.tree_entries))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
