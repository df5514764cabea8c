"""The terminal's usage events (使用统计): kept on disk, sent in sealed batches through the outbox, and the
expected wait (预计等候) of a queue ticket from the hall's forecast.

Events come from :class:`kiosk.visit.usage_events.VisitUsageRecorder`. They wait in a small SQLite book
(bounded: ``max_age_days`` and ``max_events``, the oldest go first) until a batch is full (``batch_events``) or
its oldest event is ``batch_seconds`` old; then the batch goes into the outbox as one submission under the
reserved service code (:data:`offline_cache.wire.protocol.USAGE_SERVICE_CODE`), so it is sealed, survives
offline weeks and is delivered exactly like a case. A batch has its own id, written beside its events before
the outbox gets it: after a crash between the two, the same batch is put again under the same id, and the
platform counts a batch id once.
"""

from __future__ import annotations

import json
import logging
import math
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kiosk.records.local_db import Migration, open_local_db
from kiosk.visit.usage_events import UsageEvent
from offline_cache.models import OutboxWriteError
from offline_cache.store import Outbox
from offline_cache.wire.protocol import USAGE_SERVICE_CODE, SubmissionSummary

log = logging.getLogger(__name__)

#: Entry ``n`` takes the file from version ``n`` to ``n + 1``.
MIGRATIONS: tuple[Migration, ...] = (
    "CREATE TABLE IF NOT EXISTS event (seq INTEGER PRIMARY KEY, at REAL NOT NULL, body TEXT NOT NULL, "
    "batch TEXT); CREATE INDEX IF NOT EXISTS event_batch ON event (batch);",
)

#: The name the usage batches carry in the outbox's clear summary (technician screens).
SUMMARY_NAME = "使用统计"


@dataclass(frozen=True)
class UsageSettings:
    """How the terminal keeps and sends its usage events."""

    #: The hall the terminal stands in, as the platform counts it (a short code; the hall's name by default).
    hall: str
    batch_events: int = 50
    batch_seconds: float = 3600.0
    max_age_days: float = 30.0
    max_events: int = 20_000


