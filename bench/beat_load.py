"""The province bench's heartbeat load: a lean HTTP/1.1 keep-alive client for ``POST …/heartbeat``.

The load generator shares the machine's two cores with the platform it measures, so every millisecond of CPU it
spends on a beat is taken from the platform. A general HTTP client (aiohttp: a task, a response object, header
dictionaries, cookie and redirect handling for every request) costs about 0.8 ms of CPU a beat, over a quarter of a
core at 333 beats a second. Here a beat is a prebuilt request (bytes: request line, ``Host``, ``Authorization``,
``Content-Type``, ``Content-Length``, body), written on a free keep-alive connection of a pool (``asyncio.Protocol``
connections, at most ``limit`` of them; a beat that finds none free and none to open waits its turn, first come
first served), and its answer is read with ``httptools``' response parser (the C parser the platform's server uses);
no task, no response object: about 0.2 ms of CPU a beat, most of it the system's (waking at the beat's due time and
again for its answer, and the write on loopback). A beat's time runs from the moment it was due to its answer.
Failures are counted by status code or exception name: an answer other than 200, a connection that broke after the
answer began, ``TimeoutError`` after ``timeout`` seconds (that connection is closed). A request written on a
connection the server had just closed while idle (no byte of an answer came back) is sent once more on a new
connection before it counts as failed.
"""

from __future__ import annotations

import asyncio
import collections
import time
from typing import cast

import httptools


def request_bytes(host: str, path: str, token: str, body: bytes) -> bytes:
    """One ``POST`` with a JSON body and a bearer token, as it goes on the wire."""
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode("latin-1") + body


class _Beat:
    """One request on its way: sent at most twice (again only on a new connection, if the first went unanswered)."""

    __slots__ = ("data", "done", "due", "retried", "timer")

    def __init__(self, data: bytes, due: float) -> None:
        self.data = data
        self.due = due
        self.done = False
        self.retried = False
        self.timer: asyncio.TimerHandle | None = None


class _Connection(asyncio.Protocol):
    """One keep-alive connection: one request at a time, its answer read by the C parser."""

    def __init__(self, pool: BeatPool) -> None:
        self.pool = pool
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.beat: _Beat | None = None
        self.answered = False  # a byte of the answer to ``beat`` has come
        self.complete = False  # the answer to ``beat`` is whole
        self.status = 0
        self.keep_alive = True
        self.closed = False

    # -- asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        self.answered = True
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self.close()
            self._settle(type(exc).__name__)
            return
        if self.complete:
            self.complete = False
            self.answered = False
            self._settle(None if self.status == 200 else str(self.status))
            if not self.keep_alive:
                self.close()
            elif not self.closed:
                self.pool._free(self)

    def eof_received(self) -> bool | None:
        return None  # the transport closes itself; connection_lost follows

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        beat, self.beat = self.beat, None
        self.pool._lost(self, beat, self.answered, exc)

    # -- httptools' callback
    def on_message_complete(self) -> None:
        self.status = self.parser.get_status_code()
        self.keep_alive = self.parser.should_keep_alive()
        self.complete = True

    # -- the pool's side
    def send(self, beat: _Beat) -> None:
        assert self.transport is not None
        self.beat = beat
        self.transport.write(beat.data)

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            if self.transport is not None:
                self.transport.abort()

    def _settle(self, failure: str | None) -> None:
        beat, self.beat = self.beat, None
        if beat is not None:
            self.pool._settle(beat, failure)


class BeatPool:
    """At most ``limit`` keep-alive connections to ``host``:``port``; beats in, figures out.

    ``send(data, due)`` sends one prebuilt request; each answered beat adds ``(due, seconds)`` to ``beats``
    (``seconds`` from ``due``, on ``time.perf_counter``), each failed one adds 1 to ``failed[status or error]``.
    """

    def __init__(
        self,
        host: str,
        port: int,
        beats: list[tuple[float, float]],
        failed: dict[str, int],
        *,
        limit: int = 200,
        timeout: float = 60.0,
    ) -> None:
        self.host = host
        self.port = port
        self.beats = beats
        self.failed = failed
        self.limit = limit
        self.timeout = timeout
        self.loop = asyncio.get_running_loop()
        self.idle: dict[_Connection, None] = {}  # last freed first: the fewest connections stay busy
        self.waiting: collections.deque[_Beat] = collections.deque()
        self.connections: set[_Connection] = set()
        self.opening = 0
        self.pending = 0
        self.settled: asyncio.Future[None] | None = None

    def send(self, data: bytes, due: float) -> None:
        beat = _Beat(data, due)
        self.pending += 1
        beat.timer = self.loop.call_at(self.loop.time() + self.timeout, self._timed_out, beat)
        if self.idle:
            connection, _ = self.idle.popitem()
            connection.send(beat)
        elif len(self.connections) + self.opening < self.limit:
            self._open(beat)
        else:
            self.waiting.append(beat)

    async def drained(self) -> None:
        """Until every beat sent has its answer or its failure."""
        if self.pending:
            self.settled = self.loop.create_future()
            await self.settled

    def close(self) -> None:
        for connection in list(self.connections):
            connection.close()

    # -- the connections' side
    def _open(self, beat: _Beat) -> None:
        self.opening += 1
        self.loop.create_task(self._connect(beat))

    async def _connect(self, beat: _Beat) -> None:
        try:
            _transport, connection = await self.loop.create_connection(
                lambda: _Connection(self), self.host, self.port
            )
        except OSError as exc:
            self.opening -= 1
            if not beat.done:
                self._settle(beat, type(exc).__name__)
            self._next_waiting()
            return
        self.opening -= 1
        self.connections.add(connection)
        if connection.closed:  # lost before it could be used: connection_lost has run
            self.connections.discard(connection)
            if not beat.done:
                self._settle(beat, "ServerDisconnectedError")
            self._next_waiting()
        elif beat.done:  # timed out while connecting
            self._free(connection)
        else:
            connection.send(beat)

    def _free(self, connection: _Connection) -> None:
        while self.waiting:
            beat = self.waiting.popleft()
            if not beat.done:
                connection.send(beat)
                return
        self.idle[connection] = None

    def _lost(self, connection: _Connection, beat: _Beat | None, answered: bool, exc: Exception | None) -> None:
        self.idle.pop(connection, None)
        if connection not in self.connections:
            return  # still in _connect, which sees ``closed``
        self.connections.discard(connection)
        if beat is not None and not beat.done:
            if not answered and not beat.retried:  # closed by the server while idle: the request never arrived
                beat.retried = True
                self._open(beat)
                return
            self._settle(beat, type(exc).__name__ if exc is not None else "ServerDisconnectedError")
        self._next_waiting()

    def _next_waiting(self) -> None:
        while self.waiting and len(self.connections) + self.opening < self.limit:
            beat = self.waiting.popleft()
            if not beat.done:
                self._open(beat)

    def _timed_out(self, beat: _Beat) -> None:
        if beat.done:
            return
        for connection in self.connections:
            if connection.beat is beat:
                connection.beat = None
                connection.close()
                break
        self._settle(beat, "TimeoutError")  # a waiting or connecting beat is skipped when its turn comes

    def _settle(self, beat: _Beat, failure: str | None) -> None:
        beat.done = True
        if beat.timer is not None:
            beat.timer.cancel()
        if failure is None:
            self.beats.append((beat.due, time.perf_counter() - beat.due))
        else:
            self.failed[failure] = self.failed.get(failure, 0) + 1
        self.pending -= 1
        if not self.pending and self.settled is not None and not self.settled.done():
            self.settled.set_result(None)
