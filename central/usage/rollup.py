"""The usage rollup: the terminals' usage batches, as stored by the intake, become hourly counts per hall.

A usage batch is an ordinary sealed submission under the reserved service code
(:data:`offline_cache.wire.protocol.USAGE_SERVICE_CODE`); the intake stores it once per submission id like any
other. The rollup reads the stored payloads after its cursor (``usage_cursors``, moved by compare-and-set, so two
instances never both count a run), and counts each batch id once per terminal (``usage_batches``): a batch put
into the outbox again after a crash, under a new submission id, adds nothing. Every run also looks back over
the last :data:`LOOKBACK` submission numbers, which PostgreSQL may commit out of order; counted batches there
are skipped by their id.

A batch counts under the hall the fleet console records for its terminal (``console_terminals.hall``) when that
is set, else under the hall its terminal's configuration names in the batch: the console's record is the one
staff keep, a terminal moved to another hall keeps its old configuration until someone edits it.

The hour of an event is the hall's local hour as the terminal wrote it (``YYYY-MM-DDTHH``). Events that do not
match the vocabulary (a kind, a service code, a step name) are dropped and counted as such; a payload that is not
a usage batch is skipped.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, select, update

from central.clock import iso, utc_now
from central.schema import (
    console_terminals,
    submissions,
    usage_batches,
    usage_counts,
    usage_cursors,
    usage_forecasts,
    usage_terminals,
)
from offline_cache.wire.protocol import USAGE_EVENT_KINDS, USAGE_SERVICE_CODE

log = logging.getLogger("central.usage")

CURSOR = "rollup"
#: Submission numbers read again each run (rows PostgreSQL committed after a higher number).
LOOKBACK = 200
#: Most submissions read in one transaction.
RUN_ROWS = 500

_HOUR = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}$")
_CODE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_STEP = re.compile(r"^[a-z_]{1,32}(:[A-Za-z0-9._-]{1,64})?$")
_LANGUAGE = re.compile(r"^[A-Za-z_]{2,10}$")
_HALL_MAX = 64

#: (hall, hour, service code, measure) → amount to add.
Deltas = dict[tuple[str, str, str, str], float]


class CursorMovedError(Exception):
    """Another instance counted the same run first; this one's transaction is rolled back."""


@dataclass
class RollupReport:
    """What one rollup did."""

    batches: int = 0
    repeated: int = 0
    events: int = 0
    dropped_events: int = 0
    skipped_payloads: int = 0
    halls: set[str] = field(default_factory=set)

    def describe(self) -> str:
        return (
            f"{self.batches} usage batch(es) counted ({self.events} events, {self.dropped_events} dropped), "
            f"{self.repeated} already counted, {self.skipped_payloads} unreadable; halls: "
            f"{', '.join(sorted(self.halls)) or 'none'}"
        )


def _well_formed(event: Any) -> bool:
    """The fields every event shares match the vocabulary."""
    if not isinstance(event, dict):
        return False
    hour, service, step = event.get("hour"), event.get("service", ""), event.get("step", "")
    return (
        event.get("kind") in USAGE_EVENT_KINDS
        and isinstance(hour, str)
        and bool(_HOUR.match(hour))
        and isinstance(service, str)
        and (not service or bool(_CODE.match(service)))
        and isinstance(step, str)
        and (not step or bool(_STEP.match(step)))
    )


def _started(event: dict[str, Any]) -> list[tuple[bool, str, float]]:
    counts: list[tuple[bool, str, float]] = [(True, "visits", 1.0)]
    if event.get("elder") is True:
        counts.append((True, "elder", 1.0))
    language = event.get("language", "")
    if isinstance(language, str) and _LANGUAGE.match(language):
        counts.append((True, f"lang:{language}", 1.0))
    return counts


def _measures(event: dict[str, Any]) -> list[tuple[bool, str, float]] | None:  # noqa: PLR0911 - one per kind
    """(for the whole hall?, measure, amount) of one well-formed event; None when a field is out of range."""
    kind, step = event["kind"], event.get("step", "")
    if kind == "visit_started":
        return _started(event)
    if kind == "service_chosen":
        return [(False, "chosen", 1.0)] if event.get("service") else None
    if kind == "step_done":
        seconds = event.get("seconds", 0)
        if not step or not isinstance(seconds, int | float) or isinstance(seconds, bool) or not 0 <= seconds <= 86400:
            return None
        return [(False, f"steps:{step}", 1.0), (False, f"seconds:{step}", float(seconds))]
    if kind == "visit_abandoned":
        return [(True, "abandoned", 1.0), (False, f"abandoned:{step or 'unknown'}", 1.0)]
    if kind == "visit_ended":
        return [(True, "completed", 1.0)]
    if kind == "outcome":
        outcome = event.get("outcome", "")
        return [(False, f"outcome:{outcome}", 1.0)] if isinstance(outcome, str) and _CODE.match(outcome) else None
    level = event.get("level")  # a rating
    return [(False, f"rating:{level}", 1.0)] if level in (1, 2, 3, 4, 5) and not isinstance(level, bool) else None


def _event_deltas(hall: str, event: Any, deltas: Deltas) -> bool:
    """Add one event's counts; False when it does not match the vocabulary."""
    if not _well_formed(event):
        return False
    measures = _measures(event)
    if measures is None:
        return False
    for whole, measure, amount in measures:
        key = (hall, event["hour"], "" if whole else event.get("service", ""), measure)
        deltas[key] = deltas.get(key, 0.0) + amount
    return True


