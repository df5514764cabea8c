"""Schema versions for the terminal's SQLite files, kept in ``PRAGMA user_version``.

A store lists its migrations in order: entry ``n`` takes a file from version ``n`` to ``n + 1``, so the
length of the list is the version this release writes, and the next schema change is one more entry. The
first entry is the first versioned schema written with ``IF NOT EXISTS``: it creates the tables in a new
file and adopts, unchanged, a file from the release before versions existed (version 0, tables in place).

Opening runs the missing steps and the new version number in one transaction (SQLite's DDL is
transactional), so a power cut mid-upgrade leaves the file as it was. A file from a newer release is refused
with :class:`SchemaTooNewError` and left untouched: an older program must not guess at a newer layout.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path

#: One step: SQL statements (triggers included), or a function for a change SQL alone cannot make.
Migration = str | Callable[[sqlite3.Connection], None]


class SchemaTooNewError(Exception):
    """The file was written by a newer release than this one; it is not opened."""

    def __init__(self, path: Path, found: int, known: int) -> None:
        super().__init__(
            f"{path} has schema version {found}, but this release knows versions up to {known}: it was written "
            f"by a newer release of the kiosk software. Install that release (or newer) again; the file was "
            f"left untouched."
        )
        self.path = path
        self.found = found
        self.known = known


def statements(script: str) -> list[str]:
    """Split ``script`` into whole statements (a trigger's body keeps its inner ``;``)."""
    done: list[str] = []
    pending = ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n\t;"):
                done.append(pending.strip())
            pending = ""
    if pending.strip(" \n\t;"):
        raise ValueError(f"incomplete SQL statement in a migration: {pending.strip()!r}")
    return done


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, path: Path, migrations: Sequence[Migration]) -> int:
    """Bring the file open on ``conn`` (autocommit mode) to version ``len(migrations)``; returns that version.

    Raises :class:`SchemaTooNewError` for a file from a newer release. Several processes may open one file at
    once: the upgrade holds SQLite's write lock and reads the version again under it.
    """
    if isinstance(migrations, str):
        raise TypeError("migrations is a list of steps, not one SQL script: wrap it in a tuple")
    known = len(migrations)
    if schema_version(conn) == known:
        return known
    conn.execute("BEGIN IMMEDIATE")
    try:
        found = schema_version(conn)
        if found > known:
            raise SchemaTooNewError(path, found, known)
        for step in migrations[found:]:
            if isinstance(step, str):
                for statement in statements(step):
                    conn.execute(statement)
            else:
                step(conn)
        conn.execute(f"PRAGMA user_version = {known:d}")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return known
