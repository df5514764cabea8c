"""The terminal's small local SQLite files (print journal, ratings, tickets): durable on every commit.

Each file carries its schema version in ``PRAGMA user_version``; a book lists its migrations in order (entry
``n`` takes a file from version ``n`` to ``n + 1``, see :mod:`offline_cache.sqlite_versions`). Opening
upgrades an older file in one transaction and refuses a newer release's file with
:class:`~offline_cache.sqlite_versions.SchemaTooNewError`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

from offline_cache.sqlite_versions import Migration, SchemaTooNewError, migrate

__all__ = ["Migration", "SchemaTooNewError", "open_local_db"]


def open_local_db(path: Path, migrations: Sequence[Migration]) -> sqlite3.Connection:
    """Open (creating) ``path`` in WAL mode with ``synchronous=FULL`` and autocommit, at the latest version."""
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=FULL")
        migrate(connection, path, migrations)
    except BaseException:
        connection.close()
        raise
    return connection