def _batch(payload: bytes) -> dict[str, Any] | None:
    try:
        document = json.loads(payload)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(document, dict) or document.get("kind") != "usage_batch":
        return None
    batch_id, hall, events = document.get("batch_id"), document.get("hall"), document.get("events")
    if not isinstance(batch_id, str) or not _CODE.match(batch_id):
        return None
    if not isinstance(hall, str) or not hall.strip() or not isinstance(events, list):
        return None
    document["hall"] = hall.strip()[:_HALL_MAX]
    return document


def _cursor(conn: Connection) -> int:
    row = conn.execute(select(usage_cursors.c.seq).where(usage_cursors.c.name == CURSOR)).first()
    if row is None:
        conn.execute(insert(usage_cursors).values(name=CURSOR, seq=0))
        return 0
    return int(row[0])


def _add(conn: Connection, deltas: Deltas) -> None:
    for (hall, hour, service, measure), amount in sorted(deltas.items()):
        keys = (
            (usage_counts.c.hall == hall)
            & (usage_counts.c.hour == hour)
            & (usage_counts.c.service_code == service)
            & (usage_counts.c.measure == measure)
        )
        done = conn.execute(update(usage_counts).where(keys).values(value=usage_counts.c.value + amount))
        if done.rowcount == 0:
            conn.execute(
                insert(usage_counts).values(hall=hall, hour=hour, service_code=service, measure=measure, value=amount)
            )


def _console_hall(conn: Connection, terminal_id: str) -> str:
    """The hall the fleet console records for a terminal, or "" when it records none."""
    row = conn.execute(select(console_terminals.c.hall).where(console_terminals.c.terminal_id == terminal_id)).first()
    return str(row[0] or "").strip()[:_HALL_MAX] if row is not None else ""


def _see_terminal(conn: Connection, terminal_id: str, hall: str, now: str) -> None:
    done = conn.execute(
        update(usage_terminals).where(usage_terminals.c.terminal_id == terminal_id).values(hall=hall, seen_at=now)
    )
    if done.rowcount == 0:
        conn.execute(insert(usage_terminals).values(terminal_id=terminal_id, hall=hall, seen_at=now))


def rollup_once(engine: Engine, report: RollupReport | None = None) -> tuple[RollupReport, bool]:
    """Count one run of at most :data:`RUN_ROWS` usage submissions; True when there may be more."""
    report = report or RollupReport()
    now = iso(utc_now())
    with engine.begin() as conn:
        start = _cursor(conn)
        rows = conn.execute(
            select(submissions.c.seq, submissions.c.terminal_id, submissions.c.payload)
            .where(submissions.c.seq > max(0, start - LOOKBACK), submissions.c.service_code == USAGE_SERVICE_CODE)
            .order_by(submissions.c.seq)
            .limit(RUN_ROWS)
        ).all()
        deltas: Deltas = {}
        last = start
        for seq, terminal_id, payload in rows:
            last = max(last, int(seq))
            document = _batch(bytes(payload))
            if document is None:
                if int(seq) > start:
                    report.skipped_payloads += 1
                    log.warning("submission %s of %s is not a usage batch; skipped", seq, terminal_id)
                continue
            counted = conn.execute(
                select(usage_batches.c.seq).where(
                    usage_batches.c.terminal_id == terminal_id, usage_batches.c.batch_id == document["batch_id"]
                )
            ).first()
            if counted is not None:
                if int(counted[0]) != int(seq):
                    report.repeated += 1
                continue
            hall = _console_hall(conn, terminal_id) or document["hall"]
            good = sum(_event_deltas(hall, event, deltas) for event in document["events"])
            conn.execute(
                insert(usage_batches).values(
                    terminal_id=terminal_id,
                    batch_id=document["batch_id"],
                    hall=hall,
                    seq=int(seq),
                    events=good,
                    counted_at=now,
                )
            )
            _see_terminal(conn, terminal_id, hall, now)
            report.batches += 1
            report.events += good
            report.dropped_events += len(document["events"]) - good
            report.halls.add(hall)
        _add(conn, deltas)
        moved = conn.execute(
            update(usage_cursors).where(usage_cursors.c.name == CURSOR, usage_cursors.c.seq == start).values(seq=last)
        )
        if moved.rowcount != 1:
            raise CursorMovedError("another rollup counted these submissions first")
    return report, len(rows) == RUN_ROWS and last > start


def rollup(engine: Engine) -> RollupReport:
    """Count every usage batch stored since the last rollup."""
    report = RollupReport()
    more = True
    while more:
        try:
            report, more = rollup_once(engine, report)
        except CursorMovedError:
            log.info("usage rollup: another instance is counting; this one stops")
            break
    return report


def prune(engine: Engine, today: date, keep_days: int) -> int:
    """Drop hourly counts and counted batch ids older than ``keep_days``, and forecasts for hours gone by."""
    cutoff = (today - timedelta(days=keep_days)).isoformat()
    with engine.begin() as conn:
        gone = conn.execute(delete(usage_counts).where(usage_counts.c.hour < cutoff)).rowcount
        conn.execute(delete(usage_batches).where(usage_batches.c.counted_at < cutoff))
        conn.execute(delete(usage_forecasts).where(usage_forecasts.c.hour < today.isoformat()))
    return int(gone)
