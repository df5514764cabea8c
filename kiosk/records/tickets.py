"""Queue tickets (排队取号): numbers per counter per day, kept on disk so a restart never repeats a number."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from kiosk.records.local_db import Migration, open_local_db

#: Tickets issued within this many seconds before yours are counted as waiting ahead (the hall's calling
#: system is not connected here, so served tickets are unknown; this is an estimate, and said to be one).
WAITING_WINDOW_SECONDS = 20 * 60

#: Entry ``n`` takes the file from version ``n`` to ``n + 1``; version 1 is the release before versions.
MIGRATIONS: tuple[Migration, ...] = (
    "CREATE TABLE IF NOT EXISTS ticket (day TEXT, counter TEXT, seq INTEGER, issued_at REAL, "
    "PRIMARY KEY (day, counter, seq));",
)


@dataclass(frozen=True)
class Ticket:
    number: str
    counter: str
    waiting: int


class TicketRoll:
    def __init__(self, path: Path, *, today: Callable[[], date] = date.today) -> None:
        """``today``: the hall's date (numbers start again at the hall's midnight, not the system clock's)."""
        self._lock = threading.Lock()
        self._conn = open_local_db(path, MIGRATIONS)
        self._today = today

    def issue(self, counter: str, today: date | None = None, now: float | None = None) -> Ticket:
        day = (today or self._today()).isoformat()
        issued_at = time.time() if now is None else now
        letter = (counter or "A")[:1].upper()
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                (last,) = self._conn.execute(
                    "SELECT COALESCE(MAX(seq), 0) FROM ticket WHERE day = ? AND counter = ?", (day, letter)
                ).fetchone()
                (waiting,) = self._conn.execute(
                    "SELECT COUNT(*) FROM ticket WHERE day = ? AND counter = ? AND issued_at > ?",
                    (day, letter, issued_at - WAITING_WINDOW_SECONDS),
                ).fetchone()
                self._conn.execute("INSERT INTO ticket VALUES (?, ?, ?, ?)", (day, letter, last + 1, issued_at))
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
        return Ticket(f"{letter}{last + 1:03d}", letter, int(waiting))

    def close(self) -> None:
        self._conn.close()
