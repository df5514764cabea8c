"""办件 / Cases: 审核 staff search a case by number or masked name and read its lifecycle; 帮办人员 / Staff: the
assisted client's staff accounts (read-only here; they are managed with ``kiosk-central staff``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from central.console.accounts import Role
from central.console.cases import CaseDesk
from central.console.web import PREFIX, NavEntry, Page, Viewer, render, require

REVIEWERS = (Role.SUPERVISOR, Role.ADMIN)
STAFF_READERS = (Role.HALL_MANAGER, Role.SUPERVISOR, Role.ADMIN)

router = APIRouter()
staff_router = APIRouter()


@router.get(PREFIX + "/cases")
async def cases(request: Request, viewer: Annotated[Viewer, Depends(require(*REVIEWERS))], q: str = "") -> Response:
    desk = CaseDesk(viewer.console.engine)
    query = q[:64]
    found = await run_in_threadpool(desk.search, query)
    events = {}
    if len(found) == 1 and found[0].case_no:
        events = {found[0].case_no: await run_in_threadpool(desk.lifecycle, found[0].case_no)}
    return render(request, viewer, "cases.html", query=query, found=found, events=events)


@router.get(PREFIX + "/cases/{case_no}")
async def case(case_no: str, request: Request, viewer: Annotated[Viewer, Depends(require(*REVIEWERS))]) -> Response:
    desk = CaseDesk(viewer.console.engine)
    found = await run_in_threadpool(desk.search, case_no[:32])
    if not found:
        return render(request, viewer, "error.html", 404, message=viewer.t("没有这个办件", "No such case"))
    events = {found[0].case_no: await run_in_threadpool(desk.lifecycle, found[0].case_no)}
    return render(request, viewer, "cases.html", query=case_no, found=found[:1], events=events)


@staff_router.get(PREFIX + "/staff")
async def staff(request: Request, viewer: Annotated[Viewer, Depends(require(*STAFF_READERS))]) -> Response:
    rows = await run_in_threadpool(CaseDesk(viewer.console.engine).staff)
    return render(request, viewer, "staff.html", staff=rows)


PAGE = Page(router, NavEntry(PREFIX + "/cases", ("办件", "Cases"), frozenset(REVIEWERS)))
STAFF_PAGE = Page(staff_router, NavEntry(PREFIX + "/staff", ("帮办人员", "Staff"), frozenset(STAFF_READERS)))