class UsageLog:
    """The terminal's book of usage events not yet handed to the outbox."""

    def __init__(
        self,
        path: Path,
        outbox: Outbox,
        settings: UsageSettings,
        *,
        terminal_id: str,
        time_zone: str,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._conn = open_local_db(path, MIGRATIONS)
        self._lock = threading.Lock()
        self._outbox = outbox
        self.settings = settings
        self._terminal_id = terminal_id
        self._time_zone = time_zone
        self._clock = clock
        #: Called after a batch went into the outbox (the sync engine's trigger).
        self.after_put: Callable[[], None] = lambda: None

    def record(self, event: UsageEvent) -> None:
        """Keep one event; a full batch goes to the outbox at once. Never raises: a full disk or a broken book
        loses the event (and says so in the log), never the visit on screen."""
        body = json.dumps(event.to_json(), ensure_ascii=False, sort_keys=True)
        try:
            with self._lock:
                self._conn.execute("INSERT INTO event (at, body) VALUES (?, ?)", (self._clock(), body))
                self._prune()
                (pending,) = self._conn.execute("SELECT COUNT(*) FROM event WHERE batch IS NULL").fetchone()
            if pending >= self.settings.batch_events:
                self.flush()
        except (sqlite3.Error, OSError) as exc:
            log.warning("usage event not kept: %s", exc)

    def pending(self) -> int:
        """Events kept here, not yet in the outbox."""
        with self._lock:
            (count,) = self._conn.execute("SELECT COUNT(*) FROM event").fetchone()
        return int(count)

    def events(self) -> list[dict[str, Any]]:
        """The events kept here, oldest first (the technician's view and the tests)."""
        with self._lock:
            rows = self._conn.execute("SELECT body FROM event ORDER BY seq").fetchall()
        return [json.loads(body) for (body,) in rows]

    def _prune(self) -> None:
        oldest = self._clock() - self.settings.max_age_days * 86400.0
        self._conn.execute("DELETE FROM event WHERE at < ?", (oldest,))
        self._conn.execute(
            "DELETE FROM event WHERE seq <= (SELECT MAX(seq) FROM event) - ?", (self.settings.max_events,)
        )

    def flush_due(self) -> int:
        """Send a batch if it is full or its oldest event waited ``batch_seconds`` (the upkeep's chore)."""
        with self._lock:
            row = self._conn.execute("SELECT COUNT(*), MIN(at) FROM event WHERE batch IS NULL").fetchone()
        count, first = int(row[0]), row[1]
        due = count >= self.settings.batch_events or (
            count > 0 and first is not None and self._clock() - float(first) >= self.settings.batch_seconds
        )
        return self.flush() if due or self._has_marked() else 0

    def _has_marked(self) -> bool:
        with self._lock:
            return self._conn.execute("SELECT 1 FROM event WHERE batch IS NOT NULL LIMIT 1").fetchone() is not None

    def flush(self) -> int:
        """Every kept event into the outbox, in batches of at most ``batch_events``; returns how many went."""
        sent = 0
        with self._lock:
            self._prune()
            while True:
                batch = self._next_batch()
                if batch is None:
                    return sent
                batch_id, rows = batch
                try:
                    self._put(batch_id, [json.loads(body) for _, body in rows])
                except OutboxWriteError as exc:
                    log.warning("usage batch %s stays on the terminal: %s", batch_id, exc)
                    return sent
                self._conn.execute("DELETE FROM event WHERE batch = ?", (batch_id,))
                sent += len(rows)
                self.after_put()

    def _next_batch(self) -> tuple[str, list[tuple[int, str]]] | None:
        """A batch left marked by an earlier run (put again under its id), else the next events, marked now."""
        row = self._conn.execute("SELECT batch FROM event WHERE batch IS NOT NULL ORDER BY seq LIMIT 1").fetchone()
        if row is None:
            rows = self._conn.execute(
                "SELECT seq FROM event WHERE batch IS NULL ORDER BY seq LIMIT ?", (self.settings.batch_events,)
            ).fetchall()
            if not rows:
                return None
            batch_id = uuid.uuid4().hex
            self._conn.execute("UPDATE event SET batch = ? WHERE batch IS NULL AND seq <= ?", (batch_id, rows[-1][0]))
        else:
            batch_id = str(row[0])
        marked = self._conn.execute("SELECT seq, body FROM event WHERE batch = ? ORDER BY seq", (batch_id,))
        return batch_id, [(int(seq), str(body)) for seq, body in marked.fetchall()]

    def _put(self, batch_id: str, events: list[dict[str, Any]]) -> None:
        payload = batch_payload(
            batch_id, events, terminal_id=self._terminal_id, hall=self.settings.hall, time_zone=self._time_zone
        )
        created = datetime.now(UTC).isoformat()
        summary = SubmissionSummary(USAGE_SERVICE_CODE, SUMMARY_NAME, "", created)
        self._outbox.put(payload, summary)
        log.info("usage batch %s (%d events) into the outbox", batch_id, len(events))

    def close(self) -> None:
        with self._lock:
            self._conn.close()


def batch_payload(batch_id: str, events: list[dict[str, Any]], *, terminal_id: str, hall: str, time_zone: str) -> bytes:
    """The sealed payload of one usage batch."""
    document = {
        "kind": "usage_batch",
        "version": 1,
        "batch_id": batch_id,
        "terminal_id": terminal_id,
        "hall": hall,
        "time_zone": time_zone,
        "events": events,
    }
    return json.dumps(document, ensure_ascii=False, sort_keys=True).encode("utf-8")


class ExpectedWait:
    """预计等候 for a queue ticket: the people ahead over the hall's forecast visits in this hour.

    A hall serves about as many people an hour as arrive, so one place in the line takes about
    ``60 / forecast`` minutes. The forecast comes with the heartbeat's answer (``usage_forecast``); without a
    forecast for this hour (none made yet, the platform never reached) there is no estimate at all.
    """

    def __init__(self, reply: Callable[[], dict[str, Any] | None], now: Callable[[], datetime]) -> None:
        self._reply = reply
        self._now = now

    def hourly_forecast(self) -> float | None:
        reply = self._reply()
        forecast = reply.get("usage_forecast") if isinstance(reply, dict) else None
        hours = forecast.get("hours") if isinstance(forecast, dict) else None
        if not isinstance(hours, list):
            return None
        here = self._now().strftime("%Y-%m-%dT%H")
        for entry in hours:
            if isinstance(entry, dict) and entry.get("hour") == here:
                point = entry.get("point")
                if isinstance(point, int | float) and not isinstance(point, bool) and point >= 1.0:
                    return float(point)
        return None

    def minutes(self, waiting: int) -> int | None:
        """Minutes until called for a ticket with ``waiting`` people ahead, or None without a forecast."""
        per_hour = self.hourly_forecast()
        if per_hour is None:
            return None
        return max(1, math.ceil(max(0, waiting) * 60.0 / per_hour))
