"""好差评 ratings: saved durably first, then sent to the platform with an idempotency key until acknowledged.

The national scheme keeps each rating with the case number, the service code, the channel (self-service
terminal), the terminal and region codes, the time, and the rater's masked ID.
"""

from __future__ import annotations

import json
import logging
import threading
from datetime import UTC, datetime
from pathlib import Path

import requests
import uuid_utils

from kiosk.records.local_db import open_local_db
from kiosk.visit.identity import mask_id_number
from kiosk.visit.ports import Rating, Terminal
from kiosk.visit.session import Applicant
from offline_cache.wire.protocol import HEADER_IDEMPOTENCY_KEY, HEADER_TERMINAL_ID, PATH_RATINGS, is_envelope

log = logging.getLogger(__name__)


class RatingBook:
    def __init__(self, path: Path) -> None:
        self._lock = threading.Lock()
        self._conn = open_local_db(
            path, "CREATE TABLE IF NOT EXISTS rating (id TEXT PRIMARY KEY, body TEXT NOT NULL, sent INTEGER DEFAULT 0);"
        )

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

    def send_pending(self, session: requests.Session, base_url: str, terminal_id: str) -> int:
        """Send what is unsent; a rating counts as sent only on 201 with the protocol's envelope."""
        sent = 0
        for rating_id, body in self.pending():
            try:
                response = session.post(
                    base_url + PATH_RATINGS,
                    json=body,
                    headers={HEADER_IDEMPOTENCY_KEY: rating_id, HEADER_TERMINAL_ID: terminal_id},
                    timeout=10,
                )
            except requests.RequestException as exc:
                log.info("ratings: platform unreachable (%s); will retry", type(exc).__name__)
                return sent
            try:
                answer = response.json()
            except ValueError:
                answer = None
            if response.status_code in (200, 201) and is_envelope(answer, "rating_receipt"):
                with self._lock:
                    self._conn.execute("UPDATE rating SET sent = 1 WHERE id = ?", (rating_id,))
                sent += 1
            elif response.status_code in (409, 422):
                log.warning("ratings: platform refused rating %s (%s)", rating_id, response.status_code)
                with self._lock:
                    self._conn.execute("UPDATE rating SET sent = -1 WHERE id = ?", (rating_id,))
            else:
                return sent
        return sent

    def close(self) -> None:
        self._conn.close()
