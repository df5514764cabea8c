"""The two reads of assisted handling a laptop makes (docs/protocol.md, "Assisted handling"):
``GET /api/v1/staff`` and ``GET /api/v1/cases?staff=…&since=…&cursor=…&limit=…``; ``central/routes.py`` routes
them here after authenticating the terminal."""

from __future__ import annotations

from fastapi.responses import JSONResponse
from sqlalchemy import Engine

from central.db import reading
from central.platform import error_response
from central.staff.accounts import StaffBook, terminal_hall
from central.staff.lifecycle import CaseLifecycle, QueryError
from offline_cache.wire.protocol import envelope


def staff_list(engine: Engine, terminal_id: str) -> JSONResponse:
    """The accounts of the terminal's hall, with their hashes; disabled ones flagged."""
    hall, accounts = StaffBook(engine).for_terminal(terminal_id)
    return JSONResponse(envelope("staff_list", hall=hall, staff=[a.to_wire() for a in accounts]))


def case_page(
    engine: Engine, terminal_id: str, *, staff: str | None, since: str | None, cursor: str | None, limit: str | None
) -> JSONResponse:
    """One page of a staff member's cases by the time their state changed (422 ``invalid_query`` when the query
    cannot be read)."""
    if not staff:
        return error_response(422, "invalid_query", "staff is required (the staff number whose cases to list)")
    size: int | None = None
    if limit is not None:
        if not limit.isdigit() or len(limit) > 6:
            return error_response(422, "invalid_query", "limit must be a positive whole number")
        size = int(limit)
    with reading(engine) as conn:
        hall = terminal_hall(conn, terminal_id)
    try:
        page = CaseLifecycle(engine).page(hall, staff, since or None, cursor or None, size)
    except QueryError as exc:
        return error_response(422, "invalid_query", str(exc))
    return JSONResponse(envelope("case_page", cases=page.cases, next_cursor=page.next_cursor))
