"""Cases (办件) for 审核 staff: search by case number or masked name, and one case's lifecycle; the staff accounts
of the assisted client. Read-only over the platform's tables (submissions, and the assisted-handling tables of
migration 0004); a masked name is all the console ever shows of an applicant."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select

from central.db import reading
from central.schema import staff_accounts, staff_case_events, staff_cases, submissions
from offline_cache.wire.protocol import USAGE_SERVICE_CODE

MAX_RESULTS = 50


@dataclass(frozen=True)
class CaseRow:
    case_no: str
    service_code: str
    service_name: str
    applicant_masked: str
    status: str
    terminal_id: str
    received_at: str
    staff_no: str = ""
    staff_state: str = ""


@dataclass(frozen=True)
class CaseEvent:
    state: str
    at: str
    by: str
    note: str


@dataclass(frozen=True)
class StaffRow:
    staff_no: str
    hall: str
    name: str
    role: str
    disabled: bool


def _summary(body: str) -> dict[str, Any]:
    try:
        summary = json.loads(body).get("summary", {})
    except (ValueError, AttributeError):
        return {}
    return summary if isinstance(summary, dict) else {}


@dataclass(frozen=True)
class CaseDesk:
    engine: Engine

    def search(self, query: str) -> list[CaseRow]:
        """A case number (exact), or part of a masked name (张*丰, 张): the newest first, at most 50."""
        query = query.strip()
        if not query:
            return []
        base = (
            select(
                submissions.c.case_no,
                submissions.c.service_code,
                submissions.c.status,
                submissions.c.terminal_id,
                submissions.c.received_at,
                submissions.c.body,
                staff_cases.c.staff_no,
                staff_cases.c.state,
            )
            .select_from(submissions.outerjoin(staff_cases, staff_cases.c.case_no == submissions.c.case_no))
            .where(submissions.c.service_code != USAGE_SERVICE_CODE)  # usage batches are counts, not cases
            .order_by(submissions.c.seq.desc())
        )
        if query.upper().startswith("SB") and query[2:].isdigit():
            statement = base.where(submissions.c.case_no == query.upper())
        else:
            statement = base.where(submissions.c.body.contains(query, autoescape=True)).limit(MAX_RESULTS * 4)
        with reading(self.engine) as conn:
            rows = conn.execute(statement).all()
        found = []
        for row in rows:
            summary = _summary(row.body)
            masked = str(summary.get("applicant_masked", ""))
            if row.case_no != query.upper() and query not in masked:
                continue
            found.append(
                CaseRow(
                    case_no=row.case_no or "",
                    service_code=row.service_code,
                    service_name=str(summary.get("service_name", "")),
                    applicant_masked=masked,
                    status=row.status,
                    terminal_id=row.terminal_id,
                    received_at=row.received_at,
                    staff_no=row.staff_no or "",
                    staff_state=row.state or "",
                )
            )
        return found[:MAX_RESULTS]

    def lifecycle(self, case_no: str) -> list[CaseEvent]:
        with reading(self.engine) as conn:
            rows = conn.execute(
                select(
                    staff_case_events.c.state, staff_case_events.c.at, staff_case_events.c.by, staff_case_events.c.note
                )
                .where(staff_case_events.c.case_no == case_no)
                .order_by(staff_case_events.c.seq)
            ).all()
        return [CaseEvent(r.state, r.at, r.by, r.note) for r in rows]

    def staff(self) -> list[StaffRow]:
        with reading(self.engine) as conn:
            rows = conn.execute(
                select(
                    staff_accounts.c.staff_no,
                    staff_accounts.c.hall,
                    staff_accounts.c.name,
                    staff_accounts.c.role,
                    staff_accounts.c.disabled,
                ).order_by(staff_accounts.c.hall, staff_accounts.c.staff_no)
            ).all()
        return [StaffRow(r.staff_no, r.hall, r.name, r.role, bool(r.disabled)) for r in rows]
