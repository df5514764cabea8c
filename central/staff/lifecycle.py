"""The lifecycle of an assisted case (办件状态) and the paged ``GET /api/v1/cases`` a laptop reads it from.

受理 ``accepted`` (when the case arrives) → 办理 ``processing`` → 中止 ``suspended`` / 续办 ``resumed`` →
办结 ``concluded`` / 终止 ``terminated`` → 回交 ``handed_back`` → 回访 ``followed_up``. 审核 staff move a case
(:meth:`CaseLifecycle.advance`, ``kiosk-central case advance``); a laptop's 回交/回访 arrive as ``case_event``
submissions (:mod:`central.staff.screening`). Every step is a row of ``staff_case_events``; the case's row
holds the state now and when it was reached, which is what a page is ordered by.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, and_, insert, or_, select, update

from central.clock import iso, utc_now
from central.db import reading
from central.schema import staff_accounts, staff_case_events, staff_cases
from central.staff.accounts import STAFF_NO
from offline_cache.wire.protocol import CASE_STATE_LABELS, CASE_STATES, CASES_PAGE_DEFAULT, CASES_PAGE_MAX

STATE_LABELS = CASE_STATE_LABELS
#: Where a case may go from each state (a reviewer's step); 回交 and 回访 may also come from a laptop.
NEXT: dict[str, frozenset[str]] = {
    "accepted": frozenset({"processing", "suspended", "terminated"}),
    "processing": frozenset({"suspended", "concluded", "terminated"}),
    "suspended": frozenset({"resumed", "terminated"}),
    "resumed": frozenset({"suspended", "concluded", "terminated"}),
    "concluded": frozenset({"handed_back"}),
    "terminated": frozenset({"handed_back"}),
    "handed_back": frozenset({"followed_up"}),
    "followed_up": frozenset({"followed_up"}),
}
_ORDER = {state: index for index, state in enumerate(CASE_STATES)}
MAX_NOTE_CHARS = 500


class LifecycleError(ValueError):
    """A step that cannot be taken; ``str(self)`` says why (Chinese first)."""


class QueryError(ValueError):
    """A ``GET /api/v1/cases`` query that cannot be answered (422 ``invalid_query``)."""


@dataclass(frozen=True)
class CasePage:
    cases: list[dict[str, Any]]
    next_cursor: str | None


def state_rank(state: str) -> int:
    return _ORDER.get(state, -1)


def record_event(
    conn: Connection,
    case_no: str,
    state: str,
    *,
    by: str,
    note: str = "",
    at: str | None = None,
    terminal_id: str | None = None,
    event_submission_id: str | None = None,
) -> None:
    """One step of a case's history; the case's state moves with it unless it is already further on (a
    laptop's 回交 arriving after a 回访 does not move the case back)."""
    moment = at or iso(utc_now())
    conn.execute(
        insert(staff_case_events).values(
            case_no=case_no,
            state=state,
            at=moment,
            note=note[:MAX_NOTE_CHARS],
            by=by,
            terminal_id=terminal_id,
            event_submission_id=event_submission_id,
        )
    )
    row = conn.execute(select(staff_cases.c.state).where(staff_cases.c.case_no == case_no)).first()
    if row is not None and (state_rank(state) >= state_rank(row[0]) or state in NEXT.get(row[0], ())):
        # ``state_at`` is when the platform learned of it: pages are ordered by it, and a laptop's clock
        # (its ``at``, kept in the history) must not put a change before a page already read.
        conn.execute(
            update(staff_cases).where(staff_cases.c.case_no == case_no).values(state=state, state_at=iso(utc_now()))
        )


class CaseLifecycle:
    """Moves assisted cases through their lifecycle and pages them for a staff member's laptop."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def state(self, case_no: str) -> str | None:
        with reading(self.engine) as conn:
            row = conn.execute(select(staff_cases.c.state).where(staff_cases.c.case_no == case_no)).first()
        return None if row is None else str(row[0])

    def advance(self, case_no: str, state: str, *, by: str, note: str = "") -> str:
        """Move ``case_no`` to ``state`` (a reviewer's step); returns the state it left."""
        if state not in STATE_LABELS:
            known = ", ".join(f"{k}（{v}）" for k, v in STATE_LABELS.items())
            raise LifecycleError(f"没有 {state!r} 这个状态；可用：{known}")
        if len(note) > MAX_NOTE_CHARS:
            raise LifecycleError(f"备注最多 {MAX_NOTE_CHARS} 个字符 (note too long)")
        with self.engine.begin() as conn:
            row = conn.execute(select(staff_cases.c.state).where(staff_cases.c.case_no == case_no)).first()
            if row is None:
                raise LifecycleError(f"没有受理编号为 {case_no} 的代办件 (no assisted case {case_no})")
            now = str(row[0])
            if state not in NEXT.get(now, frozenset()) or state == now:
                allowed = "、".join(f"{s}（{STATE_LABELS[s]}）" for s in sorted(NEXT.get(now, ()), key=state_rank))
                raise LifecycleError(
                    f"{case_no} 现在是“{STATE_LABELS.get(now, now)}”，不能改为“{STATE_LABELS[state]}”；"
                    f"可改为：{allowed or '（无）'}"
                )
            record_event(conn, case_no, state, by=by, note=note)
        return now

    def page(self, hall: str, staff_no: str, since: str | None, cursor: str | None, limit: int | None) -> CasePage:
        """The cases of ``staff_no`` (of ``hall``) whose state changed at or after ``since``, oldest first."""
        if not STAFF_NO.match(staff_no):
            raise QueryError("staff must be a staff number (1-32 letters, digits, - or _)")
        size = CASES_PAGE_DEFAULT if limit is None else limit
        if not 1 <= size <= CASES_PAGE_MAX:
            raise QueryError(f"limit must be 1..{CASES_PAGE_MAX}")
        query = (
            select(
                staff_cases.c.case_no,
                staff_cases.c.submission_id,
                staff_cases.c.service_code,
                staff_cases.c.state,
                staff_cases.c.state_at,
            )
            .join(staff_accounts, staff_accounts.c.staff_no == staff_cases.c.staff_no)
            .where(staff_cases.c.staff_no == staff_no, staff_accounts.c.hall == hall)
            .order_by(staff_cases.c.state_at, staff_cases.c.case_no)
            .limit(size + 1)
        )
        if since:
            query = query.where(staff_cases.c.state_at >= _since(since))
        if cursor:
            at, case_no = _read_cursor(cursor)
            query = query.where(
                or_(staff_cases.c.state_at > at, and_(staff_cases.c.state_at == at, staff_cases.c.case_no > case_no))
            )
        with reading(self.engine) as conn:
            rows = conn.execute(query).all()
            more = len(rows) > size
            rows = rows[:size]
            history: dict[str, list[dict[str, Any]]] = {row.case_no: [] for row in rows}
            if rows:
                events = conn.execute(
                    select(staff_case_events)
                    .where(staff_case_events.c.case_no.in_(list(history)))
                    .order_by(staff_case_events.c.seq)
                )
                for event in events:
                    history[event.case_no].append(
                        {"state": event.state, "at": event.at, "note": event.note, "by": event.by}
                    )
        cases = [
            {
                "case_no": row.case_no,
                "submission_id": row.submission_id,
                "service_code": row.service_code,
                "state": row.state,
                "state_at": row.state_at,
                "history": history[row.case_no],
            }
            for row in rows
        ]
        next_cursor = _make_cursor(rows[-1].state_at, rows[-1].case_no) if more and rows else None
        return CasePage(cases, next_cursor)


def _since(text: str) -> str:
    if len(text) > 40:
        raise QueryError("since must be an ISO 8601 time")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise QueryError("since must be an ISO 8601 time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return iso(moment)


def _make_cursor(state_at: str, case_no: str) -> str:
    return base64.urlsafe_b64encode(json.dumps([state_at, case_no]).encode()).decode().rstrip("=")


def _read_cursor(cursor: str) -> tuple[str, str]:
    bad = QueryError("cursor is not one this platform gave (pass next_cursor back unchanged)")
    if len(cursor) > 200:
        raise bad
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise bad from None
    if not isinstance(raw, list) or len(raw) != 2 or not all(isinstance(part, str) and len(part) <= 40 for part in raw):
        raise bad
    return raw[0], raw[1]
