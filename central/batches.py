"""Requests answered in batches on one thread of their own (批处理).

A province's terminals send hundreds of small requests a second that each cost a transaction; taken one by one,
the transactions' own cost (a pool checkout, ``BEGIN``, ``COMMIT``, a disk flush, two thread hops) is most of
the work. Here the requests that arrive while a batch is being answered wait together and are answered as the
next batch, on a thread of their own, and every request is answered only after its batch is committed. A batch
also gathers for up to ``gather_s`` from its oldest request's arrival (or until it is full): under a province's
load, a batch taken the moment one request waits would hold one or two, each paying the transaction's cost
alone, and the thread would spend a core doing it; a few milliseconds' gathering makes the batches several
times larger for a wait no terminal notices.

The thread starts with the first request and ends after a few idle seconds; the event loop never blocks.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from typing import Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

#: How long the batch thread waits for work before it ends (a new request starts it again).
IDLE_S = 5.0


class Batches(Generic[Item, Result]):
    """Answers items in batches of at most ``most`` with ``take``, which returns one result (or the exception
    that refuses the item) per item, in order."""

    def __init__(
        self,
        take: Callable[[list[Item]], list[Result | Exception]],
        *,
        most: int = 200,
        gather_s: float = 0.0,
        name: str = "batches",
    ) -> None:
        self._take = take
        self._most = most
        self._gather_s = gather_s
        self._name = name
        self._ready = threading.Condition()
        self._waiting: list[tuple[Item, asyncio.Future[Result], asyncio.AbstractEventLoop]] = []
        self._oldest = 0.0  # when the oldest waiting request arrived (monotonic)
        self._thread: threading.Thread | None = None

    async def answer(self, item: Item) -> Result:
        """``item``'s result once its batch is taken (raises the item's exception)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Result] = loop.create_future()
        with self._ready:
            if not self._waiting:
                self._oldest = time.monotonic()
            self._waiting.append((item, future, loop))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()
            if len(self._waiting) >= self._most or len(self._waiting) == 1:
                self._ready.notify()
        return await future

    def _run(self) -> None:
        while True:
            with self._ready:
                if not self._waiting:
                    self._ready.wait(IDLE_S)
                if not self._waiting:
                    self._thread = None
                    return
                while len(self._waiting) < self._most:  # gathering: the batch fills or its oldest has waited enough
                    left = self._oldest + self._gather_s - time.monotonic()
                    if left <= 0:
                        break
                    self._ready.wait(left)
                batch, self._waiting = self._waiting[: self._most], self._waiting[self._most :]
                # Those left behind (the batch was full) have waited their share: the next batch does not gather.
                self._oldest = time.monotonic() - (self._gather_s if self._waiting else 0.0)
            try:
                results = self._take([item for item, _future, _loop in batch])
            except Exception as exc:  # noqa: BLE001 - every waiting request is answered, whatever failed
                results = [exc] * len(batch)
            for (_item, future, loop), result in zip(batch, results, strict=True):
                with suppress(RuntimeError):  # the loop has closed: nobody waits for this answer any more
                    loop.call_soon_threadsafe(_settle, future, result)


def _settle(future: asyncio.Future[Result], result: Result | Exception) -> None:
    if future.done():  # the request went away (its client disconnected) while its batch was taken
        return
    if isinstance(result, Exception):
        future.set_exception(result)
    else:
        future.set_result(result)
