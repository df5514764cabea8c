"""One heartbeat as the console takes it (心跳): one read and one write transaction, whatever the fleet's size.

A province's terminals beat hundreds of times a second, and almost every beat changes nothing but the time it
was seen. So a beat reads, in one statement, everything it must compare against: the terminal's console row
(state, maintenance, place), how many report-decided alerts it has open, whether it called staff in the last
hour, its audit log's last alarm and last accepted checkpoint, the version numbers of the notices and of the
published catalog, and whether the usage figures know its hall. Then it writes the report and the time seen
(two prebuilt ``UPDATE``s, one commit), and only when something differs from what it read does it write more:
a state change into the history, an alert opened or cleared, a staff call. "Offline" is not decided here but
by :meth:`Fleet.sweep`, when the fleet is looked at and every few seconds.

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
from central.terminals import store_heartbeat

_T: BindParameter[str] = bindparam("beat_terminal")
_CT = console_terminals.c
_CA = console_alerts.c

#: Everything a beat compares against, in one statement (built once: building it cost more than running it).
_LOOK = select(
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
).where(_CT.terminal_id == _T)

_SEEN = (
    update(console_terminals)
    .where(_CT.terminal_id == bindparam("seen_terminal"))
    .values(last_seen_at=bindparam("seen_at"))
)


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


def take_beat(
    conn: Connection,
    *,
    fleet: Fleet,
    cache: VersionedCache,
    shelf: CatalogShelf,
    beat: tuple[str, dict[str, Any], list[dict[str, Any]]],
    received_at: str,
    now: datetime,
) -> BeatAnswer:
    """Store a terminal's beat and note it in the console, in ``conn``'s transaction; what its answer carries."""
    terminal_id, report, raised = beat
    params = {"beat_terminal": terminal_id, "calls_since": iso(now - STAFF_CALL_TOLD_FOR)}
    look = conn.execute(_LOOK, params).first()
    if look is None:  # the terminal's first beat the console sees: its row, then the same look
        fleet.first_sight(conn, terminal_id, report, now)
        look = conn.execute(_LOOK, params).one()
    store_heartbeat(conn, terminal_id, orjson.dumps(report).decode("utf-8"), raised, received_at)
    conn.execute(_SEEN, {"seen_terminal": terminal_id, "seen_at": iso(now)})
    routine = not raised

    devices = report.get("devices", {})
    in_maintenance = look.maintenance_until is not None and look.maintenance_until > iso(now)
    previous = State(look.state)
    state = terminal_state(
        previous, 0.0, devices if isinstance(devices, dict) else {}, in_maintenance, fleet.thresholds
    )
    if state is not previous:
        fleet.change(conn, terminal_id, previous, state, now)
        routine = False

    alerts = fleet.alerts
    wanted = wanted_from_report(report)
    if look.audit_alarm_at is not None and (
        look.audit_accepted_at is None or str(look.audit_accepted_at) < str(look.audit_alarm_at)
    ):
        wanted[("audit_failure", "audit_log")] = {}
    if wanted or look.open_report_alerts:
        alerts.reconcile(conn, terminal_id, wanted, REPORT_KINDS, now)
        routine = False
    if AlertBook.open_staff_calls(conn, terminal_id, report, now):
        routine = False
    calls = alerts.staff_calls(conn, terminal_id, now) if look.recent_calls or not routine else []

    if routine and conn.dialect.name == "postgresql":
        # Only the report and the time seen: a lost one is sent again at the next beat, so this commit need not
        # wait for the disk (PostgreSQL still keeps it consistent); a beat that changes more waits as usual.
        conn.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")

    stored = cache.notices(conn, (int(look.notices_seq or 0), int(look.notices_withdrawn or 0)))
    region, hall = str(look.region), str(look.hall)
    notices = [n.shown for n in stored if n.live(now) and n.targets(region, hall)]
    catalog = cache.catalog(conn, int(look.catalog_seq or 0), shelf)
    return BeatAnswer(received_at, notices, calls, catalog, bool(look.usage_known))
