"""Heartbeats as the console takes them (心跳): one read and one write transaction for a whole batch of beats.

A province's terminals beat hundreds of times a second, and almost every beat changes nothing but the time it
was seen. So the beats that arrived together are taken together (:mod:`central.heartbeats` gathers them): one
statement reads, for every terminal of the batch, everything its beat must compare against — the terminal's
console row (state, maintenance, place), how many report-decided alerts it has open, whether it called staff in
the last hour, its audit log's last alarm and last accepted checkpoint, the version numbers of the notices and of
the published catalog, and whether the usage figures know its hall. Then the reports and the times seen are
written (two prebuilt ``UPDATE``s, each run once for the whole batch, one commit), and only for a beat where
something differs from what was read is more written: a state change into the history, an alert opened or
cleared, a staff call. "Offline" is not decided here but by :meth:`Fleet.sweep`, when the fleet is looked at and
every few seconds.

The notices and the catalog are kept per process by those version numbers: a worker reads them again the beat
after another worker published or withdrew one, never later (nothing a worker needs from another lives only
in its memory).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import Connection, bindparam, func, select, update
from sqlalchemy.sql.elements import BindParameter

from central.catalog_file import CatalogSnapshot
from central.clock import iso
from central.console.alerts import REPORT_KINDS, STAFF_CALL_TOLD_FOR, AlertBook, wanted_from_report
from central.console.catalogs import CatalogShelf
from central.console.fleet import Fleet
from central.console.notices import NoticeBoard, StoredNotice
from central.console.states import State, terminal_state
from central.schema import (
    audit_alarms,
    audit_logs,
    console_alerts,
    console_catalogs,
    console_notices,
    console_terminals,
    usage_terminals,
)
from central.terminals import store_heartbeats

_CT = console_terminals.c
_CA = console_alerts.c
_T = _CT.terminal_id
_BATCH: BindParameter[list[str]] = bindparam("beat_terminals", expanding=True)

#: Everything the beats of a batch compare against, one row a terminal, in one statement (built once: building it
#: cost more than running it).
_LOOK = select(
    _CT.terminal_id,
    _CT.state,
    _CT.maintenance_until,
    _CT.region,
    _CT.hall,
    select(func.count())
    .where(_CA.terminal_id == _T, _CA.cleared_at.is_(None), _CA.kind.in_(REPORT_KINDS))
    .scalar_subquery()
    .label("open_report_alerts"),
    select(func.count())
    .where(_CA.terminal_id == _T, _CA.kind == "call_staff", _CA.raised_at >= bindparam("calls_since"))
    .scalar_subquery()
    .label("recent_calls"),
    select(func.max(audit_alarms.c.last_seen_at))
    .where(audit_alarms.c.terminal_id == _T)
    .scalar_subquery()
    .label("audit_alarm_at"),
    select(audit_logs.c.updated_at).where(audit_logs.c.terminal_id == _T).scalar_subquery().label("audit_accepted_at"),
    select(func.max(console_notices.c.seq)).scalar_subquery().label("notices_seq"),
    select(func.count(console_notices.c.withdrawn_at)).scalar_subquery().label("notices_withdrawn"),
    select(func.max(console_catalogs.c.seq)).scalar_subquery().label("catalog_seq"),
    select(func.count()).where(usage_terminals.c.terminal_id == _T).scalar_subquery().label("usage_known"),
).where(_CT.terminal_id.in_(_BATCH))

_SEEN = (
    update(console_terminals)
    .where(_CT.terminal_id == bindparam("seen_terminal"))
    .values(last_seen_at=bindparam("seen_at"))
)


def prepare_beats_connection(conn: Connection) -> None:
    """Set up the heartbeats' own connection (:class:`central.held_connection.HeldConnection`), on which every
    batch is taken: on PostgreSQL its commits do not wait for the disk, unless :func:`take_beats` says a batch must
    (it holds an alert a terminal raised). Most batches are routine, so this saves them a statement each. On
    SQLite its write transactions go first among this process's writers waiting for the file."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET synchronous_commit TO OFF")
    else:
        conn.connection.dbapi_connection.urgent = True  # type: ignore[union-attr]


@dataclass(frozen=True)
class BeatAnswer:
    """What the heartbeat's answer carries from the console."""

    received_at: str
    notices: list[dict[str, Any]]
    staff_calls: list[dict[str, Any]]
    catalog: CatalogSnapshot | None
    #: The usage figures know this terminal's hall (else it has no forecast to be told: not worth a look).
    usage_known: bool


