"""The heartbeat route's work for a batch of beats (心跳): checked, stored, noted and answered together.

Each beat is refused for itself, in the order a single request is: its token first (401 / 403, before a byte of
its body is looked at), then its body (422), then the terminal in its path (403). The beats left are stored and
noted by the fleet console in one transaction (:func:`central.console.beat.take_beats`); should that fail, each
is taken again alone, so one terminal's bad value or a lost race fails only its own beat. Each answer is the
``heartbeat_reply`` envelope as bytes, ready to send.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import orjson
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from central.batches import Batches
from central.catalog_file import CatalogSnapshot
from central.console.beat import Beat, BeatAnswer
from central.console.desk import FleetConsole
from central.held_connection import HeldConnection
from central.models import HeartbeatIn
from central.platform import Platform
from central.terminals import AuthError, authenticate_many, wrong_terminal
from central.usage.forecasts import heartbeat_forecast
from offline_cache.wire.protocol import BATCH_MAX_ITEMS, CHUNK_SIZE, envelope, load_json

#: How long a batch of beats gathers from its oldest beat's arrival (seconds), by database. Without gathering, a
#: worker under a province's load takes batches of one or two, each paying a transaction's fixed cost (``BEGIN``,
#: the statements' round trips, ``COMMIT``); a few milliseconds of gathering make them several times larger for a
#: wait no terminal notices. On SQLite every commit also waits for the disk, so it gathers longer. With 10 ms on
#: PostgreSQL, beside a drain, the platform's share of the cores fell from 0.70 to 0.55 (two workers) and from 0.56
#: to 0.37 (one), and the drain rose from 893 to 1,250 and from 989 to 1,140 submissions a second
#: (docs/performance.md, "Province").
GATHER_S = {"sqlite": 0.02, "postgresql": 0.01}


@dataclass(frozen=True)
class HeartbeatRequest:
    """One ``POST …/heartbeat`` as it arrived: its credentials, the terminal in its path, its body unread."""

    authorization: str | None
    claimed_terminal: str | None
    path_terminal: str
    body: bytes


async def answer_heartbeat(
    batches: Batches[HeartbeatRequest, bytes],
    path_terminal: str,
    authorization: str | None,
    claimed_terminal: str | None,
    body: bytes,
) -> bytes:
    """One beat's reply, taken with the beats that arrive meanwhile; raises what refuses it (the app's handlers
    answer: 401 / 403 :class:`AuthError`, 422 validation, 503 database away)."""
    return await batches.answer(HeartbeatRequest(authorization, claimed_terminal, path_terminal, body))


def _report_of(body: bytes) -> HeartbeatIn:
    """The body as the heartbeat's model, or the framework's own 422 (the protocol's error envelope)."""
    if not body:
        raise RequestValidationError([{"type": "missing", "loc": ("body",), "msg": "Field required"}])
    try:
        return HeartbeatIn.model_validate(load_json(body))
    except json.JSONDecodeError as exc:
        error = {"type": "json_invalid", "loc": ("body", exc.pos), "msg": "JSON decode error"}
        raise RequestValidationError([error]) from None
    except ValidationError as exc:
        raise RequestValidationError(
            [{**error, "loc": ("body", *error["loc"])} for error in exc.errors(include_url=False)]
        ) from None


def _checked(request: HeartbeatRequest, caller: str | AuthError) -> Beat | Exception:
    if isinstance(caller, AuthError):
        return caller
    try:
        body = _report_of(request.body)
    except RequestValidationError as exc:
        return exc
    if request.path_terminal != caller:
        return wrong_terminal(caller, request.path_terminal)
    return Beat(caller, body.model_dump(mode="json"), body.alerts)


def take_heartbeats(
    platform: Platform, console: FleetConsole, held: HeldConnection, requests: list[HeartbeatRequest]
) -> list[bytes | Exception]:
    """Each request's answer (the reply's bytes) or the exception that refuses it, in order: the tokens checked
    and the beats taken in one transaction, on the batches' own connection (``held``)."""
    checked: list[Beat | Exception] | None = None
    try:
        with held.transaction() as conn:
            callers = authenticate_many(conn, [(r.authorization, r.claimed_terminal) for r in requests])
            checked = [_checked(request, caller) for request, caller in zip(requests, callers, strict=True)]
            answers: list[BeatAnswer | Exception] = list(console.take(conn, _beats(checked)))
    except Exception as exc:  # noqa: BLE001 - the beats are taken again one by one, so only the one at fault fails
        if checked is None:  # the tokens could not be checked: the database is away
            return [exc] * len(requests)
        answers = [_alone(console, held, beat) for beat in _beats(checked)]
    taken = iter(answers)
    catalog = platform.catalog.snapshot()  # the file looked at once a batch, not once a beat
    replies: list[bytes | Exception] = []
    for item in checked:
        if not isinstance(item, Beat):
            replies.append(item)
            continue
        answer = next(taken)
        replies.append(answer if isinstance(answer, Exception) else _reply(platform, catalog, item.terminal_id, answer))
    return replies


def _beats(checked: list[Beat | Exception]) -> list[Beat]:
    return [item for item in checked if isinstance(item, Beat)]


def _alone(console: FleetConsole, held: HeldConnection, beat: Beat) -> BeatAnswer | Exception:
    try:
        with held.transaction() as conn:
            return console.take(conn, [beat])[0]
    except Exception as exc:  # noqa: BLE001 - the beat's own failure, answered by the app's handlers
        return exc


def _reply(platform: Platform, catalog: CatalogSnapshot, terminal_id: str, noted: BeatAnswer) -> bytes:
    config = {
        "heartbeat_interval_s": platform.heartbeat_interval_s,
        "batch_max_items": BATCH_MAX_ITEMS,
        "chunk_size": CHUNK_SIZE,
        "max_attachment_bytes": platform.limits.attachment_bytes,
    }
    catalog_now = noted.catalog or catalog
    notices = list(catalog_now.notices) + noted.notices
    extras: dict[str, Any] = {"staff_calls": noted.staff_calls}
    # The hall's forecast (预计等候 on queue tickets); the console's look already knows when there is none.
    usage_forecast = heartbeat_forecast(platform.engine, terminal_id) if noted.usage_known else None
    if usage_forecast is not None:
        extras["usage_forecast"] = usage_forecast
    return orjson.dumps(
        envelope("heartbeat_reply", received_at=noted.received_at, config=config, notices=notices, **extras)
    )
