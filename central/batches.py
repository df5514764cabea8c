"""Requests answered in batches on one thread of their own (批处理).

A province's terminals send hundreds of small requests a second that each cost a transaction; taken one by one,
the transactions' own cost (a pool checkout, ``BEGIN``, ``COMMIT``, a disk flush, two thread hops) is most of
the work. Here the requests that arrive while a batch is being answered wait together and are answered as the
next batch, on a thread of their own: the batch is as large as the load makes it (one request when the platform
is idle, so nothing waits for a timer), and every request is answered only after its batch is committed.

The thread starts with the first request and ends after a few idle seconds; the event loop never blocks.
"""

from __future__ import annotations

import asyncio
import threading
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
        self, take: Callable[[list[Item]], list[Result | Exception]], *, most: int = 200, name: str = "batches"
    ) -> None:
        self._take = take
        self._most = most
        self._name = name
        self._ready = threading.Condition()
        self._waiting: list[tuple[Item, asyncio.Future[Result], asyncio.AbstractEventLoop]] = []
        self._thread: threading.Thread | None = None

    async def answer(self, item: Item) -> Result:
        """``item``'s result once its batch is taken (raises the item's exception)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Result] = loop.create_future()
        with self._ready:
            self._waiting.append((item, future, loop))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()
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
                batch, self._waiting = self._waiting[: self._most], self._waiting[self._most :]
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
