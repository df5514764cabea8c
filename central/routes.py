"""The platform's endpoints, one per protocol path (``offline_cache.wire.protocol``), thin over the domain parts.

Handlers are plain ``def``: FastAPI runs them on its worker threads, so a slow database never stalls the
event loop. The heartbeat is the exception: it waits, without a thread, for its batch (``central/heartbeats.py``).
Each answer is an envelope or an error body; see ``docs/protocol.md`` for what a terminal does with each status.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from central.attachments import UploadOutcome
from central.audit import PATH_AUDIT_ALARMS, AuditBook
from central.catalog_file import etag_matches
from central.console.desk import published_catalog
from central.heartbeats import answer_heartbeat
from central.intake import Answer
from central.models import BatchIn, EnrollIn, HeartbeatIn, RatingIn, SubmissionIn, check_sha256_hex
from central.platform import Platform, error_response
from central.staff.api import case_page, staff_list
from central.terminals import AuthError, same_secret
from offline_cache.wire.audit_sync import AuditAppend, AuditSyncError
from offline_cache.wire.protocol import (
    AUDIT_MAX_ENTRIES,
    BATCH_MAX_ITEMS,
    CHUNK_SIZE,
    HEADER_IDEMPOTENCY_KEY,
    HEADER_REPLAYED,
    HEADER_TERMINAL_ID,
    HEADER_UPLOAD_LENGTH,
    HEADER_UPLOAD_OFFSET,
    PATH_ATTACHMENT,
    PATH_ATTACHMENTS_BATCH,
    PATH_AUDIT_APPEND,
    PATH_CASE,
    PATH_CASES,
    PATH_CATALOG,
    PATH_ENROLL,
    PATH_HEARTBEAT,
    PATH_PLATFORM_KEYS,
    PATH_RATINGS,
    PATH_STAFF,
    PATH_SUBMISSIONS,
    PATH_SUBMISSIONS_BATCH,
    SEAL_ALG,
    envelope,
    load_json,
)


class _OrjsonRequest(Request):
    """A request whose JSON body is parsed by orjson: bodies of a few KB, up to 500 to a batch, and parsing was a
    twentieth of the platform's time per submission in a drain. ``protocol.load_json`` holds the nesting to
    ``MAX_JSON_DEPTH`` and refuses numbers no double holds; its errors are ``json.JSONDecodeError``, so a body
    that is not (acceptable) JSON gets the framework's usual 422."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = load_json(await self.body())
        return self._json


#: Paths answered without a terminal's token: the public keys, and enrollment (which wants the admin token).
_NO_TERMINAL_TOKEN = frozenset({PATH_PLATFORM_KEYS, PATH_ENROLL, PATH_AUDIT_ALARMS})
#: Paths whose token is checked by their handler: the heartbeat's with its batch (central/heartbeats.py), still
#: before its body is read.
_TOKEN_CHECKED_BY_HANDLER = frozenset({PATH_HEARTBEAT})
#: Paths for the platform's operators: the admin token, checked before the body is read.
_ADMIN_PATHS = frozenset({PATH_ENROLL, PATH_AUDIT_ALARMS})
_STATE_TERMINAL = "terminal_id"


