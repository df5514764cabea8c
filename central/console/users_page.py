"""用户 / Users: the administrator sees the console's users and adds one (the first comes from the CLI)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from central.console.accounts import ROLE_NAMES, AccountError, Role
from central.console.web import PREFIX, NavEntry, Page, Viewer, render, require, require_form, see_other

ADMINS = (Role.ADMIN,)

router = APIRouter()


async def _page(request: Request, viewer: Viewer, status: int = 200, error: str = "") -> Response:
    users = await run_in_threadpool(viewer.console.accounts.users)
    return render(
        request, viewer, "users.html", status, users=users, roles=list(Role), role_names=ROLE_NAMES, error=error
    )


@router.get(PREFIX + "/users")
async def users(request: Request, viewer: Annotated[Viewer, Depends(require(*ADMINS))]) -> Response:
    return await _page(request, viewer)


@router.post(PREFIX + "/users")
async def add_user(
    request: Request, form: Annotated[tuple[Viewer, dict[str, str]], Depends(require_form(*ADMINS))]
) -> Response:
    viewer, fields = form
    try:
        role = Role(fields.get("role", ""))
        await run_in_threadpool(
            viewer.console.accounts.add,
            fields.get("username", "").strip(),
            fields.get("password", ""),
            role,
            fields.get("display_name", "").strip()[:128],
            viewer.now,
            hall=fields.get("hall", "") if role is Role.HALL_MANAGER else "",
        )
    except ValueError:
        return await _page(request, viewer, 422, viewer.t("请选择角色", "Choose a role"))
    except AccountError as exc:
        return await _page(request, viewer, 422, str(exc))
    return see_other(PREFIX + "/users")


PAGE = Page(router, NavEntry(PREFIX + "/users", ("用户", "Users"), frozenset(ADMINS)))
