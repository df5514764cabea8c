"""What every console page shares: the templates, who is asking (session and role), CSRF, language, the page
registry's shape, and the answers for "log in first" (a redirect) and "not your role" (403).

Sessions live in the database (:mod:`central.console.accounts`); the cookie is HttpOnly and SameSite=Strict,
and every form carries the session's CSRF token, checked before the form does anything.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.concurrency import run_in_threadpool

from central.console.accounts import ROLE_NAMES, Role, Session
from central.console.desk import FleetConsole, console_of
from central.console.words import alert_detail, device_name, device_state, when

PREFIX = "/console"
SESSION_COOKIE = "console_session"
LANG_COOKIE = "console_lang"
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
ALL_ROLES = frozenset(Role)

TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).with_name("templates")),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
TEMPLATES.filters["when"] = when


@dataclass(frozen=True)
class NavEntry:
    """A page's place in the menu: its path, its name in both languages, the roles that may open it."""

    path: str
    name: tuple[str, str]
    roles: frozenset[Role]


@dataclass(frozen=True)
class Page:
    """One area of the console: its routes, and its menu entry (None: not in the menu)."""

    router: APIRouter
    nav: NavEntry | None = None


class LogInFirst(Exception):  # noqa: N818 - a signal, answered by a redirect to the login page
    """No valid session: the browser is sent to the login page."""


class NotYourRole(Exception):  # noqa: N818 - a signal, answered by 403
    """A session whose role may not open this page or send this form (or a form without its CSRF token)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Viewer:
    """Who is asking, in which language, and when (the console's clock)."""

    session: Session
    lang: str
    now: datetime
    console: FleetConsole

    def t(self, zh: str, en: str) -> str:
        return en if self.lang == "en" and en else zh


def console(request: Request) -> FleetConsole:
    found = console_of(request.app.state)
    assert found is not None
    return found


def language(request: Request) -> str:
    return "en" if request.cookies.get(LANG_COOKIE) == "en" else "zh"


async def _viewer(request: Request, roles: Iterable[Role]) -> Viewer:
    desk = console(request)
    now = desk.clock.now()
    session = await run_in_threadpool(desk.accounts.session, request.cookies.get(SESSION_COOKIE), now)
    if session is None:
        raise LogInFirst
    if session.user.role not in frozenset(roles):
        raise NotYourRole("你的角色不能打开此页 (your role may not open this page)")
    return Viewer(session, language(request), now, desk)


def require(*roles: Role) -> Callable[[Request], Awaitable[Viewer]]:
    """A dependency: the viewer, when their role is one of ``roles`` (else login redirect or 403)."""
    allowed = frozenset(roles)

    async def dependency(request: Request) -> Viewer:
        return await _viewer(request, allowed)

    return dependency


def require_form(*roles: Role) -> Callable[[Request], Awaitable[tuple[Viewer, dict[str, str]]]]:
    """A dependency for a form's POST: the viewer and the form's fields, after the CSRF token is checked."""
    allowed = frozenset(roles)

    async def dependency(request: Request) -> tuple[Viewer, dict[str, str]]:
        viewer = await _viewer(request, allowed)
        form = await request.form()
        fields = {key: value for key, value in form.items() if isinstance(value, str)}
        given = fields.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER) or ""
        if not hmac.compare_digest(given.encode(), viewer.session.csrf_token.encode()):
            raise NotYourRole("表单已过期，请刷新页面后重试 (the form is stale or forged: reload the page)")
        return viewer, fields

    return dependency


def nav_for(request: Request, viewer: Viewer) -> list[tuple[str, str, bool]]:
    entries: list[NavEntry] = getattr(request.app.state, "console_nav", [])
    return [
        (entry.path, viewer.t(*entry.name), request.url.path.startswith(entry.path))
        for entry in entries
        if viewer.session.user.role in entry.roles
    ]


def render(request: Request, viewer: Viewer | None, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    lang = viewer.lang if viewer else language(request)

    def t(zh: str, en: str) -> str:
        return en if lang == "en" and en else zh

    html = TEMPLATES.get_template(template).render(
        t=t,
        lang=lang,
        viewer=viewer,
        nav=nav_for(request, viewer) if viewer else [],
        role_name=(t(*ROLE_NAMES[viewer.session.user.role]) if viewer else ""),
        csrf=viewer.session.csrf_token if viewer else "",
        here=quote(request.url.path),
        prefix=PREFIX,
        device_name=lambda name: device_name(name, lang),
        device_state=lambda state: device_state(state, lang),
        alert_detail=lambda kind, detail: alert_detail(kind, detail, lang),
        **context,
    )
    return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)


SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def see_other(path: str) -> Response:
    return RedirectResponse(path, status_code=303)