class VersionedCache:
    """This process's copy of the notices and the published catalog, each valid for one version number."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._notices: tuple[tuple[int, int], tuple[StoredNotice, ...]] | None = None
        self._catalog: tuple[int, CatalogSnapshot | None] | None = None

    def notices(self, conn: Connection, version: tuple[int, int]) -> tuple[StoredNotice, ...]:
        held = self._notices
        if held is not None and held[0] == version:
            return held[1]
        rows = NoticeBoard.not_withdrawn(conn)
        with self._lock:
            self._notices = (version, rows)
        return rows

    def catalog(self, conn: Connection | None, seq: int, shelf: CatalogShelf) -> CatalogSnapshot | None:
        held = self._catalog
        if held is not None and held[0] == seq:
            return held[1]
        snapshot = shelf.current(conn) if seq else None
        with self._lock:
            self._catalog = (seq, snapshot)
        return snapshot


@dataclass(frozen=True)
class Beat:
    """One terminal's beat as the console takes it: who, the report as sent, the alerts it raised."""

    terminal_id: str
    report: dict[str, Any]
    raised: list[dict[str, Any]]


def take_beats(
    conn: Connection,
    *,
    fleet: Fleet,
    cache: VersionedCache,
    shelf: CatalogShelf,
    beats: list[Beat],
    received_at: str,
    now: datetime,
) -> list[BeatAnswer]:
    """Store a batch of beats and note them in the console, in ``conn``'s transaction; what each answer carries,
    in the order of ``beats`` (a terminal may be in a batch twice: each of its beats is taken)."""
    if not beats:
        return []
    ids = sorted({beat.terminal_id for beat in beats})  # one order for every worker's writes: no deadlock
    since = iso(now - STAFF_CALL_TOLD_FOR)
    looks = {row.terminal_id: row for row in conn.execute(_LOOK, {"beat_terminals": ids, "calls_since": since})}
    for beat in beats:  # a terminal's first beat the console sees: its row, then the same look
        if beat.terminal_id not in looks:
            fleet.first_sight(conn, beat.terminal_id, beat.report, now)
            looks[beat.terminal_id] = conn.execute(
                _LOOK, {"beat_terminals": [beat.terminal_id], "calls_since": since}
            ).one()
    store_heartbeats(
        conn, [(b.terminal_id, orjson.dumps(b.report).decode("utf-8"), b.raised) for b in beats], received_at
    )
    conn.execute(_SEEN, [{"seen_terminal": tid, "seen_at": iso(now)} for tid in ids])
    noted = [_note(conn, fleet, looks[beat.terminal_id], beat, now) for beat in beats]

    if conn.dialect.name == "postgresql" and not all(routine for _calls, routine in noted):
        # Only what the next beat writes again need not wait for the disk (the beats' session commits so, and
        # PostgreSQL still keeps it consistent); a batch holding an alert a terminal raised waits as every writer.
        conn.exec_driver_sql("SET LOCAL synchronous_commit TO ON")

    answers = []
    for beat, (calls, _routine) in zip(beats, noted, strict=True):
        look = looks[beat.terminal_id]
        stored = cache.notices(conn, (int(look.notices_seq or 0), int(look.notices_withdrawn or 0)))
        region, hall = str(look.region), str(look.hall)
        notices = [n.shown for n in stored if n.live(now) and n.targets(region, hall)]
        catalog = cache.catalog(conn, int(look.catalog_seq or 0), shelf)
        answers.append(BeatAnswer(received_at, notices, calls, catalog, bool(look.usage_known)))
    return answers


def _note(
    conn: Connection, fleet: Fleet, look: Any, beat: Beat, now: datetime
) -> tuple[list[dict[str, Any]], bool]:
    """What a beat changes beside its report: the state, report-decided alerts, staff calls. Returns what the
    terminal is told of its staff calls, and whether the beat may be committed without waiting for the disk
    (routine): what it wrote, the next beat writes again, unlike the alerts a terminal raised (a staff call)."""
    terminal_id, report = beat.terminal_id, beat.report
    # What the terminal will not send again (the alerts it raised, a staff call among them) is on the disk before it
    # is answered; a state or an alert decided from its report, lost with a crash, is decided again by its next beat.
    routine = not beat.raised
    devices = report.get("devices", {})
    in_maintenance = look.maintenance_until is not None and look.maintenance_until > iso(now)
    previous = State(look.state)
    state = terminal_state(
        previous, 0.0, devices if isinstance(devices, dict) else {}, in_maintenance, fleet.thresholds
    )
    if state is not previous:
        fleet.change(conn, terminal_id, previous, state, now)

    alerts = fleet.alerts
    wanted = wanted_from_report(report)
    if look.audit_alarm_at is not None and (
        look.audit_accepted_at is None or str(look.audit_accepted_at) < str(look.audit_alarm_at)
    ):
        wanted[("audit_failure", "audit_log")] = {}
    if wanted or look.open_report_alerts:
        alerts.reconcile(conn, terminal_id, wanted, REPORT_KINDS, now)
    called = AlertBook.open_staff_calls(conn, terminal_id, report, now)
    calls = alerts.staff_calls(conn, terminal_id, now) if look.recent_calls or called else []
    return calls, routine
