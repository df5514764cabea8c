"""使用统计 / Usage: per hall, the last weeks and the forecast with its 80 % interval, the busiest hours, the
services most often abandoned and at which step, the ratings (an SVG drawn on the server, ``central/usage/chart.py``),
and the hall's hourly counts and forecast as CSV or Excel."""

from __future__ import annotations

import datetime as dt
import io
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from central.console.accounts import Role
from central.console.web import PREFIX, SECURITY_HEADERS, NavEntry, NotYourRole, Page, Viewer, render, require
from central.usage.chart import chart_data, render_svg
from central.usage.forecasts import halls, hourly_visits, stored_forecast

READERS = (Role.HALL_MANAGER, Role.SUPERVISOR, Role.ADMIN)
WEEKS = 6

router = APIRouter()


@router.get(PREFIX + "/usage")
async def usage(request: Request, viewer: Annotated[Viewer, Depends(require(*READERS))], hall: str = "") -> Response:
    engine = viewer.console.engine
    user = viewer.session.user
    known = [h for h in await run_in_threadpool(halls, engine) if user.sees(h)]  # a hall manager: their hall
    chosen = hall if hall in known else (known[0] if known else "")
    svg = ""
    if chosen:
        data = await run_in_threadpool(chart_data, engine, chosen, viewer.now.date(), weeks=WEEKS)
        svg = render_svg(data)  # every text in it is escaped by the chart
    return render(request, viewer, "usage.html", halls=known, hall=chosen, svg=svg, weeks=WEEKS)


def _export_rows(engine: Engine, hall: str, today: dt.date) -> list[tuple[str, str, str, str, str, str]]:
    counts = hourly_visits(engine, hall)
    rows = [(f"{t:%Y-%m-%d %H:00}", "counted", f"{v:g}", "", "", "") for t, v in counts.items()]
    rows += [
        (
            f"{r['hour'][:10]} {r['hour'][11:13]}:00",
            "forecast",
            "",
            f"{r['point']:g}",
            f"{r['lower80']:g}",
            f"{r['upper80']:g}",
        )
        for r in stored_forecast(engine, hall, today.isoformat())
    ]
    return rows


@router.get(PREFIX + "/usage/export.csv")
async def export_csv(viewer: Annotated[Viewer, Depends(require(*READERS))], hall: str = "") -> Response:
    import csv

    if not viewer.session.user.sees(hall):
        raise NotYourRole("这个大厅不归你管 (not your hall)")
    rows = await run_in_threadpool(_export_rows, viewer.console.engine, hall, viewer.now.date())
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(("hour", "kind", "visits", "forecast", "lower80", "upper80"))
    writer.writerows(rows)
    headers = dict(SECURITY_HEADERS)
    headers["Content-Disposition"] = 'attachment; filename="usage.csv"'
    return Response(("\ufeff" + out.getvalue()).encode("utf-8"), media_type="text/csv; charset=utf-8", headers=headers)


PAGE = Page(router, NavEntry(PREFIX + "/usage", ("使用统计", "Usage"), frozenset(READERS)))
