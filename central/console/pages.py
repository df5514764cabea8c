"""The console's pages, one module per area, registered here in menu order, and how the console is mounted on
the platform's app (its routes, static files, error pages and the :class:`FleetConsole` on ``app.state``).

A new area is one module with a ``PAGE`` and one line in :data:`PAGES`.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from central.console import (
    alerts_page,
    cases_page,
    catalog_page,
    login_page,
    notices_page,
    terminals_page,
    usage_page,
    users_page,
)
from central.console.clock import ConsoleClock
from central.console.desk import FleetConsole
from central.console.states import Thresholds
from central.console.web import PREFIX, LogInFirst, NotYourRole, Page, render, see_other
from central.platform import Platform

PAGES: tuple[Page, ...] = (
    terminals_page.PAGE,
    alerts_page.PAGE,
    notices_page.PAGE,
    catalog_page.PAGE,
    cases_page.PAGE,
    cases_page.STAFF_PAGE,
    usage_page.PAGE,
    users_page.PAGE,
    login_page.PAGE,
)

STATIC = Path(__file__).with_name("static")


def mount_console(app: FastAPI, platform: Platform | None, clock: ConsoleClock | None = None) -> None:
    """Serve the console under ``/console`` on ``app`` (nothing is mounted for an app without a platform)."""
    for page in PAGES:
        app.include_router(page.router, include_in_schema=False)
    app.state.console_nav = [page.nav for page in PAGES if page.nav is not None]
    app.mount(PREFIX + "/static", StaticFiles(directory=STATIC), name="console-static")
    if platform is not None:
        interval = float(platform.heartbeat_interval_s)
        app.state.console = FleetConsole(
            platform.engine, Thresholds(interval_s=interval, grace_s=interval / 2), clock or ConsoleClock()
        )

    async def log_in_first(request: Request, _exc: Exception) -> Response:
        if request.method == "GET":
            return see_other(f"{PREFIX}/login")
        return render(request, None, "error.html", 401, message="请先登录 (log in first)")

    async def not_your_role(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, NotYourRole)
        return render(request, None, "error.html", 403, message=exc.message)

    app.add_exception_handler(LogInFirst, log_in_first)
    app.add_exception_handler(NotYourRole, not_your_role)
