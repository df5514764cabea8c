"""The fleet (终端总览): every terminal's state computed from its last heartbeat, its place (region, hall), its
state changes and uptime.

States are computed on the server at each look and at each heartbeat; a change is written as a row of
``console_state_changes`` (the 30-day history), and a terminal going offline raises an alert that clears when
it comes back. Everything is in the shared database, so any worker shows the same fleet.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from central.clock import iso
from central.console.alerts import AlertBook
from central.console.states import RANK, State, Thresholds, paper_low, terminal_state
from central.db import reading
from central.schema import audit_alarms, audit_logs, console_state_changes, console_terminals, terminals

HISTORY_DAYS = 30


@dataclass(frozen=True)
class TerminalView:
    """One terminal as the console shows it."""

    terminal_id: str
    region: str
    hall: str
    state: State
    state_since: str | None
    age_s: float | None
    last_seen_at: str | None
    maintenance_until: str | None
    report: dict[str, Any]
    revoked: bool
    audit_size: int | None = None
    audit_checked_at: str | None = None
    audit_alarms: int = 0

    @property
    def devices(self) -> dict[str, Any]:
        devices = self.report.get("devices", {})
        return devices if isinstance(devices, dict) else {}

    @property
    def paper_low(self) -> bool:
        return paper_low(self.devices)

    def value(self, key: str) -> Any:
        return self.report.get(key)


@dataclass(frozen=True)
class Hall:
    region: str
    hall: str
    terminals: list[TerminalView] = field(default_factory=list)

    @property
    def worst(self) -> State:
        return min((t.state for t in self.terminals), key=lambda s: RANK[s], default=State.OK)


@dataclass(frozen=True)
class FleetView:
    halls: list[Hall]
    counts: dict[State, int]
    total: int


def _parse(moment: str | None) -> datetime | None:
    return None if moment is None else datetime.fromisoformat(moment)


@dataclass(frozen=True)
class Fleet:
    engine: Engine
    thresholds: Thresholds
    alerts: AlertBook

    # -- at a heartbeat -----------------------------------------------------------------------------------
    def heartbeat(self, conn: Connection, terminal_id: str, report: dict[str, Any], now: datetime) -> None:
        """Note a beat: the terminal is seen now; its state is recomputed and a change recorded."""
        row = conn.execute(
            select(console_terminals.c.state, console_terminals.c.maintenance_until).where(
                console_terminals.c.terminal_id == terminal_id
            )
        ).first()
        devices = report.get("devices", {})
        if row is None:
            state = terminal_state(None, 0.0, devices if isinstance(devices, dict) else {}, False, self.thresholds)
            if self._first_row(conn, terminal_id, state, now, seen=True):
                return
            row = conn.execute(
                select(console_terminals.c.state, console_terminals.c.maintenance_until).where(
                    console_terminals.c.terminal_id == terminal_id
                )
            ).one()
        in_maintenance = row.maintenance_until is not None and row.maintenance_until > iso(now)
        previous = State(row.state)
        state = terminal_state(
            previous, 0.0, devices if isinstance(devices, dict) else {}, in_maintenance, self.thresholds
        )
        conn.execute(
            update(console_terminals)
            .where(console_terminals.c.terminal_id == terminal_id)
            .values(last_seen_at=iso(now))
        )
        if state is not previous:
            self._change(conn, terminal_id, previous, state, now)

    @staticmethod
    def _first_row(conn: Connection, terminal_id: str, state: State, now: datetime, *, seen: bool) -> bool:
        """The terminal's first console row; False when another worker made it first (the caller goes on)."""
        try:
            with conn.begin_nested():
                conn.execute(
                    insert(console_terminals).values(
                        terminal_id=terminal_id,
                        region="",
                        hall="",
                        state=state.value,
                        state_since=iso(now),
                        last_seen_at=iso(now) if seen else None,
                    )
                )
        except IntegrityError:
            return False
        conn.execute(insert(console_state_changes).values(terminal_id=terminal_id, state=state.value, at=iso(now)))
        return True

    def _change(self, conn: Connection, terminal_id: str, previous: State | None, state: State, now: datetime) -> None:
        # Compare-and-set: a worker that computed the change from an older row (a beat came meanwhile) records
        # nothing; the next look computes from the new row.
        moved = conn.execute(
            update(console_terminals)
            .where(console_terminals.c.terminal_id == terminal_id)
            .where(console_terminals.c.state == (previous.value if previous else ""))
            .values(state=state.value, state_since=iso(now))
        ).rowcount
        if not moved:
            return
        conn.execute(insert(console_state_changes).values(terminal_id=terminal_id, state=state.value, at=iso(now)))
        if state is State.OFFLINE:
            self.alerts.reconcile(
                conn, terminal_id, {("terminal_offline", "heartbeat"): {}}, ("terminal_offline",), now
            )
        elif previous is State.OFFLINE or previous is None:
            self.alerts.reconcile(conn, terminal_id, {}, ("terminal_offline",), now)

    # -- at a look ----------------------------------------------------------------------------------------
    def view(self, now: datetime) -> FleetView:
        """Every enrolled terminal, grouped by region and hall, worst first; state changes seen are recorded."""
        query = select(
            terminals.c.terminal_id,
            terminals.c.revoked,
            terminals.c.last_heartbeat,
            console_terminals.c.region,
            console_terminals.c.hall,
            console_terminals.c.state,
            console_terminals.c.state_since,
            console_terminals.c.last_seen_at,
            console_terminals.c.maintenance_until,
        ).select_from(
            terminals.outerjoin(console_terminals, console_terminals.c.terminal_id == terminals.c.terminal_id)
        )
        audit_query = select(audit_logs.c.terminal_id, audit_logs.c.size, audit_logs.c.updated_at)
        alarm_query = select(audit_alarms.c.terminal_id, func.count()).group_by(audit_alarms.c.terminal_id)
        with reading(self.engine) as conn:
            rows = conn.execute(query).all()
            audits = {r[0]: (int(r[1]), str(r[2])) for r in conn.execute(audit_query)}
            alarms = {str(r[0]): int(r[1]) for r in conn.execute(alarm_query)}
        views: list[TerminalView] = []
        changes: list[tuple[str, State | None, State, datetime]] = []
        stamp = iso(now)
        states = {state.value: state for state in State}
        # Plain tuples and a dict of states: a province's 10,000 rows in a fraction of a second.
        for terminal_id, revoked, last_heartbeat, region, hall, stored, stored_since, seen_at, until in rows:
            report = orjson.loads(last_heartbeat) if last_heartbeat else {}
            seen = _parse(seen_at)
            age = None if seen is None else max(0.0, (now - seen).total_seconds())
            previous = states.get(stored) if stored else None
            in_maintenance = until is not None and until > stamp
            state = terminal_state(previous, age, report.get("devices", {}), in_maintenance, self.thresholds)
            since = stored_since
            if state is not previous:
                changes.append((terminal_id, previous, state, self._since(state, seen, now)))
                since = iso(changes[-1][3])
            audit = audits.get(terminal_id)
            views.append(
                TerminalView(
                    terminal_id=terminal_id,
                    region=region or "",
                    hall=hall or "",
                    state=state,
                    state_since=since,
                    age_s=age,
                    last_seen_at=seen_at,
                    maintenance_until=until if in_maintenance else None,
                    report=report,
                    revoked=bool(revoked),
                    audit_size=audit[0] if audit else None,
                    audit_checked_at=audit[1] if audit else None,
                    audit_alarms=alarms.get(terminal_id, 0),
                )
            )
        if changes:
            self._record(changes)
        return _group(views)

    def _since(self, state: State, seen: datetime | None, now: datetime) -> datetime:
        """When a state that silence brought began: the moment the beat became late or lost, not the look."""
        if seen is None or state not in (State.WARNING, State.OFFLINE):
            return now
        after = self.thresholds.lost_s if state is State.OFFLINE else self.thresholds.late_s
        return min(now, seen + timedelta(seconds=after))

    def _record(self, changes: list[tuple[str, State | None, State, datetime]]) -> None:
        with self.engine.begin() as conn:
            for terminal_id, previous, state, now in changes:
                if previous is None:
                    if not self._first_row(conn, terminal_id, state, now, seen=False):
                        continue
                    if state is State.OFFLINE:
                        self.alerts.reconcile(
                            conn, terminal_id, {("terminal_offline", "heartbeat"): {}}, ("terminal_offline",), now
                        )
                    continue
                self._change(conn, terminal_id, previous, state, now)

    def terminal(self, terminal_id: str, now: datetime) -> TerminalView | None:
        for hall in self.view(now).halls:
            for view in hall.terminals:
                if view.terminal_id == terminal_id:
                    return view
        return None

    # -- a terminal's place and maintenance -----------------------------------------------------------------
    def place(self, terminal_id: str, region: str, hall: str, maintenance_hours: float, now: datetime) -> bool:
        """Set where a terminal stands and (hours > 0) a maintenance window from now; 0 ends one."""
        until = iso(now + timedelta(hours=maintenance_hours)) if maintenance_hours > 0 else None
        with self.engine.begin() as conn:
            known = conn.execute(select(terminals.c.terminal_id).where(terminals.c.terminal_id == terminal_id)).first()
            if known is None:
                return False
            moved = conn.execute(
                update(console_terminals)
                .where(console_terminals.c.terminal_id == terminal_id)
                .values(region=region, hall=hall, maintenance_until=until)
            ).rowcount
            if not moved:
                conn.execute(
                    insert(console_terminals).values(
                        terminal_id=terminal_id,
                        region=region,
                        hall=hall,
                        maintenance_until=until,
                        state=State.OFFLINE.value,
                        state_since=iso(now),
                    )
                )
        return True

    def place_of(self, terminal_id: str) -> tuple[str, str]:
        with reading(self.engine) as conn:
            return self.place_of_in(conn, terminal_id)

    @staticmethod
    def place_of_in(conn: Connection, terminal_id: str) -> tuple[str, str]:
        row = conn.execute(
            select(console_terminals.c.region, console_terminals.c.hall).where(
                console_terminals.c.terminal_id == terminal_id
            )
        ).first()
        return ("", "") if row is None else (str(row[0]), str(row[1]))

    # -- history ------------------------------------------------------------------------------------------
    def history(self, terminal_id: str, now: datetime) -> tuple[list[tuple[str, State]], float | None]:
        """The state changes of the last 30 days (newest first) and the uptime over them, maintenance left out."""
        start = now - timedelta(days=HISTORY_DAYS)
        with reading(self.engine) as conn:
            rows = conn.execute(
                select(console_state_changes.c.at, console_state_changes.c.state)
                .where(console_state_changes.c.terminal_id == terminal_id)
                .order_by(console_state_changes.c.seq)
            ).all()
        before = [r for r in rows if r.at < iso(start)]
        inside = [(str(r.at), State(r.state)) for r in rows if r.at >= iso(start)]
        timeline: list[tuple[datetime, State]] = []
        if before:
            timeline.append((start, State(before[-1].state)))
        timeline += [(datetime.fromisoformat(at), state) for at, state in inside]
        up = counted = 0.0
        for index, (moment, state) in enumerate(timeline):
            end = timeline[index + 1][0] if index + 1 < len(timeline) else now
            span = max(0.0, (end - moment).total_seconds())
            if state is State.MAINTENANCE:
                continue
            counted += span
            if state in (State.OK, State.WARNING):
                up += span
        uptime = up / counted if counted > 0 else None
        return list(reversed(inside)), uptime


def seen_by(fleet: FleetView, sees: Callable[[str], bool]) -> FleetView:
    """The part of the fleet a user sees (a hall manager: their hall), counters counted again."""
    return _group([t for hall in fleet.halls if sees(hall.hall) for t in hall.terminals])


def _group(views: list[TerminalView]) -> FleetView:
    halls: dict[tuple[str, str], Hall] = {}
    counts = dict.fromkeys(State, 0)
    for view in views:
        counts[view.state] += 1
        halls.setdefault((view.region, view.hall), Hall(view.region, view.hall)).terminals.append(view)
    for hall in halls.values():
        hall.terminals.sort(key=lambda t: (RANK[t.state], t.terminal_id))
    ordered = sorted(halls.values(), key=lambda h: (RANK[h.worst], h.region, h.hall))
    return FleetView(ordered, counts, len(views))
