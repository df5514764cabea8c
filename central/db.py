"""Opening the platform's database from a URL: SQLite for the demo and small sites, PostgreSQL for a province.

``postgresql://`` URLs use the psycopg 3 driver. SQLite runs in WAL mode with ``synchronous=FULL`` (an answer
of 201 means the row is on disk) and every transaction starts with ``BEGIN IMMEDIATE``, so two writers queue
on the busy timeout instead of failing with "database is locked" when a read turns into a write.
Within one process, SQLite write transactions also queue on a lock of ours (``central.sqlite_writes``).
"""

from __future__ import annotations

import sqlite3
import time
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError

from central.schema import metadata
from central.sqlite_writes import QueuedWriter


class DatabaseError(Exception):
    """The database URL is wrong or the database cannot be reached; the message names the URL's kind."""


def normalise_url(url: str) -> str:
    """Accept the URLs operators write (``postgresql://``, ``sqlite:///path``) and pick our drivers."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseError(f"not a database URL: {url!r} (use sqlite:///PATH or postgresql://...)") from exc
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    elif parsed.drivername not in ("sqlite", "sqlite+pysqlite", "postgresql+psycopg"):
        raise DatabaseError(f"unsupported database {parsed.drivername!r}: use sqlite:/// or postgresql://")
    return parsed.render_as_string(hide_password=False)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event below issue BEGIN, so savepoints and locking work as written.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


#: Execution option marking a connection that only reads (authentication, look-ups).
READ_ONLY = "central_read_only"


def _sqlite_begin(conn: Any) -> None:
    # Writers take the write lock up front; readers never need it (WAL lets them read beside a writer).
    if conn.get_execution_options().get(READ_ONLY):
        conn.exec_driver_sql("BEGIN")
        return
    writer = conn.connection.dbapi_connection
    if not writer.take_write_turn():
        raise OperationalError("BEGIN IMMEDIATE", None, sqlite3.OperationalError("database is locked"))
    try:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    except BaseException:
        writer.give_back_write_turn()
        raise


def reading(engine: Engine) -> Connection:
    """A connection for look-ups only: on SQLite it does not queue behind a writer's big batch."""
    return engine.connect().execution_options(**{READ_ONLY: True})


def open_engine(url: str, *, create_schema: bool = True) -> Engine:
    """An engine for ``url`` with the schema in place (created if missing).

    ``hide_parameters``: a database error's message would otherwise quote the row, and rows hold the
    opened payload; such messages reach the server log.
    """
    full = normalise_url(url)
    if full.startswith("sqlite"):
        engine = create_engine(
            full,
            connect_args={"check_same_thread": False, "timeout": 30, "factory": QueuedWriter},
            hide_parameters=True,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    else:
        engine = create_engine(full, pool_size=10, max_overflow=20, pool_pre_ping=True, hide_parameters=True)
    if create_schema:
        _create_schema(engine)
    return engine


def _create_schema(engine: Engine) -> None:
    # Several instances may start at once against one PostgreSQL; the loser of a CREATE race retries once.
    for attempt in range(3):
        try:
            metadata.create_all(engine)
            return
        except OperationalError as exc:
            if attempt == 2:
                reason = " ".join(str(exc.orig).split())
                backend = engine.url.get_backend_name()
                raise DatabaseError(f"cannot open the database ({backend}): {reason}") from exc
        except DBAPIError:
            if attempt == 2:
                raise
        time.sleep(0.2)
