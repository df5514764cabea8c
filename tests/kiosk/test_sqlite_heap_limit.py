"""The kiosk's SQLite connections share a limited memory: books that grow all day (three here, each written as
the outbox, the journal and the ratings are) do not each keep SQLite's default 2 MB page cache."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path

from kiosk.hall.memory import SQLITE_HEAP_BYTES, limit_sqlite_heap


def _cache_bytes(conn: sqlite3.Connection) -> int:
    """What the connection's page cache may hold by its own setting (``cache_size``: pages, or -KiB)."""
    (size,) = conn.execute("PRAGMA cache_size").fetchone()
    (page,) = conn.execute("PRAGMA page_size").fetchone()
    return int(-size * 1024 if size < 0 else size * page)


def test_the_limit_is_in_force_for_every_connection_and_below_three_default_caches(tmp_path: Path) -> None:
    before = limit_sqlite_heap(0)  # 0: no limit (SQLite's default), as the process started
    try:
        assert limit_sqlite_heap() == SQLITE_HEAP_BYTES
        with contextlib.closing(sqlite3.connect(tmp_path / "journal.sqlite3")) as conn:
            (limit,) = conn.execute("PRAGMA soft_heap_limit").fetchone()
            assert limit == SQLITE_HEAP_BYTES  # one limit for the process, seen from any connection
            assert 3 * _cache_bytes(conn) > SQLITE_HEAP_BYTES
            conn.execute("CREATE TABLE t (x BLOB)")
            for _ in range(200):
                conn.execute("INSERT INTO t VALUES (?)", (os.urandom(2000),))
            conn.commit()
            assert conn.execute("SELECT count(*) FROM t").fetchone() == (200,)  # the books work as before
    finally:
        limit_sqlite_heap(before)
