"""终端 / Terminals: the fleet worst-first by region and hall with counters, a page of 100 at a time with region,
hall and search filters, and one terminal's page (devices, paper, queue, audit checkpoint, versions, disk, last
sync, 30-day history, uptime; place and maintenance)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from central.console.accounts import Role
from central.console.fleet_list import MAX_SEARCH, FleetPage, ListFilter, fleet_page
from central.console.states import STATE_NAMES, WORST_FIRST, State
from central.console.web import (
    ALL_ROLES,
    PREFIX,
    NavEntry,
    NotYourRole,
    Page,
    Viewer,
    render,
    require,
    require_form,
    see_other,
)

OTHER_HALL = "这台终端不在你的大厅 (this terminal is not in your hall)"

#: Who may set a terminal's place and maintenance window.
EDITORS = (Role.HALL_MANAGER, Role.TECHNICIAN, Role.ADMIN)

router = APIRouter()


def _wanted(request: Request, viewer: Viewer) -> ListFilter:
    """The list's filter from the address: a region, a hall (both given: that hall), a search, a page."""
    query = request.query_params
    region = query.get("region")
    hall = query.get("hall")
    user = viewer.session.user
    try:
        page = max(1, min(int(query.get("page", "1")), 10_000))
    except ValueError:
        page = 1
    return ListFilter(
        scope=user.hall if not user.sees("") else None,
        region=None if region is None else region[:64],
        hall=None if hall is None or region is None else hall[:128],
        search=query.get("q", "").strip()[:MAX_SEARCH],
        page=page,
    )


def _context(request: Request, wanted: ListFilter | None = None) -> dict[str, Any]:
    chosen = None if wanted is None or wanted.hall is None or wanted.region is None else (wanted.region, wanted.hall)
    filters = (
        {} if wanted is None else {k: v for k, v in (("region", wanted.region), ("hall", wanted.hall)) if v is not None}
    )
    if wanted is not None and wanted.search:
        filters["q"] = wanted.search
    suffix = "?" + urlencode(filters) if filters else ""
    return {
        "state_names": STATE_NAMES,
        "states": WORST_FIRST,
        "chosen": chosen,
        "wanted": wanted,
        "suffix": suffix,
        "filters": filters,
        "OK": State.OK,
    }


def _list(viewer: Viewer, wanted: ListFilter) -> FleetPage:
    viewer.console.sweep()
    return fleet_page(viewer.console.engine, wanted, viewer.now)


@router.get(PREFIX + "/terminals")
async def terminals(request: Request, viewer: Annotated[Viewer, Depends(require(*ALL_ROLES))]) -> Response:
    wanted = _wanted(request, viewer)
    fleet = await run_in_threadpool(_list, viewer, wanted)
    return render(request, viewer, "terminals.html", fleet=fleet, **_context(request, wanted))


@router.get(PREFIX + "/terminals/list")
async def terminal_list(request: Request, viewer: Annotated[Viewer, Depends(require(*ALL_ROLES))]) -> Response:
    """The list alone, for the page's refresh every few seconds."""
    wanted = _wanted(request, viewer)
    fleet = await run_in_threadpool(_list, viewer, wanted)
    return render(request, viewer, "_terminal_list.html", fleet=fleet, **_context(request, wanted))


@router.get(PREFIX + "/terminals/{terminal_id}")
async def terminal(
    terminal_id: str, request: Request, viewer: Annotated[Viewer, Depends(require(*ALL_ROLES))]
) -> Response:
    view = await run_in_threadpool(viewer.console.fleet.terminal, terminal_id, viewer.now)
    if view is not None and not viewer.session.user.sees(view.hall):
        raise NotYourRole(OTHER_HALL)
    if view is None:
        return render(request, viewer, "error.html", 404, message=viewer.t("没有这台终端", "No such terminal"))
    changes, uptime = await run_in_threadpool(viewer.console.fleet.history, terminal_id, viewer.now)
    return render(
        request,
        viewer,
        "terminal.html",
        terminal=view,
        changes=changes,
        uptime=uptime,
        may_edit=viewer.session.user.role in EDITORS,
        **_context(request),
    )


@router.post(PREFIX + "/terminals/{terminal_id}")
async def edit_terminal(
    terminal_id: str,
    request: Request,
    form: Annotated[tuple[Viewer, dict[str, str]], Depends(require_form(*EDITORS))],
) -> Response:
    viewer, fields = form
    try:
        hours = float(fields.get("maintenance_hours", "0") or 0)
    except ValueError:
        hours = -1
    if not 0 <= hours <= 24 * 14:
        return render(
            request,
            viewer,
            "error.html",
            422,
            message=viewer.t("维护时长须为 0 到 336 小时", "Maintenance: 0 to 336 hours"),
        )
    region = fields.get("region", "").strip()[:64]
    hall = fields.get("hall", "").strip()[:128]
    user = viewer.session.user
    current = await run_in_threadpool(viewer.console.fleet.place_of, terminal_id)
    if not user.sees(current[1]) or not user.sees(hall):  # a hall manager keeps to their hall
        raise NotYourRole(OTHER_HALL)
    found = await run_in_threadpool(viewer.console.fleet.place, terminal_id, region, hall, hours, viewer.now)
    if not found:
        return render(request, viewer, "error.html", 404, message=viewer.t("没有这台终端", "No such terminal"))
    return see_other(f"{PREFIX}/terminals/{terminal_id}")


PAGE = Page(router, NavEntry(PREFIX + "/terminals", ("终端", "Terminals"), ALL_ROLES))
