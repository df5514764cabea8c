"""How the platform writes to a SQLite file: one writer at a time per process, queued.

SQLite has one writer at a time, and a writer that finds the lock taken sleeps in SQLite's busy handler in
steps of up to 100 ms, however soon the lock is free (a drain measured waits of up to 1.1 s). Within one
process, write transactions on one file therefore queue on a turn of ours first: each goes the moment the one
before it commits, and the heartbeats' batches go before the others waiting. The busy timeout still settles
writers in other processes (several platform instances, an import run beside a serving platform).

(Measured and not kept: checkpointing the WAL on a thread of its own instead of inside the commit that fills
it: no difference in ``bench/sync_drain.py`` beyond the machine's noise.)
"""

from __future__ import annotations

import os
import sqlite3
import threading
from typing import Any

#: Seconds a write transaction waits for its turn in this process: SQLite's own busy timeout.
WRITE_WAIT_SECONDS = 30.0


class WriteTurn:
    """One file's write turn in this process. An urgent writer waiting for it (the heartbeats' batches: a few
    small rows, answered while terminals wait) goes before the others, so a beat waits for the write under way,
    not for every intake batch queued behind it."""

    def __init__(self) -> None:
        self._changed = threading.Condition(threading.Lock())
        self._held = False
        self._urgent_waiting = 0

    def acquire(self, *, urgent: bool, timeout: float) -> bool:
        with self._changed:
            if urgent:
                self._urgent_waiting += 1
                self._changed.notify_all()  # for whoever waits to see an urgent writer queue (wait_for_urgent)
            try:
                taken = self._changed.wait_for(lambda: not self._held and (urgent or not self._urgent_waiting), timeout)
                if taken:
                    self._held = True
                return taken
            finally:
                if urgent:
                    self._urgent_waiting -= 1

    def wait_for_urgent(self, timeout: float) -> bool:
        """Wait until an urgent writer waits for the turn (a look at the queue); False if none came in time."""
        with self._changed:
            return self._changed.wait_for(lambda: self._urgent_waiting > 0, timeout)

    def release(self) -> None:
        with self._changed:
            self._held = False
            self._changed.notify_all()


_write_turns: dict[str, WriteTurn] = {}
_write_turns_guard = threading.Lock()


def _write_turn_for(database: str) -> WriteTurn:
    key = database if database in ("", ":memory:") else os.path.realpath(database)
    with _write_turns_guard:
        return _write_turns.setdefault(key, WriteTurn())


class QueuedWriter(sqlite3.Connection):
    """A SQLite connection whose write transactions take this process's turn for its file, held until the
    transaction's commit or rollback has returned (pass as ``factory`` to ``sqlite3.connect``)."""

    def __init__(self, database: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(database, *args, **kwargs)
        self.write_turn = _write_turn_for(str(database))
        self._holding = False
        #: This connection's writes go first among those waiting (set on the heartbeats' own connection).
        self.urgent = False

    def take_write_turn(self) -> bool:
        self._holding = self.write_turn.acquire(urgent=self.urgent, timeout=WRITE_WAIT_SECONDS)
        return self._holding

    def give_back_write_turn(self) -> None:
        """Give the turn back if this connection holds it."""
        if self._holding:
            self._holding = False
            self.write_turn.release()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.give_back_write_turn()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.give_back_write_turn()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.give_back_write_turn()
