"""Opening the platform's database from a URL: SQLite for the demo and small sites, PostgreSQL for a province.

``postgresql://`` URLs use the psycopg 3 driver. SQLite runs in WAL mode with ``synchronous=FULL`` (an answer
of 201 means the row is on disk) and every transaction starts with ``BEGIN IMMEDIATE``, so two writers queue
on the busy timeout instead of failing with "database is locked" when a read turns into a write.
Within one process, SQLite write transactions also queue on a lock of ours (``central.sqlite_writes``).

The schema is Alembic's (``central/migrations``): :func:`upgrade_schema` brings a database to this release's
head in one transaction, under a lock (PostgreSQL's advisory lock, SQLite's write lock) so several instances
starting together upgrade it once. A database made before migrations existed (tables, no
``alembic_version``) is adopted as the first revision, not re-created.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError

from central.sqlite_writes import QueuedWriter

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
#: The first revision: the schema the release before migrations made with ``metadata.create_all``.
BASELINE_REVISION = "0001"
#: That release's tables; a database holding all of them and no ``alembic_version`` is stamped as the baseline.
BASELINE_TABLES = frozenset(
    {"terminals", "alerts", "submissions", "submission_attachments", "attachments", "attachment_chunks", "ratings"}
)
#: Key of the PostgreSQL advisory lock held while upgrading (any fixed number; this one spells "kiosk-db").
UPGRADE_LOCK_KEY = 0x6B696F736B2D6462
#: Alembic keeps its running migration in module-level proxies (``alembic.context``, ``alembic.op``): one
#: upgrade at a time per process, whatever the database.
_UPGRADING = threading.Lock()


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
    cursor.execute("PRAGMA busy_timeout=30000")
    _switch_to_wal(cursor)
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _switch_to_wal(cursor: Any) -> None:
    # WAL mode is kept in the file; switching a new file needs its lock for a moment, and SQLite answers
    # "database is locked" at once (no busy handler) while another instance opening it at the same time holds
    # it. Several platform instances starting together on one new file retry within the busy timeout.
    deadline = time.monotonic() + 30.0
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


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
    """An engine for ``url``; with ``create_schema`` the schema is brought to this release's (see
    :func:`upgrade_schema`).

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
        try:
            upgrade_schema(engine)
        except BaseException:
            engine.dispose()
            raise
    return engine


@dataclass(frozen=True)
class SchemaUpgrade:
    """What :func:`upgrade_schema` found and left: revisions (``None``: no schema yet)."""

    before: str | None
    after: str
    adopted: bool  # made before migrations existed, stamped as the baseline

    def describe(self) -> str:
        """One line for the operator."""
        newest = f"revision {self.after} (the newest this release knows)"
        if self.adopted:
            adopted = f"adopted a database from before schema migrations as revision {BASELINE_REVISION}"
            return adopted if self.after == BASELINE_REVISION else f"{adopted}, then upgraded it to {newest}"
        if self.before is None:
            return f"created the schema in an empty database at {newest}"
        if self.before == self.after:
            return f"schema at {newest}: nothing to do"
        return f"schema upgraded from revision {self.before} to {newest}"


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration for the platform's migrations, running on ``connection`` when given."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def upgrade_schema(engine: Engine) -> SchemaUpgrade:
    """Bring the database to this release's newest revision, in one transaction under the upgrade lock.

    Raises :class:`DatabaseError` for a database this release must not touch: one upgraded by a newer
    release, or one holding only some of the platform's tables.
    """
    backend = engine.url.get_backend_name()
    try:
        # On SQLite the transaction begins with BEGIN IMMEDIATE (see _sqlite_begin): the file's write lock.
        with _UPGRADING, engine.begin() as conn:
            if backend == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": UPGRADE_LOCK_KEY})
            return _upgrade(conn)
    except OperationalError as exc:
        reason = " ".join(str(exc.orig).split())
        raise DatabaseError(f"cannot open the database ({backend}): {reason}") from exc


def _upgrade(conn: Connection) -> SchemaUpgrade:
    config = alembic_config(conn)
    script = ScriptDirectory.from_config(config)
    head = script.get_current_head()
    assert head is not None
    heads = MigrationContext.configure(conn).get_current_heads()
    before = heads[0] if heads else None
    adopted = False
    if not heads:
        present = BASELINE_TABLES & set(inspect(conn).get_table_names())
        if present == BASELINE_TABLES:
            command.stamp(config, BASELINE_REVISION)
            before, adopted = BASELINE_REVISION, True
        elif present:
            missing = ", ".join(sorted(BASELINE_TABLES - present))
            raise DatabaseError(
                f"the database holds some of the platform's tables but not {missing} (and no alembic_version): "
                "not a platform database this release can upgrade; restore it or use an empty database"
            )
    for revision in heads:
        try:
            script.get_revision(revision)
        except CommandError:
            raise DatabaseError(
                f"the database's schema is at revision {revision}, which this release does not know (its newest "
                f"is {head}): a newer release of the platform upgraded it; run that release or a later one"
            ) from None
    if before != head:
        command.upgrade(config, "head")
    return SchemaUpgrade(before=None if adopted else before, after=head, adopted=adopted)
