"""政策推送 / Notices: write a notice in both languages, target a region or hall, schedule it, preview it as the
attract screen shows it, publish, withdraw. Times are entered in China Standard Time."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from central.clock import CHINA_TIME
from central.console.accounts import Role
from central.console.notices import NoticeDraft, NoticeError
from central.console.web import PREFIX, NavEntry, NotYourRole, Page, Viewer, render, require, require_form, see_other

WRITERS = (Role.HALL_MANAGER, Role.ADMIN)

router = APIRouter()


def _when(text: str, default: datetime | None) -> datetime | None:
    text = text.strip()
    if not text:
        return default
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise NoticeError(f"时间格式不对 (not a time): {text}") from exc
    return moment.replace(tzinfo=CHINA_TIME) if moment.tzinfo is None else moment


def _scoped(viewer: Viewer) -> bool:
    user = viewer.session.user
    return user.role is Role.HALL_MANAGER and bool(user.hall)


async def _page(request: Request, viewer: Viewer, status: int = 200, **context: object) -> Response:
    notices = await run_in_threadpool(viewer.console.notices.listing)
    if _scoped(viewer):
        notices = [n for n in notices if n.draft.hall in ("", viewer.session.user.hall)]
    return render(request, viewer, "notices.html", status, notices=notices, now=viewer.now, china=CHINA_TIME, **context)


@router.get(PREFIX + "/notices")
async def notices(request: Request, viewer: Annotated[Viewer, Depends(require(*WRITERS))]) -> Response:
    return await _page(request, viewer, fields={})


@router.post(PREFIX + "/notices")
async def write_notice(
    request: Request, form: Annotated[tuple[Viewer, dict[str, str]], Depends(require_form(*WRITERS))]
) -> Response:
    viewer, fields = form
    try:
        draft = NoticeDraft(
            title_zh=fields.get("title_zh", ""),
            title_en=fields.get("title_en", ""),
            body_zh=fields.get("body_zh", ""),
            body_en=fields.get("body_en", ""),
            region=fields.get("region", "")[:64],
            # A hall manager of one hall writes for that hall only.
            hall=viewer.session.user.hall if _scoped(viewer) else fields.get("hall", "")[:128],
            starts_at=_when(fields.get("starts_at", ""), viewer.now) or viewer.now,
            ends_at=_when(fields.get("ends_at", ""), None),
        )
        draft.check()
    except NoticeError as exc:
        return await _page(request, viewer, 422, fields=fields, error=str(exc))
    if fields.get("action") != "publish":
        return await _page(request, viewer, fields=fields, preview=draft)
    await run_in_threadpool(viewer.console.notices.publish, draft, viewer.session.user.username, viewer.now)
    return see_other(PREFIX + "/notices")


@router.post(PREFIX + "/notices/{seq}/withdraw")
async def withdraw(
    seq: int, request: Request, form: Annotated[tuple[Viewer, dict[str, str]], Depends(require_form(*WRITERS))]
) -> Response:
    viewer, _fields = form
    if _scoped(viewer):
        mine = [n for n in await run_in_threadpool(viewer.console.notices.listing) if n.seq == seq]
        if not mine or mine[0].draft.hall != viewer.session.user.hall:
            raise NotYourRole("只能撤回本大厅的通知 (you may withdraw your hall's notices only)")
    await run_in_threadpool(viewer.console.notices.withdraw, seq, viewer.now)
    return see_other(PREFIX + "/notices")


PAGE = Page(router, NavEntry(PREFIX + "/notices", ("政策推送", "Notices"), frozenset(WRITERS)))
