"""A connection one thread keeps across its transactions (专用连接): no pool checkout and no ping per transaction.

The heartbeats' thread takes a batch every few milliseconds. Checking a pooled connection out for each batch,
with the pool's liveness ping (one more round trip to PostgreSQL), cost about as much as a small batch's own
statements. So that thread keeps one connection, set up once by ``prepare`` (a session setting of its own), and
pings it only after it has been idle a while. The connection is never handed back to the pool, where its session
setting would reach other work: a connection the database dropped, or that the thread lets go, is thrown away,
and the next transaction opens a fresh one.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress

from sqlalchemy import Connection, Engine

#: A connection idle longer than this (seconds) is pinged before its next transaction: the database may have
#: restarted or failed over meanwhile.
PING_AFTER_IDLE_S = 5.0


class HeldConnection:
    """One connection for one thread at a time, kept between transactions."""

    def __init__(self, engine: Engine, prepare: Callable[[Connection], None] | None = None) -> None:
        self._engine = engine
        self._prepare = prepare
        self._conn: Connection | None = None
        self._used_at = 0.0

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """The kept connection in a transaction, committed when the block ends (rolled back if it raises)."""
        conn = self._usable()
        try:
            with conn.begin():
                yield conn
        finally:
            self._used_at = time.monotonic()
            if conn.invalidated or conn.closed:  # the database dropped it: the next transaction opens another
                self.let_go()

    def let_go(self) -> None:
        """Throw the connection away (never back to the pool)."""
        conn, self._conn = self._conn, None
        if conn is not None:
            with suppress(Exception):  # it may be broken already; it is discarded either way
                conn.invalidate()
                conn.close()

    def _alive(self, conn: Connection) -> bool:
        """The dialect's own liveness ping, below the connection's transaction (on SQLite no write lock is taken)."""
        try:
            dbapi = conn.connection.dbapi_connection
            return dbapi is not None and bool(self._engine.dialect.do_ping(dbapi))
        except Exception:  # noqa: BLE001 - whatever the driver raises, the connection is not to be used
            return False

    def _usable(self) -> Connection:
        conn = self._conn
        if conn is not None and time.monotonic() - self._used_at > PING_AFTER_IDLE_S and not self._alive(conn):
            self.let_go()
            conn = None
        if conn is None:
            conn = self._engine.connect()
            try:
                if self._prepare is not None:
                    self._prepare(conn)
                    conn.commit()
            except BaseException:
                conn.invalidate()
                conn.close()
                raise
            self._conn = conn
        return conn
