"""好差评 ratings: the terminal's book of them, saved durably first; each stays pending until the platform
acknowledges it (sending is the hall's: :mod:`kiosk.hall.rating_upload`).

The national scheme keeps each rating with the case number, the service code, the channel (self-service
terminal), the terminal and region codes, the time, and the rater's masked ID.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from pathlib import Path

import uuid_utils

from kiosk.records.local_db import Migration, open_local_db
from kiosk.visit.identity import mask_id_number
from kiosk.visit.ports import Rating, Terminal
from kiosk.visit.session import Applicant

#: Entry ``n`` takes the file from version ``n`` to ``n + 1``; version 1 is the release before versions.
MIGRATIONS: tuple[Migration, ...] = (
    "CREATE TABLE IF NOT EXISTS rating (id TEXT PRIMARY KEY, body TEXT NOT NULL, sent INTEGER DEFAULT 0);",
)


class RatingBook:
    def __init__(self, path: Path) -> None:
        self._lock = threading.Lock()
        self._conn = open_local_db(path, MIGRATIONS)

    def record(self, rating: Rating, terminal: Terminal, applicant: Applicant | None) -> str:
        rating_id = str(uuid_utils.uuid7())
        body = {
            "case_no": rating.case_no or "NONE",
            "service_code": rating.service_code,
            "level": rating.level,
            "reason": rating.reason or None,
            "channel": terminal.channel,
            "terminal_id": terminal.terminal_id,
            "region_code": terminal.region_code,
            "rated_at": datetime.now(UTC).isoformat(),
            "rater_masked": mask_id_number(applicant.id_number) if applicant else "",
        }
        with self._lock:
            self._conn.execute("INSERT INTO rating (id, body) VALUES (?, ?)", (rating_id, json.dumps(body)))
        return rating_id

    def pending(self) -> list[tuple[str, dict[str, object]]]:
        with self._lock:
            rows = self._conn.execute("SELECT id, body FROM rating WHERE sent = 0 ORDER BY id").fetchall()
        return [(row[0], json.loads(row[1])) for row in rows]

    def mark_sent(self, rating_id: str) -> None:
        """The platform acknowledged it: never sent again."""
        with self._lock:
            self._conn.execute("UPDATE rating SET sent = 1 WHERE id = ?", (rating_id,))

    def mark_refused(self, rating_id: str) -> None:
        """The platform refused it for good (kept in the book, never sent again)."""
        with self._lock:
            self._conn.execute("UPDATE rating SET sent = -1 WHERE id = ?", (rating_id,))

    def close(self) -> None:
        self._conn.close()