class _OrjsonRoute(APIRoute):
    """Authenticates first, then parses the body with orjson.

    The framework reads and validates the body before it runs dependencies; a caller without a token would
    learn what is wrong with its body (422) before hearing it is not let in. Here the token is checked before
    a byte of the body is read, and the ``terminal`` dependency takes the result from the request's state.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        needs_terminal = self.path not in _NO_TERMINAL_TOKEN | _TOKEN_CHECKED_BY_HANDLER
        needs_admin = self.path in _ADMIN_PATHS

        async def authenticate_then_parse(request: Request) -> Response:
            if needs_terminal:
                caller = await run_in_threadpool(
                    _platform_of(request).terminals.authenticate,
                    request.headers.get("authorization"),
                    request.headers.get(HEADER_TERMINAL_ID),
                )
                setattr(request.state, _STATE_TERMINAL, caller)
            elif needs_admin:
                _check_admin(_platform_of(request), request.headers.get("authorization"))
            return await handler(_OrjsonRequest(request.scope, request.receive))

        return authenticate_then_parse


router = APIRouter(route_class=_OrjsonRoute)


def _platform_of(request: Request) -> Platform:
    value = request.app.state.platform
    assert isinstance(value, Platform)
    return value


async def platform(request: Request) -> Platform:
    # async: a plain attribute read must not cost a trip through the worker threads.
    return _platform_of(request)


PlatformDep = Annotated[Platform, Depends(platform)]


def _check_admin(p: Platform, authorization: str | None) -> None:
    given = (authorization or "").removeprefix("Bearer ").strip()
    if not given or not same_secret(given, p.admin_token):
        raise AuthError(401, "not_admin", "enrollment and the audit alarms need the platform's admin token")


async def terminal(
    request: Request,
    authorization: Annotated[str | None, Header()] = None,
    x_terminal_id: Annotated[str | None, Header(alias=HEADER_TERMINAL_ID)] = None,
) -> str:
    """The enrolled, unrevoked terminal making this request (401 without a token, 403 when revoked); checked
    by the route before the body is read (:class:`_OrjsonRoute`)."""
    caller = getattr(request.state, _STATE_TERMINAL, None)
    if isinstance(caller, str):
        return caller
    found: str = await run_in_threadpool(_platform_of(request).terminals.authenticate, authorization, x_terminal_id)
    return found


TerminalDep = Annotated[str, Depends(terminal)]


async def raw_body(request: Request) -> bytes:
    return await request.body()


def _answer(answer: Answer, headers: dict[str, str] | None = None) -> JSONResponse:
    extra = dict(headers or {})
    if answer.replayed:
        extra[HEADER_REPLAYED] = "true"
    return JSONResponse(answer.body, status_code=answer.status, headers=extra)


@router.get(PATH_PLATFORM_KEYS, summary="The platform's public keys (no token needed)")
def platform_keys(p: PlatformDep) -> JSONResponse:
    return JSONResponse(
        envelope(
            "platform_keys",
            seal_alg=SEAL_ALG,
            seal_public_key=base64.b64encode(p.keys.seal_public).decode(),
            signing_public_key=base64.b64encode(p.keys.signing_public).decode(),
        )
    )


@router.get(PATH_CATALOG, summary="The service catalog, with a strong ETag (If-None-Match gives 304)")
def catalog(
    request: Request, p: PlatformDep, _terminal: TerminalDep, if_none_match: Annotated[str | None, Header()] = None
) -> Response:
    snap = published_catalog(request.app.state) or p.catalog.snapshot()  # the console's newest, else the file
    headers = {"ETag": snap.etag, "Cache-Control": "no-cache"}
    if etag_matches(if_none_match, snap.etag):
        return Response(status_code=304, headers=headers)
    return Response(snap.content, media_type="application/json", headers=headers)


def _sha_or_422(sha256: str) -> JSONResponse | None:
    try:
        check_sha256_hex(sha256)
    except ValueError as exc:
        return error_response(422, "invalid_sha256", str(exc))
    return None


@router.head(PATH_ATTACHMENT, summary="How much of an attachment the platform holds")
def attachment_state(sha256: str, p: PlatformDep, _terminal: TerminalDep) -> Response:
    bad = _sha_or_422(sha256)
    if bad is not None:
        return bad
    state = p.attachments.state(sha256)
    if state is None:
        return Response(status_code=404, headers={"Cache-Control": "no-store"})
    return Response(
        status_code=200,
        headers={
            HEADER_UPLOAD_OFFSET: str(state.offset),
            HEADER_UPLOAD_LENGTH: str(state.length),
            "Cache-Control": "no-store",
        },
    )


@router.put(PATH_ATTACHMENT, summary="Upload (part of) an attachment's sealed bytes from Upload-Offset")
def attachment_upload(
    sha256: str,
    p: PlatformDep,
    _terminal: TerminalDep,
    data: Annotated[bytes, Depends(raw_body)],
    upload_offset: Annotated[int, Header(alias=HEADER_UPLOAD_OFFSET, ge=0)],
    upload_length: Annotated[int, Header(alias=HEADER_UPLOAD_LENGTH, ge=0)],
) -> Response:
    bad = _sha_or_422(sha256)
    if bad is not None:
        return bad
    if upload_length > p.limits.attachment_bytes:
        return error_response(413, "too_large", f"attachments may be at most {p.limits.attachment_bytes} bytes")
    result = p.attachments.append(sha256, upload_offset, upload_length, data)
    state = result.state
    offset_header = {HEADER_UPLOAD_OFFSET: str(state.offset), HEADER_UPLOAD_LENGTH: str(state.length)}
    if result.outcome is UploadOutcome.CONFLICT:
        return error_response(
            409,
            "offset_conflict",
            f"the platform holds {state.offset} bytes; resume from there",
            offset_header,
        )
    if result.outcome is UploadOutcome.HASH_MISMATCH:
        return error_response(422, "hash_mismatch", "content does not hash to its name; upload discarded")
    if result.outcome is UploadOutcome.TOO_LONG:
        return error_response(422, "too_long", "more bytes than Upload-Length")
    complete = result.outcome is UploadOutcome.COMPLETE
    body = envelope(
        "attachment", sha256=sha256, upload_offset=state.offset, upload_length=state.length, complete=complete
    )
    return JSONResponse(body, status_code=201 if complete else 202, headers=offset_header)


_OUTCOME_STATUS = {UploadOutcome.COMPLETE: 201, UploadOutcome.HASH_MISMATCH: 422, UploadOutcome.CONFLICT: 409}


def _bundle(data: bytes, max_items: int) -> list[tuple[str, bytes]]:
    """Split an attachment bundle (protocol.PATH_ATTACHMENTS_BATCH) into (sha256, bytes); ValueError if bad."""
    if len(data) < 4:
        raise ValueError("the body is shorter than its manifest length")
    size = int.from_bytes(data[:4], "big")
    manifest = load_json(data[4 : 4 + size])
    entries = manifest.get("attachments") if isinstance(manifest, dict) else None
    if not isinstance(entries, list) or not 0 < len(entries) <= max_items:
        raise ValueError(f"the manifest must list 1 to {max_items} attachments")
    items, offset = [], 4 + size
    for entry in entries:
        sha256 = entry.get("sha256") if isinstance(entry, dict) else None
        length = entry.get("size") if isinstance(entry, dict) else None
        if not isinstance(sha256, str) or not isinstance(length, int) or isinstance(length, bool):
            raise ValueError("each manifest entry needs a string sha256 and an integer size")
        check_sha256_hex(sha256)
        if not 0 <= length <= CHUNK_SIZE:
            raise ValueError(f"an attachment in a bundle may be at most {CHUNK_SIZE} bytes")
        items.append((sha256, data[offset : offset + length]))
        offset += length
    if offset != len(data):
        raise ValueError("the bytes after the manifest do not add up to the sizes it lists")
    return items


@router.post(
    PATH_ATTACHMENTS_BATCH,
    summary="Upload many whole small attachments at once (manifest + bytes); each is answered on its own",
)
def attachment_batch(p: PlatformDep, _terminal: TerminalDep, data: Annotated[bytes, Depends(raw_body)]) -> JSONResponse:
    try:
        items = _bundle(data, BATCH_MAX_ITEMS)
    except (ValueError, KeyError, TypeError) as exc:
        return error_response(422, "invalid_bundle", str(exc))
    # Over this platform's attachment limit: 413 for that one, as its own PUT would get; nothing stored.
    allowed = [index for index, (_, blob) in enumerate(items) if len(blob) <= p.limits.attachment_bytes]
    stored = p.attachments.store_verified_many([items[index] for index in allowed])
    outcomes: dict[int, UploadOutcome] = dict(zip(allowed, stored, strict=True))
    results = []
    for index, (sha256, _) in enumerate(items):
        outcome = outcomes.get(index)
        status = 413 if outcome is None else _OUTCOME_STATUS[outcome]
        results.append({"sha256": sha256, "status": status, "complete": outcome is UploadOutcome.COMPLETE})
    return JSONResponse(envelope("attachment_batch_result", results=results))


@router.post(PATH_SUBMISSIONS, status_code=201, summary="Deliver one sealed submission (Idempotency-Key = id)")
def submit(
    body: SubmissionIn,
    p: PlatformDep,
    terminal_id: TerminalDep,
    idempotency_key: Annotated[str | None, Header(alias=HEADER_IDEMPOTENCY_KEY)] = None,
) -> JSONResponse:
    return _answer(p.intake.accept(body, terminal_id=terminal_id, idempotency_key=idempotency_key))


@router.post(PATH_SUBMISSIONS_BATCH, summary="Deliver many submissions; each is answered on its own")
def submit_batch(body: BatchIn, p: PlatformDep, terminal_id: TerminalDep) -> JSONResponse:
    if len(body.submissions) > BATCH_MAX_ITEMS:
        return error_response(413, "too_many", f"a batch holds at most {BATCH_MAX_ITEMS} submissions")
    results = [
        {"id": item_id, "status": answer.status, "replayed": answer.replayed, "body": answer.body}
        for item_id, answer in p.intake.accept_many(body.submissions, terminal_id=terminal_id)
    ]
    return JSONResponse(envelope("batch_result", results=results))


@router.get(PATH_CASE, summary="The status of one case (办件查询)")
def case_status(case_no: str, p: PlatformDep, _terminal: TerminalDep) -> JSONResponse:
    status = p.records.case_status(case_no)
    if status is None:
        return error_response(404, "unknown_case", f"no case {case_no} on this platform")
    return JSONResponse(status)


@router.get(PATH_STAFF, summary="The hall's staff accounts with password hashes (帮办代办)")
def assisted_staff(p: PlatformDep, caller: TerminalDep) -> JSONResponse:
    return staff_list(p.engine, caller)


@router.get(PATH_CASES, summary="A staff member's assisted cases and their lifecycle, paged (帮办代办)")
def assisted_cases(
    p: PlatformDep,
    caller: TerminalDep,
    *,
    staff: str | None = None,
    since: str | None = None,
    cursor: str | None = None,
    limit: str | None = None,
) -> JSONResponse:
    return case_page(p.engine, caller, staff=staff, since=since, cursor=cursor, limit=limit)


@router.post(PATH_RATINGS, status_code=201, summary="A rating of a handled matter (好差评)")
def rate(
    body: RatingIn,
    p: PlatformDep,
    terminal_id: TerminalDep,
    idempotency_key: Annotated[str | None, Header(alias=HEADER_IDEMPOTENCY_KEY, min_length=1, max_length=64)] = None,
) -> JSONResponse:
    if idempotency_key is None:
        return error_response(422, "missing_idempotency_key", "Idempotency-Key header is missing")
    if body.terminal_id != terminal_id:
        return error_response(403, "wrong_terminal", f"terminal_id {body.terminal_id!r} is not this terminal")
    return _answer(p.records.rate(body, idempotency_key))


@router.post(
    PATH_HEARTBEAT,
    summary="Device health and queue depth; answers with config and notices",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": HeartbeatIn.model_json_schema()}},
        }
    },
)
async def heartbeat(
    request: Request,
    terminal_id: str,
    authorization: Annotated[str | None, Header()] = None,
    x_terminal_id: Annotated[str | None, Header(alias=HEADER_TERMINAL_ID)] = None,
) -> Response:
    # Taken with the other beats that arrive meanwhile, on the batches' own thread: token, body and path are
    # checked there in that order (central/heartbeats.py). A served app answers beats before they reach this
    # route (central/heartbeat_lane.py), the same way.
    reply = await answer_heartbeat(
        request.app.state.heartbeats, terminal_id, authorization, x_terminal_id, await request.body()
    )
    return Response(reply, media_type="application/json")


@router.post(PATH_ENROLL, status_code=201, summary="Enroll a terminal (admin token) and issue its bearer token")
def enroll(body: EnrollIn, p: PlatformDep, authorization: Annotated[str | None, Header()] = None) -> JSONResponse:
    _check_admin(p, authorization)
    token = p.terminals.enroll(body.terminal_id)
    return JSONResponse(envelope("enrollment", terminal_id=body.terminal_id, token=token), status_code=201)


@router.post(
    PATH_AUDIT_APPEND,
    status_code=201,
    summary="The terminal's new audit entries and signed checkpoint; answers with the platform's cosignature",
)
def audit_append(body: Annotated[dict[str, Any], Body()], p: PlatformDep, terminal_id: TerminalDep) -> JSONResponse:
    try:
        upload = AuditAppend.from_json(body, max_entries=AUDIT_MAX_ENTRIES)
    except AuditSyncError as exc:
        return error_response(422, "invalid_audit_append", str(exc))
    return _answer(AuditBook(p.engine, p.keys).append(terminal_id, upload))


@router.get(PATH_AUDIT_ALARMS, summary="Audit alarms: logs the platform refused to cosign (admin token)")
def audit_alarms(p: PlatformDep, terminal: str | None = None) -> JSONResponse:
    return JSONResponse(envelope("audit_alarms", alarms=AuditBook(p.engine, p.keys).alarms(terminal)))
