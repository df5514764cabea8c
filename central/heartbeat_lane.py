"""The heartbeat's own lane through the app (心跳通道): ``POST …/heartbeat`` answered without the framework's routing.

A province's terminals beat hundreds of times a second, and a beat's own work is small (it is taken with the
other beats of its batch); going through the framework's exception layers, its router (every console page is a
route to match against) and its dependency solving cost more than the beat. This ASGI layer, inside the body-size
guard, recognises a heartbeat by method and path, hands it to the same batches the documented route uses
(:func:`central.heartbeats.answer_heartbeat`), and answers a refusal with the app's own exception handlers, so a
beat gets byte for byte the answer the route gives. Every other request goes on unchanged.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from central.heartbeats import answer_heartbeat
from offline_cache.wire.protocol import HEADER_TERMINAL_ID, PATH_HEARTBEAT

Handler = Callable[[Request, Any], Response | Awaitable[Response]]

_PATH = re.compile("^" + re.escape(PATH_HEARTBEAT).replace(re.escape("{terminal_id}"), "([^/]+)") + "$")
_CLAIMED = HEADER_TERMINAL_ID.lower().encode("latin-1")


class HeartbeatLane:
    """ASGI layer: heartbeats straight to their batches; ``handlers`` are the app's exception handlers."""

    def __init__(self, app: ASGIApp, state: Any, handlers: Mapping[Any, Handler]) -> None:
        self.app = app
        self.state = state
        self.handlers = handlers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = _PATH.match(str(scope.get("path", ""))) if scope["type"] == "http" else None
        if found is None or scope.get("method") != "POST" or not hasattr(self.state, "heartbeats"):
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        headers = dict(scope.get("headers", []))
        authorization, claimed = headers.get(b"authorization"), headers.get(_CLAIMED)
        try:
            reply = await answer_heartbeat(
                self.state.heartbeats,
                found.group(1),
                None if authorization is None else authorization.decode("latin-1"),
                None if claimed is None else claimed.decode("latin-1"),
                await request.body(),
            )
            response: Response = Response(reply, media_type="application/json")
        except Exception as exc:  # answered as the route would be: by the app's handler for its type
            handler = next((self.handlers[c] for c in type(exc).__mro__ if c in self.handlers), None)
            if handler is None:
                raise
            answered = handler(request, exc)
            response = await answered if inspect.isawaitable(answered) else answered
        await response(scope, receive, send)
