"""How the kiosk process holds its C heap (glibc malloc) through months of visits without a restart.

A visit makes large short-lived buffers on several threads: camera frames (1280 × 720 × 3 = 2.7 MB each) and
their grey copies, receipt images, Qt's paint buffers. glibc's default is to raise its "large block" threshold
to the size of the largest block freed so far, so after the first frame every later frame comes from the
heap instead of its own mapping; the heap then keeps the holes, one heap per thread (up to eight per core).
On this kiosk that held about 40 MB that nothing used.

:func:`tune_heap`, once at start-up before the hall's threads exist, fixes the threshold (blocks of 128 KiB
and more get their own mapping and go back to the system when freed) and allows two heaps in all.
:func:`give_back_free_heap` returns what the heap holds free, after a visit's wipe.

SQLite gives each connection a page cache of up to 2 MB (its default ``cache_size``), filled as the terminal's
books grow: with the outbox, the print journal, the ratings, the tickets, the usage log and the audit log
open all day, the caches grew ≈ 0.2 MB per 100 visits in the soak and would keep growing for weeks. The kiosk
reads back little of what it wrote, so :func:`tune_heap` also sets SQLite's soft heap limit
(:data:`SQLITE_HEAP_BYTES` for all connections together): past it, SQLite re-uses cached pages instead of
allocating more.

Both do nothing (and say so by returning ``False``) where the C library is not glibc.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import functools
import logging
import platform
import sqlite3

log = logging.getLogger(__name__)

#: mallopt(3) parameters, from glibc's <malloc.h>.
M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8
#: Blocks this large get a mapping of their own (glibc's starting value, kept instead of growing).
MMAP_THRESHOLD_BYTES = 128 * 1024
#: Heaps for all threads: the main thread's and one for the rest (devices, sync, workers).
ARENA_MAX = 2
#: SQLite's memory for all the kiosk's connections together (≈ 0.8 MB in use after the first visits).
SQLITE_HEAP_BYTES = 2 * 1024 * 1024


@functools.cache
def _glibc() -> ctypes.CDLL | None:
    if platform.libc_ver()[0] != "glibc":
        return None
    name = ctypes.util.find_library("c") or "libc.so.6"
    try:
        libc = ctypes.CDLL(name)
        libc.mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
        libc.malloc_trim.argtypes = (ctypes.c_size_t,)
    except (OSError, AttributeError):
        return None
    return libc


def limit_sqlite_heap(limit: int = SQLITE_HEAP_BYTES) -> int:
    """Set SQLite's soft heap limit for the process (``PRAGMA soft_heap_limit``); returns the limit in force."""
    with contextlib.closing(sqlite3.connect(":memory:")) as conn:
        conn.execute(f"PRAGMA soft_heap_limit = {int(limit)}").fetchall()
        (now,) = conn.execute("PRAGMA soft_heap_limit").fetchone()
    return int(now)


def tune_heap() -> bool:
    """Fix the large-block threshold and the number of heaps (``True`` when the C library took both), and
    limit SQLite's caches (:func:`limit_sqlite_heap`)."""
    limit_sqlite_heap()
    libc = _glibc()
    if libc is None:
        return False
    # mallopt answers 1 on success, 0 on a refused value.
    tuned = bool(libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)) and bool(libc.mallopt(M_ARENA_MAX, ARENA_MAX))
    if not tuned:
        log.warning("malloc tuning refused by the C library: memory use may creep up over long runs")
    return tuned


def give_back_free_heap() -> bool:
    """Hand the heap's free pages back to the system; ``True`` when some memory was released."""
    libc = _glibc()
    return bool(libc.malloc_trim(0)) if libc is not None else False
