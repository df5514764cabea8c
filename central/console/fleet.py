"""The fleet (终端总览): every terminal's state computed from its last heartbeat, its place (region, hall), its
state changes and uptime.

A state is computed on the server at each heartbeat (``central/console/beat.py``) and, for what silence and
maintenance windows bring, by :meth:`Fleet.sweep` when the fleet is looked at and every few seconds; a change is
written as a row of ``console_state_changes`` (the 30-day history), and a terminal going offline raises an alert
that clears when it comes back. Everything is in the shared database, so any worker shows the same fleet. The
list pages read it with ``central/console/fleet_list.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, and_, bindparam, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from central.clock import iso
from central.console.alerts import AlertBook
from central.console.fleet_list import TerminalView, terminal_views
from central.console.states import State, Thresholds, terminal_state
from central.db import reading
from central.schema import console_state_changes, console_terminals, terminals

HISTORY_DAYS = 30
#: State changes a sweep writes in one transaction.
SWEEP_CHUNK = 500


def _parse(moment: str | None) -> datetime | None:
    return None if moment is None else datetime.fromisoformat(moment)


@dataclass(frozen=True)
class Fleet:
    engine: Engine
    thresholds: Thresholds
    alerts: AlertBook

    # -- at a heartbeat (central/console/beat.py) --------------------------------------------------------
    def first_sight(self, conn: Connection, terminal_id: str, report: dict[str, Any], now: datetime) -> None:
        """The console row of a terminal seen for the first time (nothing when another worker made it first)."""
        devices = report.get("devices", {})
        state = terminal_state(None, 0.0, devices if isinstance(devices, dict) else {}, False, self.thresholds)
        self._first_row(conn, terminal_id, state, now, seen=True)

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

    def change(self, conn: Connection, terminal_id: str, previous: State | None, state: State, now: datetime) -> None:
        """Record a state change: the row, a line of history, and the offline alert raised or cleared."""
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

    # -- between beats: silence and maintenance windows ----------------------------------------------------
    def sweep(self, now: datetime) -> int:
        """Record the states silence or a maintenance window brought since the last beats; how many changed.

        Only the terminals whose stored state may be out of date are read (none of a fleet that beats on time):
        never seen by the console, late or lost and not yet marked so, or a maintenance window begun or ended.
        Run when the fleet is looked at and every few seconds by each worker (``FleetConsole``).
        """
        ct = console_terminals.c
        stamp = iso(now)
        late_at = iso(now - timedelta(seconds=self.thresholds.late_s))
        lost_at = iso(now - timedelta(seconds=self.thresholds.lost_s))
        query = (
            select(terminals.c.terminal_id, terminals.c.last_heartbeat, ct.state, ct.last_seen_at, ct.maintenance_until)
            .select_from(terminals.outerjoin(console_terminals, ct.terminal_id == terminals.c.terminal_id))
            .where(
                or_(
                    ct.terminal_id.is_(None),
                    and_(ct.state != State.OFFLINE.value, or_(ct.last_seen_at.is_(None), ct.last_seen_at < lost_at)),
                    and_(ct.state == State.OK.value, ct.last_seen_at < late_at),
                    and_(
                        ct.state == State.MAINTENANCE.value,
                        or_(ct.maintenance_until.is_(None), ct.maintenance_until <= stamp),
                    ),
                    and_(ct.state != State.MAINTENANCE.value, ct.maintenance_until > stamp),
                )
            )
        )
        with reading(self.engine) as conn:
            rows = conn.execute(query).all()
        states = {state.value: state for state in State}
        changes: list[tuple[str, State | None, State, datetime]] = []
        for terminal_id, last_heartbeat, stored, seen_at, until in rows:
            report = orjson.loads(last_heartbeat) if last_heartbeat else {}
            devices = report.get("devices", {}) if isinstance(report, dict) else {}
            seen = _parse(seen_at)
            age = None if seen is None else max(0.0, (now - seen).total_seconds())
            previous = states.get(stored) if stored else None
            in_maintenance = until is not None and until > stamp
            state = terminal_state(
                previous, age, devices if isinstance(devices, dict) else {}, in_maintenance, self.thresholds
            )
            if state is not previous:
                changes.append((terminal_id, previous, state, self._since(state, seen, now)))
        if changes:
            self._record(changes)
        return len(changes)

    def _since(self, state: State, seen: datetime | None, now: datetime) -> datetime:
        """When a state that silence brought began: the moment the beat became late or lost, not the look."""
        if seen is None or state not in (State.WARNING, State.OFFLINE):
            return now
        after = self.thresholds.lost_s if state is State.OFFLINE else self.thresholds.late_s
        return min(now, seen + timedelta(seconds=after))

    def _record(self, changes: list[tuple[str, State | None, State, datetime]]) -> None:
        # A few hundred a transaction, each written set by set: a province-wide network cut turns thousands of
        # terminals offline at one look, and a statement per change would keep the look (and the writers) waiting.
        for start in range(0, len(changes), SWEEP_CHUNK):
            with self.engine.begin() as conn:
                self._record_chunk(conn, changes[start : start + SWEEP_CHUNK])

    def _record_chunk(self, conn: Connection, changes: list[tuple[str, State | None, State, datetime]]) -> None:
        ct = console_terminals.c
        seen = [c for c in changes if c[1] is not None]
        # Read again under the write lock (SQLite's, or the rows' on PostgreSQL): a change computed from a row a
        # beat has moved since is dropped, as the compare-and-set of ``change`` does one by one.
        current = {
            str(row[0]): str(row[1])
            for row in conn.execute(
                select(ct.terminal_id, ct.state)
                .where(ct.terminal_id.in_([c[0] for c in seen]))
                .order_by(ct.terminal_id)  # one order of locks for every worker
                .with_for_update()
            )
        }
        moved = [c for c in seen if c[1] is not None and current.get(c[0]) == c[1].value]
        # A terminal the console had no row for gets its first one (and its first line of history) as before.
        firsts = [(t, s, at) for t, p, s, at in changes if p is None and self._first_row(conn, t, s, at, seen=False)]
        if moved:
            conn.execute(
                update(console_terminals)
                .where(ct.terminal_id == bindparam("moved_terminal"))
                .values(state=bindparam("moved_state"), state_since=bindparam("moved_since")),
                [{"moved_terminal": t, "moved_state": s.value, "moved_since": iso(at)} for t, _p, s, at in moved],
            )
            conn.execute(
                insert(console_state_changes),
                [{"terminal_id": t, "state": s.value, "at": iso(at)} for t, _p, s, at in moved],
            )
        self.alerts.offline_changed(
            conn,
            went=[(t, at) for t, _p, s, at in moved if s is State.OFFLINE]
            + [(t, at) for t, s, at in firsts if s is State.OFFLINE],
            came_back=[(t, at) for t, p, s, at in moved if s is not State.OFFLINE and p is State.OFFLINE],
        )

    # -- one terminal -------------------------------------------------------------------------------------
    def terminal(self, terminal_id: str, now: datetime) -> TerminalView | None:
        """One enrolled terminal as its page shows it (None: not enrolled)."""
        self.sweep(now)
        views = terminal_views(self.engine, [terminal_id], now)
        return views[0] if views else None

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
