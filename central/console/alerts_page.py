"""告警 / Alerts: staff calls, paper out, devices and terminals offline, stuck queues, audit failures; the open
list refreshes itself every few seconds, and a staff call is answered with 确认 (the kiosk hears 工作人员马上到)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from central.console.accounts import Role
from central.console.alerts import KIND_NAMES
from central.console.web import PREFIX, NavEntry, NotYourRole, Page, Viewer, render, require, require_form, see_other

WATCHERS = (Role.HALL_MANAGER, Role.TECHNICIAN, Role.ADMIN)

router = APIRouter()


async def _lists(viewer: Viewer) -> dict[str, Any]:
    book = viewer.console.alerts
    await run_in_threadpool(viewer.console.sweep)  # a terminal gone silent is an alert as of now
    sees = viewer.session.user.sees  # a hall manager: their hall's alerts
    open_alerts = [a for a in await run_in_threadpool(lambda: book.listing(open_only=True)) if sees(a.hall)]
    closed = [a for a in await run_in_threadpool(lambda: book.listing(open_only=False, limit=30)) if sees(a.hall)]
    return {"open_alerts": open_alerts, "closed_alerts": closed, "kind_names": KIND_NAMES}


@router.get(PREFIX + "/alerts")
async def alerts(request: Request, viewer: Annotated[Viewer, Depends(require(*WATCHERS))]) -> Response:
    return render(request, viewer, "alerts.html", **await _lists(viewer))


@router.get(PREFIX + "/alerts/list")
async def alert_list(request: Request, viewer: Annotated[Viewer, Depends(require(*WATCHERS))]) -> Response:
    return render(request, viewer, "_alert_list.html", **await _lists(viewer))


@router.post(PREFIX + "/alerts/{seq}/ack")
async def acknowledge(
    seq: int, request: Request, form: Annotated[tuple[Viewer, dict[str, str]], Depends(require_form(*WATCHERS))]
) -> Response:
    viewer, _fields = form
    hall = await run_in_threadpool(viewer.console.alerts.hall_of, seq)
    if hall is not None and not viewer.session.user.sees(hall):
        raise NotYourRole("这条告警不在你的大厅 (this alert is not in your hall)")
    found = await run_in_threadpool(viewer.console.alerts.acknowledge, seq, viewer.session.user.username, viewer.now)
    if not found:
        return render(request, viewer, "error.html", 404, message=viewer.t("没有这条告警", "No such alert"))
    return see_other(PREFIX + "/alerts")


PAGE = Page(router, NavEntry(PREFIX + "/alerts", ("告警", "Alerts"), frozenset(WATCHERS)))
