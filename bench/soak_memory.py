"""What a soak's memory growth is made of, opt-in by environment (both printed to stderr at the end of a run):

- ``SOAK_TRACEMALLOC=1``: Python allocations are traced from the end of the warm-up on (25 frames each), so
  what is still alive at the end is what the visits after warm-up kept; the 20 largest allocation sites by
  traceback, and the per-file totals;
- always when either switch is set: live Python objects by type, live Qt widgets and QObjects under the
  window by class, and threads by name, at warm-up and at the end, the kinds that grew; and the native heap
  (:func:`native`: SQLite's own allocations, all connections' page caches included, and glibc's heap in use
  and free) at warm-up, every 50 visits and at the end, to tell a cache levelling off from a leak; and the
  resident memory by mapping (``/proc/self/smaps``: a library's pages, the heap, nameless mappings) that grew.
  ``SOAK_SMAPS=FILE`` turns these on too (and ``bench/soak.py`` writes the whole smaps to FILE at the end).
"""

from __future__ import annotations

import ctypes
import gc
import os
import sys
import threading
import tracemalloc
from collections import Counter
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication, QWidget

FRAMES = 25


class _MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks")
    ] + [("keepcost", ctypes.c_size_t)]


def native() -> str:
    """SQLite's memory in use (the library Python's sqlite3 runs on) and glibc's heap: in use, free in it."""
    parts = []
    try:
        used = ctypes.CDLL("libsqlite3.so.0").sqlite3_memory_used
        used.restype = ctypes.c_int64
        parts.append(f"sqlite {used() / 2**20:.2f} MB")
    except (OSError, AttributeError):
        pass
    try:
        mallinfo2 = ctypes.CDLL("libc.so.6").mallinfo2
        mallinfo2.restype = _MallInfo2
        info = mallinfo2()
        parts.append(
            f"malloc in use {(info.uordblks + info.hblkhd) / 2**20:.1f} MB, free {info.fordblks / 2**20:.1f} MB"
        )
    except (OSError, AttributeError):
        pass
    return ", ".join(parts)


def wanted() -> bool:
    return bool(os.environ.get("SOAK_TRACEMALLOC") or os.environ.get("SOAK_OBJECTS") or os.environ.get("SOAK_SMAPS"))


def smaps_rss() -> Counter[str]:
    """Resident kilobytes by mapping (the file's name, ``[heap]``, ``[anon]`` for nameless mappings)."""
    by_mapping: Counter[str] = Counter()
    name = ""
    with open("/proc/self/smaps", encoding="utf-8", errors="replace") as smaps:
        for line in smaps:
            fields = line.split()
            if fields and "-" in fields[0] and len(fields) >= 5:  # a mapping's header line
                name = fields[5] if len(fields) > 5 else "[anon]"
            elif fields and fields[0] == "Rss:":
                by_mapping[name] += int(fields[1])
    return by_mapping


def counts(window: QWidget | None) -> dict[str, Counter[str]]:
    gc.collect()
    objects: Counter[str] = Counter(type(o).__qualname__ for o in gc.get_objects())
    widgets: Counter[str] = Counter(type(w).__name__ for w in QApplication.allWidgets())
    qobjects: Counter[str] = Counter()
    if window is not None:
        qobjects.update(o.metaObject().className() for o in window.findChildren(QObject))
    threads: Counter[str] = Counter(t.name.rstrip("0123456789-") or t.name for t in threading.enumerate())
    return {"python objects": objects, "widgets": widgets, "qobjects under the window": qobjects, "threads": threads}


class MemoryWatch:
    """Snapshots at warm-up and at the end; ``report`` prints what grew between them."""

    def __init__(self) -> None:
        self.enabled = wanted()
        self.traced = bool(os.environ.get("SOAK_TRACEMALLOC"))
        self.first: dict[str, Counter[str]] = {}
        self.start_snapshot: Any = None
        self.visits_at_start = 0
        self.first_smaps: Counter[str] = Counter()

    def warm(self, window: QWidget | None, visit: int) -> None:
        if not self.enabled:
            return
        self.visits_at_start = visit
        self.first = counts(window)
        self.first_smaps = smaps_rss()
        print(f"visit {visit} (warm): {native()}", file=sys.stderr, flush=True)
        if self.traced:
            tracemalloc.start(FRAMES)
            self.start_snapshot = tracemalloc.take_snapshot()

    def progress(self) -> str:
        return f", {native()}" if self.enabled else ""

    def report(self, window: QWidget | None, visit: int) -> None:
        if not self.enabled or not self.first:
            return
        out = sys.stderr
        visits = max(1, visit - self.visits_at_start)
        print(f"=== memory between visit {self.visits_at_start} and {visit} ({visits} visits) ===", file=out)
        print(f"--- native at the end: {native()}", file=out)
        last_smaps = smaps_rss()
        mappings = sorted(((n - self.first_smaps.get(k, 0), k) for k, n in last_smaps.items()), reverse=True)
        total = sum(last_smaps.values()) - sum(self.first_smaps.values())
        print(f"--- resident memory by mapping: {total:+d} KB in all; grew most:", file=out)
        for diff, mapping in mappings[:8]:
            print(f"  {diff:+7d} KB {mapping}", file=out)
        if self.traced:
            end = tracemalloc.take_snapshot()
            tracemalloc.stop()
            filters = [tracemalloc.Filter(False, tracemalloc.__file__)]
            end = end.filter_traces(filters)
            by_file = end.compare_to(self.start_snapshot.filter_traces(filters), "filename")
            total = sum(s.size_diff for s in by_file)
            print(f"--- traced Python growth: {total / 1024:.1f} KiB ({total / visits:.0f} B a visit)", file=out)
            for stat in by_file[:15]:
                print(f"  {stat.size_diff / 1024:+9.1f} KiB {stat.count_diff:+7d}  {stat.traceback[0]}", file=out)
            for rank, stat in enumerate(end.compare_to(self.start_snapshot, "traceback")[:20], 1):
                print(f"--- #{rank}: {stat.size_diff / 1024:+.1f} KiB in {stat.count_diff:+d} blocks", file=out)
                for line in stat.traceback.format(limit=FRAMES, most_recent_first=True):
                    print("    " + line, file=out)
        last = counts(window)
        for kind, before in self.first.items():
            grown = sorted(
                ((n - before.get(name, 0), name, n) for name, n in last[kind].items() if n > before.get(name, 0)),
                reverse=True,
            )
            shrunk = sum(1 for name, n in before.items() if last[kind].get(name, 0) < n)
            print(f"--- {kind}: {sum(before.values())} -> {sum(last[kind].values())} ({shrunk} kinds fewer)", file=out)
            for diff, name, n in grown[:30]:
                print(f"  {diff:+7d} {name} (now {n})", file=out)
        out.flush()
