"""Heartbeats taken in batches: the beats that arrive together share a transaction, and each is still answered
(or refused) for itself — its token, its body, its path, its values."""

from __future__ import annotations

import asyncio
import threading

import orjson
from fastapi.exceptions import RequestValidationError
from sqlalchemy import select
from sqlalchemy.exc import DataError

from central.app import create_app
from central.batches import Batches
from central.catalog_file import CatalogFile
from central.db import open_engine
from central.heartbeats import HeartbeatRequest, take_heartbeats
from central.keys import PlatformKeys
from central.platform import Platform
from central.schema import alerts, console_terminals
from central.terminals import AuthError
from offline_cache.wire.protocol import is_envelope

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
    answers = take_heartbeats(platform, console, batch)

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
        return items

    # Gathering for an hour: only a full batch (or the hour) lets the thread go, so the three below must share one.
    batches: Batches[int, int] = Batches(take, most=3, gather_s=3600.0)

    async def run() -> list[int]:
        return await asyncio.gather(*(batches.answer(n) for n in range(3)))

    assert asyncio.run(run()) == [0, 1, 2]
    assert taken == [[0, 1, 2]]
