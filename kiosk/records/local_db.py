"""The terminal's small local SQLite files (print journal, ratings, tickets): durable on every commit."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def open_local_db(path: Path, schema: str) -> sqlite3.Connection:
    """Open (creating) ``path`` in WAL mode with ``synchronous=FULL`` and autocommit, and apply ``schema``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    connection.executescript(schema)
    return connection
