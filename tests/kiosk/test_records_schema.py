"""The terminal's local books carry a schema version: a book from the release before versions is adopted with
its rows, and a book from a newer release is refused, untouched."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import pytest

from kiosk.records import journal, ratings, tickets
from kiosk.records.journal import PrintState, ReceiptJournal
from kiosk.records.local_db import SchemaTooNewError
from kiosk.records.ratings import RatingBook
from kiosk.records.tickets import TicketRoll
from kiosk.visit.receipt import ReceiptData, ReceiptKind

#: The books' tables as the release before schema versions wrote them (eaf8770: kiosk/receipt_journal.py,
#: kiosk/tickets.py, kiosk/ratings.py), kept verbatim.
PREVIOUS_JOURNAL = """
CREATE TABLE IF NOT EXISTS receipts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    case_no     TEXT NOT NULL,
    kind        TEXT NOT NULL,
    data        TEXT NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('pending', 'printed', 'failed')),
    reason      TEXT NOT NULL DEFAULT '',
    attempts    INTEGER NOT NULL DEFAULT 0,
    created_at  REAL NOT NULL,
    updated_at  REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS receipts_unprinted ON receipts (state) WHERE state != 'printed';
"""
PREVIOUS_TICKETS = (
    "CREATE TABLE IF NOT EXISTS ticket (day TEXT, counter TEXT, seq INTEGER, issued_at REAL, "
    "PRIMARY KEY (day, counter, seq));"
)
PREVIOUS_RATINGS = (
    "CREATE TABLE IF NOT EXISTS rating (id TEXT PRIMARY KEY, body TEXT NOT NULL, sent INTEGER DEFAULT 0);"
)

DATA = ReceiptData(
    kind=ReceiptKind.ACCEPTED,
    hall_name="示范区政务服务中心",
    service_name="居民身份证换领",
    case_no="SQ2026112200012345",
    issued_at=datetime(2026, 11, 22, 14, 3),
    terminal_id="demo-0001",
    applicant_masked="刘*䶮",
    next_steps=("7 个工作日后凭本回执领取",),
)


def previous_release_file(path: Path, schema: str, *rows: tuple[str, tuple[object, ...]]) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.executescript(schema)
    for sql, params in rows:
        conn.execute(sql, params)
    conn.close()


def user_version(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


def test_a_journal_from_the_previous_release_keeps_its_unprinted_receipt(data_dir: Path) -> None:
    path = data_dir / "receipts.sqlite"
    now = time.time()
    previous_release_file(
        path,
        PREVIOUS_JOURNAL,
        (
            "INSERT INTO receipts (case_no, kind, data, state, reason, attempts, created_at, updated_at) "
            "VALUES (?, ?, ?, 'failed', '缺纸 / paper out', 1, ?, ?)",
            (DATA.case_no, DATA.kind.value, DATA.to_json(), now, now),
        ),
    )
    book = ReceiptJournal(path)
    try:
        (entry,) = book.unprinted()
        assert entry.data == DATA
        assert entry.state is PrintState.FAILED
        assert entry.reason == "缺纸 / paper out"
        book.mark_printed(entry.entry_id)
        assert book.unprinted() == []
    finally:
        book.close()
    assert user_version(path) == len(journal.MIGRATIONS)


def test_a_ticket_roll_from_the_previous_release_goes_on_counting(data_dir: Path) -> None:
    path = data_dir / "tickets.sqlite"
    today = date(2026, 11, 22)
    previous_release_file(
        path, PREVIOUS_TICKETS, ("INSERT INTO ticket VALUES (?, 'A', 7, ?)", (today.isoformat(), time.time()))
    )
    roll = TicketRoll(path)
    try:
        assert roll.issue("A", today=today).number == "A008"
    finally:
        roll.close()
    assert user_version(path) == len(tickets.MIGRATIONS)


def test_a_rating_book_from_the_previous_release_still_holds_its_unsent_rating(data_dir: Path) -> None:
    path = data_dir / "ratings.sqlite"
    body = {"case_no": "SQ1", "service_code": "GA-001", "level": 5}
    previous_release_file(
        path, PREVIOUS_RATINGS, ("INSERT INTO rating (id, body) VALUES ('r-1', ?)", (json.dumps(body),))
    )
    book = RatingBook(path)
    try:
        assert book.pending() == [("r-1", body)]
    finally:
        book.close()
    assert user_version(path) == len(ratings.MIGRATIONS)


BOOKS: dict[str, Callable[[Path], object]] = {
    "journal": ReceiptJournal,
    "tickets": TicketRoll,
    "ratings": RatingBook,
}


@pytest.mark.parametrize("name", sorted(BOOKS))
def test_a_book_from_a_newer_release_is_refused_and_left_untouched(data_dir: Path, name: str) -> None:
    path = data_dir / f"{name}.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.execute("CREATE TABLE from_the_future (x)")
    conn.commit()
    conn.close()
    with pytest.raises(SchemaTooNewError, match="newer release") as refused:
        BOOKS[name](path)
    assert str(path) in str(refused.value)
    assert user_version(path) == 99
