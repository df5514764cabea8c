"""Logging in and out (登录): a password form with its own CSRF token (a cookie the form must repeat), five wrong
passwords in a row lock the account for a while, and the session cookie is HttpOnly and SameSite=Strict."""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from central.console.accounts import LOCK_FOR, LoginOutcome
from central.console.web import (
    ALL_ROLES,
    LANG_COOKIE,
    PREFIX,
    SESSION_COOKIE,
    Page,
    Viewer,
    console,
    render,
    require_form,
    see_other,
)

LOGIN_CSRF_COOKIE = "console_login_csrf"

router = APIRouter()


def _login_form(request: Request, message: str = "", status: int = 200) -> Response:
    token = secrets.token_urlsafe(24)
    response = render(request, None, "login.html", status=status, message=message, login_csrf=token)
    response.set_cookie(
        LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", path=PREFIX, secure=request.url.scheme == "https"
    )
    return response


@router.get(PREFIX + "/login")
def login_page(request: Request) -> Response:
    return _login_form(request)


@router.post(PREFIX + "/login")
async def log_in(request: Request) -> Response:
    form = await request.form()
    username = str(form.get("username", ""))[:64]
    password = str(form.get("password", ""))[:1024]
    given = str(form.get("csrf", ""))
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        return _login_form(request, "表单已过期，请重新登录 (the form expired: log in again)", 403)
    desk = console(request)
    outcome, token = await run_in_threadpool(desk.accounts.log_in, username, password, desk.clock.now())
    if outcome is LoginOutcome.LOCKED:
        minutes = int(LOCK_FOR.total_seconds() // 60)
        return _login_form(
            request,
            f"连续输错 5 次，账号已锁定 {minutes} 分钟 "
            f"(5 wrong passwords: the account is locked for {minutes} minutes)",
            423,
        )
    if outcome is LoginOutcome.WRONG or token is None:
        return _login_form(request, "用户名或密码不对 (wrong user name or password)", 401)
    response = see_other(PREFIX + "/terminals")
    response.set_cookie(
        SESSION_COOKIE, token, httponly=True, samesite="strict", path=PREFIX, secure=request.url.scheme == "https"
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path=PREFIX)
    return response


@router.post(PREFIX + "/logout")
async def log_out(
    request: Request, _form: Annotated[tuple[Viewer, dict[str, str]], Depends(require_form(*ALL_ROLES))]
) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        await run_in_threadpool(console(request).accounts.log_out, token)
    response = see_other(PREFIX + "/login")
    response.delete_cookie(SESSION_COOKIE, path=PREFIX)
    return response


@router.get(PREFIX + "/lang")
def choose_language(to: str = "zh", back: str = PREFIX + "/terminals") -> Response:
    """中文 / English: a preference cookie, then back to the page (only console paths)."""
    response = see_other(back if back.startswith(PREFIX + "/") and "//" not in back else PREFIX + "/terminals")
    response.set_cookie(LANG_COOKIE, "en" if to == "en" else "zh", samesite="lax", path=PREFIX, max_age=365 * 86400)
    return response


@router.get(PREFIX)
@router.get(PREFIX + "/")
def home() -> Response:
    return see_other(PREFIX + "/terminals")


PAGE = Page(router)
