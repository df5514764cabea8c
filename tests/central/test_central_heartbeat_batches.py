"""Heartbeats taken in batches: the beats that arrive together share a transaction, and each is still answered
(or refused) for itself — its token, its body, its path, its values."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import pytest
from fastapi.exceptions import RequestValidationError
from sqlalchemy import Connection, Engine, event, select
from sqlalchemy.exc import DataError, OperationalError
from starlette.requests import Request

from central import held_connection
from central.app import create_app
from central.batches import Batches
from central.catalog_file import CatalogFile
from central.console.beat import prepare_beats_connection
from central.console.desk import FleetConsole
from central.db import open_engine
from central.heartbeats import HeartbeatRequest, take_heartbeats
from central.held_connection import HeldConnection
from central.keys import PlatformKeys
from central.platform import Platform
from central.routes import heartbeat
from central.schema import alerts, console_terminals
from central.terminals import AuthError
from offline_cache.wire.protocol import PATH_HEARTBEAT, is_envelope

REPORT = {"queue_depth": 2, "devices": {"printer": {"state": "ok", "reason": ""}}, "app_version": "1.4.0"}


def _beat(token: str, terminal: str, body: object = REPORT) -> HeartbeatRequest:
    return HeartbeatRequest(f"Bearer {token}", None, terminal, orjson.dumps(body))


def test_each_beat_of_a_batch_is_answered_for_itself(db_url: str) -> None:
    platform = Platform(open_engine(db_url), PlatformKeys.generate(), CatalogFile(), "admin")
    console = create_app(platform).state.console
    a, b, c = (platform.terminals.enroll(t) for t in ("T-A", "T-B", "T-C"))
    platform.terminals.revoke("T-C")
    nul_alert = {**REPORT, "alerts": [{"kind": "paper\x00out"}]}  # PostgreSQL refuses NUL in text; SQLite keeps it
    batch = [
        _beat(a, "T-A"),
        HeartbeatRequest(None, None, "T-A", orjson.dumps(REPORT)),
        _beat("not-a-token", "T-A"),
        _beat(c, "T-C"),
        HeartbeatRequest(f"Bearer {a}", "T-B", "T-A", orjson.dumps(REPORT)),
        HeartbeatRequest(f"Bearer {a}", None, "T-A", b"{not json"),
        _beat(a, "T-A", {"queue_depth": -1}),
        _beat(a, "T-B"),
        _beat(b, "T-B", nul_alert),
        _beat(b, "T-B"),
    ]
    held = HeldConnection(platform.engine, prepare_beats_connection)
    answers = take_heartbeats(platform, console, held, batch)

    def code(answer: object) -> str:
        return answer.code if isinstance(answer, AuthError) else type(answer).__name__

    assert [code(x) for x in answers[1:8]] == [
        "unauthenticated",
        "unknown_token",
        "terminal_revoked",
        "wrong_terminal",  # the token is A's, the X-Terminal-Id header says B
        "RequestValidationError",
        "RequestValidationError",
        "wrong_terminal",  # A's token on B's path
    ]
    assert isinstance(answers[6], RequestValidationError)
    assert "queue_depth" in str(answers[6].errors()[0]["loc"])
    for good in (answers[0], answers[9]):
        assert isinstance(good, bytes)
        reply = orjson.loads(good)
        assert is_envelope(reply, "heartbeat_reply")
        assert reply["config"]["heartbeat_interval_s"] == platform.heartbeat_interval_s
    with platform.engine.connect() as conn:
        seen = dict(conn.execute(select(console_terminals.c.terminal_id, console_terminals.c.state)).all())
        kinds = conn.execute(select(alerts.c.kind)).scalars().all()
    assert set(seen) == {"T-A", "T-B"}  # nothing written for the refused beats
    if platform.engine.dialect.name == "postgresql":
        assert isinstance(answers[8], DataError)  # the app answers 422: only that beat fails
        assert kinds == []
    else:
        assert isinstance(answers[8], bytes)
        assert kinds == ["paper\x00out"]
    assert platform.terminals.last_heartbeat("T-A") == {**REPORT, "alerts": [], "sent_at": None}
    # The batches' own connection outlived the batch that failed: the next batch is taken on it.
    assert isinstance(take_heartbeats(platform, console, held, [_beat(b, "T-B")])[0], bytes)


@dataclass
class OnPostgres:
    """A platform on PostgreSQL with its console and one enrolled terminal, T-A."""

    engine: Engine
    platform: Platform
    console: FleetConsole
    token: str


@pytest.fixture
def on_postgres(db_url: str) -> OnPostgres:
    engine = open_engine(db_url)
    if engine.dialect.name != "postgresql":
        pytest.skip("a PostgreSQL session: its commits without waiting for the disk, its end by the server")
    platform = Platform(engine, PlatformKeys.generate(), CatalogFile(), "admin")
    return OnPostgres(engine, platform, create_app(platform).state.console, platform.terminals.enroll("T-A"))


def test_the_beats_connection_keeps_its_session_setting_to_itself(on_postgres: OnPostgres) -> None:
    engine, platform, console, token = on_postgres.engine, on_postgres.platform, on_postgres.console, on_postgres.token
    waits: list[str] = []
    kept: list[object] = []

    def prepare(conn: Connection) -> None:
        prepare_beats_connection(conn)
        kept.append(conn.connection.dbapi_connection)

    @event.listens_for(engine, "commit")
    def commit(conn: Connection) -> None:  # as the batches' connection commits: does it wait for the disk?
        dbapi: Any = conn.connection.dbapi_connection
        if any(dbapi is k for k in kept):  # not the console's sweeps, which run on pooled connections
            waits.append(dbapi.execute("SHOW synchronous_commit").fetchone()[0])

    held = HeldConnection(engine, prepare)
    take_heartbeats(platform, console, held, [_beat(token, "T-A")])  # first sight
    take_heartbeats(platform, console, held, [_beat(token, "T-A", {**REPORT, "alerts": [{"kind": "paper_out"}]})])
    take_heartbeats(platform, console, held, [_beat(token, "T-A")])  # routine: the report and the time seen
    paper_low = {**REPORT, "devices": {"printer": {"state": "degraded", "reason": "paper low"}}}
    take_heartbeats(platform, console, held, [_beat(token, "T-A", paper_low)])  # a state changed: decided again
    take_heartbeats(platform, console, held, [_beat(token, "T-A", paper_low)])  # by the next beat if it were lost
    # Its set-up, then: only the batch holding an alert the terminal raised (it will not send it again) waits for
    # the disk; what a report decides (a first sight, a state, the time seen) the next beat would write again.
    assert waits == ["off", "off", "on", "off", "off", "off"]
    held.let_go()
    # The kept connection never went back to the pool: every connection the pool gives waits for the disk.
    pooled = [engine.connect() for _ in range(engine.pool.checkedin() + 1)]  # type: ignore[attr-defined]
    try:
        assert {c.exec_driver_sql("SHOW synchronous_commit").scalar() for c in pooled} == {"on"}
    finally:
        for c in pooled:
            c.close()


def test_a_beats_connection_the_database_dropped_is_replaced(
    on_postgres: OnPostgres, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, platform, console, token = on_postgres.engine, on_postgres.platform, on_postgres.console, on_postgres.token
    backends: list[int] = []

    def prepare(conn: Connection) -> None:
        prepare_beats_connection(conn)
        backends.append(int(conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()))

    held = HeldConnection(engine, prepare)
    assert isinstance(take_heartbeats(platform, console, held, [_beat(token, "T-A")])[0], bytes)
    with engine.connect() as admin:  # a failover, a restart, an administrator: the server ends the session
        # (waiting up to 10 s until the backend has ended, not only been told to)
        assert admin.exec_driver_sql(f"SELECT pg_terminate_backend({backends[0]}, 10000)").scalar_one()
    # The batch that finds it gone fails (the app answers 503 with Retry-After); the next opens another.
    assert isinstance(take_heartbeats(platform, console, held, [_beat(token, "T-A")])[0], OperationalError)
    assert isinstance(take_heartbeats(platform, console, held, [_beat(token, "T-A")])[0], bytes)
    assert len(backends) == 2 and backends[0] != backends[1]
    # After it idled, the connection is pinged first: one the database ended is replaced before any beat fails.
    monkeypatch.setattr(held_connection, "PING_AFTER_IDLE_S", 0.0)
    with engine.connect() as admin:
        assert admin.exec_driver_sql(f"SELECT pg_terminate_backend({backends[1]}, 10000)").scalar_one()
    assert isinstance(take_heartbeats(platform, console, held, [_beat(token, "T-A")])[0], bytes)
    assert len(backends) == 3


def test_a_kept_connection_pinged_after_idling_is_used_again(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    platform = Platform(open_engine(db_url), PlatformKeys.generate(), CatalogFile(), "admin")
    console = create_app(platform).state.console
    token = platform.terminals.enroll("T-A")
    opened: list[int] = []
    held = HeldConnection(platform.engine, lambda conn: opened.append(1))
    monkeypatch.setattr(held_connection, "PING_AFTER_IDLE_S", 0.0)  # every batch finds it idle
    for _ in range(3):
        assert isinstance(take_heartbeats(platform, console, held, [_beat(token, "T-A")])[0], bytes)
    assert opened == [1]  # the ping found it alive each time: one connection for the three


def test_what_arrives_while_a_batch_is_taken_is_answered_as_the_next_batch() -> None:
    taken: list[list[int]] = []
    first_taken, let_go = threading.Event(), threading.Event()

    def take(items: list[int]) -> list[int | Exception]:
        taken.append(items)
        if items == [0]:
            first_taken.set()
            let_go.wait(30)
        return [ValueError(f"odd {n}") if n % 2 else n * 10 for n in items]

    batches: Batches[int, int] = Batches(take, most=3)

    async def run() -> list[int | BaseException]:
        first = asyncio.ensure_future(batches.answer(0))
        await asyncio.get_running_loop().run_in_executor(None, first_taken.wait, 30)
        rest = [asyncio.ensure_future(batches.answer(n)) for n in range(1, 6)]
        await asyncio.sleep(0)  # each has put its item in and waits for its answer
        let_go.set()
        return await asyncio.gather(first, *rest, return_exceptions=True)

    results = asyncio.run(run())
    assert taken == [[0], [1, 2, 3], [4, 5]]  # in order, at most three a batch
    assert results[0::2] == [0, 20, 40]
    assert [str(e) for e in results[1::2]] == ["odd 1", "odd 3", "odd 5"]


def test_a_batch_that_fails_whole_fails_each_of_its_requests_and_the_next_batch_is_taken() -> None:
    calls: list[list[str]] = []

    def take(items: list[str]) -> list[str | Exception]:
        calls.append(items)
        if "boom" in items:
            raise RuntimeError("the database went away")
        return [item.upper() for item in items]

    batches: Batches[str, str] = Batches(take)

    async def run() -> tuple[BaseException | str, str]:
        failed = await asyncio.gather(batches.answer("boom"), return_exceptions=True)
        return failed[0], await batches.answer("next")

    failed, answered = asyncio.run(run())
    assert isinstance(failed, RuntimeError)
    assert answered == "NEXT"
    assert calls == [["boom"], ["next"]]


def test_a_gathering_batch_is_taken_as_soon_as_it_is_full() -> None:
    taken: list[list[int]] = []

    def take(items: list[int]) -> list[int | Exception]:
        taken.append(items)
        return [*items]

    # Gathering for an hour: only a full batch (or the hour) lets the thread go, so the three below must share one.
    batches: Batches[int, int] = Batches(take, most=3, gather_s=3600.0)

    async def run() -> list[int]:
        return await asyncio.gather(*(batches.answer(n) for n in range(3)))

    assert asyncio.run(run()) == [0, 1, 2]
    assert taken == [[0, 1, 2]]


def test_the_lane_and_the_documented_route_answer_a_beat_alike(tmp_path: Path) -> None:
    platform = Platform(open_engine(f"sqlite:///{tmp_path / 'c.db'}"), PlatformKeys.generate(), CatalogFile(), "x")
    app = create_app(platform)
    token = platform.terminals.enroll("T-A")
    path = PATH_HEARTBEAT.format(terminal_id="T-A")
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
        "path": path, "raw_path": path.encode(), "root_path": "", "query_string": b"", "app": app,
        "headers": [(b"authorization", f"Bearer {token}".encode()), (b"content-type", b"application/json")],
        "server": ("127.0.0.1", 80), "client": ("127.0.0.1", 5000),
    }  # fmt: skip

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": orjson.dumps(REPORT), "more_body": False}

    async def through_the_app() -> tuple[int, bytes]:  # the served app: its lane answers
        sent: list[MutableMapping[str, Any]] = []

        async def send(message: MutableMapping[str, Any]) -> None:
            sent.append(message)

        await app(dict(scope), receive, send)
        return sent[0]["status"], b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")

    async def by_the_route() -> tuple[int, bytes]:  # the endpoint the OpenAPI documents
        answer = await heartbeat(Request(dict(scope), receive), "T-A", authorization=f"Bearer {token}")
        return answer.status_code, bytes(answer.body)

    lane_status, lane_body = asyncio.run(through_the_app())
    route_status, route_body = asyncio.run(by_the_route())
    by_lane, by_route = orjson.loads(lane_body), orjson.loads(route_body)
    assert lane_status == route_status == 200
    assert isinstance(by_lane.pop("received_at"), str) and isinstance(by_route.pop("received_at"), str)
    assert by_lane == by_route
    assert is_envelope(by_lane, "heartbeat_reply")
