"""The terminal list as the console reads it (终端总览): counters from one aggregate query, halls worst first, and
one page of terminals at a time, so a province's 10,000 terminals cost what one page of them costs.

Without a filter the list holds the terminals that need someone (every state but ok), under their halls, the
halls worst first; a hall chosen, or a search, lists every terminal it covers. The halls where every terminal
is ok follow, one line each, on the list's last page. States are the stored ones: the caller sweeps first
(:meth:`central.console.fleet.Fleet.sweep`), so silence is counted as of now.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import Engine, and_, case, func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from central.clock import iso
from central.console.states import RANK, WORST_FIRST, State, paper_low
from central.db import reading
from central.schema import audit_alarms, audit_logs, console_terminals, terminals

PAGE_SIZE = 100
MAX_SEARCH = 64

_CT = console_terminals.c
_RANK = case({state.value: RANK[state] for state in State}, value=_CT.state, else_=RANK[State.OK])


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
    """A hall's counters and the terminals of it on this page."""

    region: str
    hall: str
    counts: dict[State, int]
    terminals: list[TerminalView] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def worst(self) -> State:
        return next((state for state in WORST_FIRST if self.counts.get(state)), State.OK)


@dataclass(frozen=True)
class ListFilter:
    """What the list is asked for: a hall manager's own hall (``scope``), a region or hall, a search, a page."""

    scope: str | None = None
    region: str | None = None
    hall: str | None = None
    search: str = ""
    page: int = 1

    @property
    def everything(self) -> bool:
        """Every terminal the filter covers, ok ones included (a hall chosen, or a search)."""
        return self.hall is not None or bool(self.search)

    def where(self) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if self.scope is not None:
            conditions.append(_CT.hall == self.scope)
        if self.region is not None:
            conditions.append(_CT.region == self.region)
        if self.hall is not None:
            conditions.append(_CT.hall == self.hall)
        if self.search:
            pattern = "%" + self.search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            conditions.append(
                or_(
                    _CT.terminal_id.like(pattern, escape="\\"),
                    _CT.hall.like(pattern, escape="\\"),
                    _CT.region.like(pattern, escape="\\"),
                )
            )
        return conditions


@dataclass(frozen=True)
class FleetPage:
    counts: dict[State, int]
    total: int
    halls: list[Hall]
    quiet_halls: list[Hall]
    page: int
    pages: int
    listed: int

    @property
    def ok_counter(self) -> int:
        return self.counts.get(State.OK, 0)


def _age(now: datetime, seen_at: str | None) -> float | None:
    return None if seen_at is None else max(0.0, (now - datetime.fromisoformat(seen_at)).total_seconds())


def terminal_views(engine: Engine, terminal_ids: list[str], now: datetime) -> list[TerminalView]:
    """The listed terminals with their reports, audit checkpoints and alarm counts, in the order given."""
    if not terminal_ids:
        return []
    query = (
        select(
            terminals.c.terminal_id,
            terminals.c.revoked,
            terminals.c.last_heartbeat,
            _CT.region,
            _CT.hall,
            _CT.state,
            _CT.state_since,
            _CT.last_seen_at,
            _CT.maintenance_until,
            audit_logs.c.size,
            audit_logs.c.updated_at,
            select(func.count())
            .where(audit_alarms.c.terminal_id == terminals.c.terminal_id)
            .scalar_subquery()
            .label("alarms"),
        )
        .select_from(
            terminals.outerjoin(console_terminals, _CT.terminal_id == terminals.c.terminal_id).outerjoin(
                audit_logs, audit_logs.c.terminal_id == terminals.c.terminal_id
            )
        )
        .where(terminals.c.terminal_id.in_(terminal_ids))
    )
    with reading(engine) as conn:
        rows = {row.terminal_id: row for row in conn.execute(query)}
    stamp = iso(now)
    views = []
    for terminal_id in terminal_ids:
        row = rows.get(terminal_id)
        if row is None:
            continue
        report = orjson.loads(row.last_heartbeat) if row.last_heartbeat else {}
        in_maintenance = row.maintenance_until is not None and row.maintenance_until > stamp
        views.append(
            TerminalView(
                terminal_id=terminal_id,
                region=row.region or "",
                hall=row.hall or "",
                state=State(row.state) if row.state else State.OFFLINE,
                state_since=row.state_since,
                age_s=_age(now, row.last_seen_at),
                last_seen_at=row.last_seen_at,
                maintenance_until=row.maintenance_until if in_maintenance else None,
                report=report if isinstance(report, dict) else {},
                revoked=bool(row.revoked),
                audit_size=None if row.size is None else int(row.size),
                audit_checked_at=None if row.updated_at is None else str(row.updated_at),
                audit_alarms=int(row.alarms or 0),
            )
        )
    return views


def fleet_page(engine: Engine, wanted: ListFilter, now: datetime) -> FleetPage:
    """The counters, the halls and one page of the list ``wanted`` asks for."""
    scope = [_CT.hall == wanted.scope] if wanted.scope is not None else []
    enrolled = console_terminals.join(terminals, terminals.c.terminal_id == _CT.terminal_id)
    counts_query = select(_CT.state, func.count()).select_from(enrolled).where(*scope).group_by(_CT.state)
    conditions = wanted.where()
    halls_query = (
        select(_CT.region, _CT.hall, _CT.state, func.count())
        .select_from(enrolled)
        .where(*conditions)
        .group_by(_CT.region, _CT.hall, _CT.state)
    )
    listed = list(conditions)
    if not wanted.everything:
        listed.append(_CT.state != State.OK.value)
    hall_worst = (
        select(_CT.region, _CT.hall, func.min(_RANK).label("worst"))
        .where(*scope)
        .group_by(_CT.region, _CT.hall)
        .subquery()
    )
    order = (hall_worst.c.worst, _CT.region, _CT.hall, _RANK, _CT.terminal_id)
    rows_from = enrolled.join(hall_worst, and_(hall_worst.c.region == _CT.region, hall_worst.c.hall == _CT.hall))
    with reading(engine) as conn:
        counts = dict.fromkeys(State, 0)
        for state, count in conn.execute(counts_query):
            counts[State(state)] = int(count)
        summaries: dict[tuple[str, str], dict[State, int]] = {}
        for region, hall, state, count in conn.execute(halls_query):
            summaries.setdefault((region, hall), dict.fromkeys(State, 0))[State(state)] = int(count)
        matching = int(conn.execute(select(func.count()).select_from(enrolled).where(*listed)).scalar() or 0)
        pages = max(1, -(-matching // PAGE_SIZE))
        page = min(max(1, wanted.page), pages)
        ids = [
            str(row[0])
            for row in conn.execute(
                select(_CT.terminal_id)
                .select_from(rows_from)
                .where(*listed)
                .order_by(*order)
                .limit(PAGE_SIZE)
                .offset((page - 1) * PAGE_SIZE)
            )
        ]
    halls: dict[tuple[str, str], Hall] = {}
    for view in terminal_views(engine, ids, now):
        key = (view.region, view.hall)
        if key not in halls:
            halls[key] = Hall(view.region, view.hall, summaries.get(key, {}))
        halls[key].terminals.append(view)
    quiet: list[Hall] = []
    if page == pages and not wanted.everything:
        quiet = [
            Hall(region, hall, states)
            for (region, hall), states in sorted(summaries.items())
            if all(count == 0 for state, count in states.items() if state is not State.OK)
        ]
    return FleetPage(counts, sum(counts.values()), list(halls.values()), quiet, page, pages, matching)
