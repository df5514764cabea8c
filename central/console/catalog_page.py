"""事项目录 / Catalog: upload or edit the service catalog; it is checked with the terminal's own model and each
problem shown with its line; a good one is published with its version and terminals fetch it by ETag."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from central.console.accounts import Role
from central.console.catalogs import MAX_CATALOG_BYTES, CatalogProblem, CatalogRefusedError
from central.console.web import CSRF_FIELD, PREFIX, NavEntry, Page, Viewer, render, require, see_other
from central.platform import Platform

PUBLISHERS = (Role.ADMIN,)
READERS = (Role.ADMIN, Role.SUPERVISOR)

router = APIRouter()


def _current_text(request: Request, viewer: Viewer) -> str:
    snapshot = viewer.console.catalogs.current()
    if snapshot is None:
        platform = request.app.state.platform
        if not isinstance(platform, Platform):
            return ""
        snapshot = platform.catalog.snapshot()
    return snapshot.content.decode("utf-8", errors="replace")


async def _page(
    request: Request,
    viewer: Viewer,
    *,
    text: str | None = None,
    problems: list[CatalogProblem] | None = None,
    status: int = 200,
    published: str = "",
) -> Response:
    history = await run_in_threadpool(viewer.console.catalogs.history)
    if text is None:
        text = await run_in_threadpool(_current_text, request, viewer)
    return render(
        request,
        viewer,
        "catalog.html",
        status,
        text=text,
        problems=problems or [],
        history=history,
        published=published,
        may_publish=viewer.session.user.role in PUBLISHERS,
    )


@router.get(PREFIX + "/catalog")
async def catalog(request: Request, viewer: Annotated[Viewer, Depends(require(*READERS))]) -> Response:
    return await _page(request, viewer, published=request.query_params.get("published", "")[:64])


@router.post(PREFIX + "/catalog")
async def publish(request: Request, viewer: Annotated[Viewer, Depends(require(*PUBLISHERS))]) -> Response:
    form = await request.form(max_part_size=MAX_CATALOG_BYTES)
    given = str(form.get(CSRF_FIELD, ""))
    if not hmac.compare_digest(given.encode(), viewer.session.csrf_token.encode()):
        return render(
            request,
            viewer,
            "error.html",
            403,
            message=viewer.t("表单已过期，请刷新页面后重试", "The form is stale or forged: reload the page"),
        )
    upload = form.get("file")
    text = str(form.get("text", ""))
    if isinstance(upload, UploadFile) and upload.filename:
        raw = await upload.read(MAX_CATALOG_BYTES + 1)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            problem = CatalogProblem(0, "", "文件不是 UTF-8 文本 (the file is not UTF-8 text)")
            return await _page(request, viewer, text="", problems=[problem], status=422)
    try:
        done = await run_in_threadpool(viewer.console.catalogs.publish, text, viewer.session.user.username, viewer.now)
    except CatalogRefusedError as refused:
        return await _page(request, viewer, text=text, problems=refused.problems, status=422)
    return see_other(f"{PREFIX}/catalog?published={done.version}")


PAGE = Page(router, NavEntry(PREFIX + "/catalog", ("事项目录", "Catalog"), frozenset(READERS)))
