"""The central platform's web application: the routes, the protocol's error shapes and the body-size guard.

Every error leaves as ``protocol.error_body`` JSON, never HTML and never a traceback. Nothing held in this
process matters for correctness (the database holds it all), so a province runs several of these at once.

One logging policy: a failure is logged here, once, as its type, the request's method and path and where in the
code it happened, never its message (a message can quote a body, and bodies carry applicant data), and it
does not travel on to the server, which would log it again with the full traceback and message.
"""

from __future__ import annotations

import functools
import json
import logging
import traceback
from pathlib import PurePath

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from sqlalchemy.exc import DataError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from central.batches import Batches
from central.console.beat import prepare_beats_connection
from central.console.desk import console_of
from central.heartbeat_lane import HeartbeatLane
from central.heartbeats import GATHER_S, take_heartbeats
from central.held_connection import HeldConnection
from central.intake import validation_message
from central.platform import Limits, Platform, error_response
from central.routes import router
from central.terminals import AuthError
from offline_cache.wire.protocol import API_PREFIX, PATH_ATTACHMENTS_BATCH, PATH_SUBMISSIONS_BATCH, error_body

log = logging.getLogger("central.app")


_STATUS_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
}


def log_failure(exc: BaseException, method: str, path: str) -> None:
    """Log an unexpected failure: its type, the request, and the last frames' places (file:line function), but
    never the exception's message or arguments, which may quote a body."""
    frames = traceback.extract_tb(exc.__traceback__)[-4:]
    where = " < ".join(f"{PurePath(f.filename).name}:{f.lineno} {f.name}" for f in reversed(frames))
    log.error("internal error %s on %s %s at %s", type(exc).__name__, method, path, where or "?")


def _install_error_handlers(app: FastAPI) -> None:
    async def http_error(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        code = _STATUS_CODES.get(exc.status_code, "http_error")
        return error_response(exc.status_code, code, str(exc.detail), getattr(exc, "headers", None))

    async def invalid(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError | ValidationError)
        if isinstance(exc, ValidationError):
            message = validation_message(exc)
        else:
            message = "; ".join(
                f"{'.'.join(str(p) for p in err.get('loc', ()))}: {err.get('msg', 'invalid')}"
                for err in list(exc.errors())[:5]
            )
        return error_response(422, "invalid_request", message or "request does not validate")

    async def auth_failed(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, AuthError)
        return error_response(exc.status, exc.code, exc.message)

    async def database_away(request: Request, exc: Exception) -> JSONResponse:
        # The database is down, failing over, or locked past the busy timeout: the terminal retries later.
        log.warning("database unavailable (%s) on %s %s", type(exc).__name__, request.method, request.url.path)
        return error_response(
            503, "database_unavailable", "the platform's database is unavailable; retry later", {"Retry-After": "5"}
        )

    async def unstorable(request: Request, exc: Exception) -> JSONResponse:
        # PostgreSQL refuses a value (a NUL character in text, a number past bigint): the request's fault.
        log.info("database refused a value (%s) on %s %s", type(exc).__name__, request.method, request.url.path)
        return error_response(422, "invalid_request", "a value in the request cannot be stored (NUL character, number)")

    async def crashed(request: Request, exc: Exception) -> JSONResponse:
        log_failure(exc, request.method, request.url.path)
        return error_response(500, "internal_error", "the platform failed; try again later")

    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(AuthError, auth_failed)
    app.add_exception_handler(OperationalError, database_away)
    app.add_exception_handler(DataError, unstorable)
    app.add_exception_handler(Exception, crashed)


class _TooLargeError(HTTPException):
    """Raised while the body is read: an ``HTTPException``, so the framework's body parsing lets it through
    (any other exception there becomes 400 "error parsing the body") and the 413 handler answers it."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body is larger than {limit} bytes")


async def _send_error(send: Send, status: int, code: str, message: str) -> None:
    body = json.dumps(error_body(code, message)).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


class ContainFailures:
    """ASGI guard, outermost: an exception no handler answered is logged by :func:`log_failure` and answered
    500 with the error body, and goes no further (the server would log it whole, message and all)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watching_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watching_send)
        except Exception as exc:  # noqa: BLE001 - the last stop: whatever failed is answered and logged here
            log_failure(exc, str(scope.get("method", "")), str(scope.get("path", "")))
            if not started:
                await _send_error(send, 500, "internal_error", "the platform failed; try again later")


class BodyLimit:
    """ASGI guard: a request body over its path's limit gets 413 at once, however it is sent (chunked too)."""

    def __init__(self, app: ASGIApp, limits: Limits) -> None:
        self.app = app
        self.limits = limits

    def limit_for(self, path: str) -> int:
        if path.startswith(API_PREFIX + "/attachments/"):
            return self.limits.attachment_bytes
        if path in (PATH_SUBMISSIONS_BATCH, PATH_ATTACHMENTS_BATCH):
            return self.limits.batch_bytes
        return self.limits.submission_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(str(scope.get("path", "")))
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._refuse(send, limit)
            return
        seen = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _TooLargeError(limit)
            return message

        async def watching_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, watching_send)
        except _TooLargeError:
            if not started:
                await self._refuse(send, limit)

    @staticmethod
    async def _refuse(send: Send, limit: int) -> None:
        await _send_error(send, 413, "too_large", f"request body is larger than {limit} bytes")


def create_app(platform: Platform | None) -> FastAPI:
    """The platform's ASGI app for one :class:`Platform` (``None``: only to describe it as OpenAPI)."""
    app = FastAPI(
        title="Hall Kiosk central platform (中心平台)",
        version="1",
        description="Where terminals deliver sealed submissions, ratings and heartbeats (docs/protocol.md).",
        docs_url=None,
        redoc_url=None,
        # The platform exports no OpenTelemetry; left on, FastAPI asks the global providers on every request
        # whether to trace it (≈ 3 % of a worker's interpreter under a province's heartbeats).
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.platform = platform
    _install_error_handlers(app)
    app.include_router(router)
    from central.console.pages import mount_console  # the fleet console (docs/console.md)

    mount_console(app, platform)
    if platform is not None:
        console = console_of(app.state)
        assert console is not None
        held = HeldConnection(platform.engine, prepare_beats_connection)
        take = functools.partial(take_heartbeats, platform, console, held)
        gather_s = GATHER_S.get(platform.engine.dialect.name, 0.0)
        app.state.heartbeats = Batches(take, gather_s=gather_s, name="heartbeats")
    app.add_middleware(HeartbeatLane, state=app.state, handlers=app.exception_handlers)
    app.add_middleware(BodyLimit, limits=platform.limits if platform else Limits())
    app.add_middleware(ContainFailures)
    return app
