"""Writers on one SQLite platform database queue in the process instead of sleeping in SQLite's busy handler:
each write transaction starts as soon as the one before it has committed, and a failed or rolled-back
transaction never leaves the next one waiting. The heartbeats' batches go before the other writers waiting."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import cast

import pytest
from sqlalchemy import Connection, Engine, text

from central import sqlite_writes
from central.console.beat import prepare_beats_connection
from central.db import open_engine, reading
from central.held_connection import HeldConnection


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    engine = open_engine(f"sqlite:///{tmp_path / 'central.sqlite3'}", create_schema=False)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE note (n INTEGER)"))
    return engine


def _no_busy_wait(conn: Connection) -> None:
    """Turn SQLite's busy handler off for this connection: a writer that finds the file locked fails at once
    with "database is locked" instead of sleeping until the lock is free."""
    dbapi = conn.connection.dbapi_connection
    assert dbapi is not None
    dbapi.execute("PRAGMA busy_timeout=0")


def _asked_by(thread_name: str, monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """An event set when the thread of that name asks for its write turn (just before it would wait for it)."""
    asked = threading.Event()
    take_write_turn = sqlite_writes.QueuedWriter.take_write_turn

    def take_noted(writer: sqlite_writes.QueuedWriter) -> bool:
        if threading.current_thread().name == thread_name:
            asked.set()
        return take_write_turn(writer)

    monkeypatch.setattr(sqlite_writes.QueuedWriter, "take_write_turn", take_noted)
    return asked


def test_a_writer_starts_as_soon_as_the_one_before_it_commits(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    holding = threading.Event()
    second_begins = _asked_by("second", monkeypatch)
    failures: list[BaseException] = []

    def first() -> None:
        with engine.connect() as conn:
            _no_busy_wait(conn)
            with conn.begin():
                conn.execute(text("INSERT INTO note VALUES (1)"))
                holding.set()
                # The second writer asks for its turn while this transaction holds SQLite's write lock.
                assert second_begins.wait(10), "the second writer never began"

    def second() -> None:
        assert holding.wait(10)
        with engine.connect() as conn:
            _no_busy_wait(conn)  # had it reached SQLite before the commit, it would fail here, not sleep
            with conn.begin():
                conn.execute(text("INSERT INTO note VALUES (2)"))

    def run(target: Callable[[], None]) -> Callable[[], None]:
        def guarded() -> None:
            try:
                target()
            except BaseException as exc:
                failures.append(exc)
                holding.set()
                second_begins.set()

        return guarded

    threads = [threading.Thread(target=run(first), name="first"), threading.Thread(target=run(second), name="second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert failures == []
    with engine.connect() as conn:
        assert conn.execute(text("SELECT n FROM note ORDER BY rowid")).scalars().all() == [1, 2]


def test_readers_do_not_wait_for_a_writer(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    # A connection that queued for the write turn would now give up at once ("database is locked").
    monkeypatch.setattr(sqlite_writes, "WRITE_WAIT_SECONDS", 0.0)
    with engine.begin() as writer:
        writer.execute(text("INSERT INTO note VALUES (1)"))
        with reading(engine) as conn:
            _no_busy_wait(conn)
            assert conn.execute(text("SELECT count(*) FROM note")).scalar_one() == 0


def test_a_failed_or_rolled_back_transaction_leaves_the_way_free(engine: Engine) -> None:
    def fail_half_way() -> None:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO note VALUES (1)"))
            raise RuntimeError("the request failed half-way")

    with pytest.raises(RuntimeError):
        fail_half_way()
    with engine.connect() as conn, conn.begin() as transaction:
        conn.execute(text("INSERT INTO note VALUES (2)"))
        transaction.rollback()
    with pytest.raises(Exception, match="no such table"), engine.begin() as conn:
        conn.execute(text("INSERT INTO missing VALUES (3)"))
    done = threading.Event()

    def write() -> None:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO note VALUES (4)"))
        done.set()

    threading.Thread(target=write, daemon=True).start()
    assert done.wait(5.0), "a writer was left waiting for a turn no one gave back"
    with engine.connect() as conn:
        assert conn.execute(text("SELECT n FROM note")).scalars().all() == [4]


def test_the_heartbeats_batch_goes_before_the_writers_waiting_with_it(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    beats = HeldConnection(engine, prepare_beats_connection)
    intake_asks = _asked_by("intake", monkeypatch)

    def intake() -> None:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO note VALUES (2)"))

    def heartbeats() -> None:
        with beats.transaction() as conn:
            conn.execute(text("INSERT INTO note VALUES (3)"))

    with engine.begin() as holder:  # a write under way: both others wait for it
        holder.execute(text("INSERT INTO note VALUES (1)"))
        turn = cast(sqlite_writes.QueuedWriter, holder.connection.dbapi_connection).write_turn
        first = threading.Thread(target=intake, name="intake")
        first.start()
        assert intake_asks.wait(10), "the intake's writer never asked for its turn"
        second = threading.Thread(target=heartbeats, name="heartbeats")
        second.start()
        assert turn.wait_for_urgent(10), "the heartbeats' writer never waited for the turn"
    first.join(30)
    second.join(30)
    beats.let_go()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT n FROM note ORDER BY rowid")).scalars().all() == [1, 3, 2]
