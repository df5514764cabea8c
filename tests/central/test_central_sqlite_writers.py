"""Writers on one SQLite platform database queue in the process instead of sleeping in SQLite's busy handler:
each write transaction starts as soon as the one before it has committed, and a failed or rolled-back
transaction never leaves the next one waiting."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from central.db import open_engine, reading


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    engine = open_engine(f"sqlite:///{tmp_path / 'central.sqlite3'}", create_schema=False)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE note (n INTEGER)"))
    return engine


def test_a_writer_starts_as_soon_as_the_one_before_it_commits(engine: Engine) -> None:
    holding = threading.Event()
    committed_at: list[float] = []
    started_at: list[float] = []

    def first() -> None:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO note VALUES (1)"))
            holding.set()
            time.sleep(0.45)  # SQLite's busy handler would be asleep until ≈ 0.53 s
        committed_at.append(time.monotonic())

    def second() -> None:
        holding.wait()
        with engine.begin() as conn:
            started_at.append(time.monotonic())
            conn.execute(text("INSERT INTO note VALUES (2)"))

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    # SQLite's busy handler polls in sleeps of up to 100 ms; a queued writer is woken by the commit itself.
    assert started_at[0] - committed_at[0] < 0.05
    with engine.connect() as conn:
        assert conn.execute(text("SELECT n FROM note ORDER BY rowid")).scalars().all() == [1, 2]


def test_readers_do_not_wait_for_a_writer(engine: Engine) -> None:
    with engine.begin() as writer:
        writer.execute(text("INSERT INTO note VALUES (1)"))
        began = time.monotonic()
        with reading(engine) as conn:
            assert conn.execute(text("SELECT count(*) FROM note")).scalar_one() == 0
        assert time.monotonic() - began < 1.0


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
