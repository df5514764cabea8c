"""A deadline for a whole HTTP exchange, not only for each read.

requests' read timeout bounds each wait for bytes: an answer passed on a byte at a time, each within the
timeout (a broken middlebox, a dying radio link), holds a delivery thread forever, and the sync worker waits
for it. :class:`DeadlineAdapter` records which connection each thread is using, and one watchdog thread for
the process shuts that connection's socket down once the exchange has run past its deadline; the blocked read
then fails like any lost connection, and the submission waits for its next attempt (the platform deduplicates
it by id).
"""

from __future__ import annotations

import contextlib
import functools
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any

from requests.adapters import HTTPAdapter
from requests.models import PreparedRequest, Response
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

#: How often the watchdog looks at the exchanges in progress (seconds); with none, it sleeps until one begins.
WATCH_EVERY = 0.25


@dataclass
class _Exchange:
    """One thread's exchange in progress: when it must end, and the connection it is using."""

    until: float
    connection: HTTPConnection | None = None


# Every adapter's exchanges in progress, by thread.
_exchanges: dict[int, _Exchange] = {}
_changed = threading.Condition()


def _watch() -> None:
    # All under the one lock: a thread found late is still inside this very exchange (its ``send`` cannot
    # finish, nor the next begin, until the lock is free), so the socket cut is its own.
    with _changed:
        while True:
            _changed.wait(WATCH_EVERY if _exchanges else None)
            now = time.monotonic()
            for thread in [thread for thread, exchange in _exchanges.items() if exchange.until < now]:
                sock = getattr(_exchanges.pop(thread).connection, "sock", None)
                if sock is not None:
                    with contextlib.suppress(OSError):
                        sock.shutdown(socket.SHUT_RDWR)


@functools.cache
def _start_watchdog() -> threading.Thread:
    thread = threading.Thread(target=_watch, name="http-deadline", daemon=True)
    thread.start()
    return thread


class _Noted:
    """A connection that notes itself on the sending thread's exchange, for the watchdog."""

    def request(self, *args: Any, **kwargs: Any) -> None:
        with _changed:
            exchange = _exchanges.get(threading.get_ident())
            if exchange is not None:
                exchange.connection = self  # type: ignore[assignment]
        super().request(*args, **kwargs)  # type: ignore[misc]


class _NotedHTTPConnection(_Noted, HTTPConnection):
    pass


class _NotedHTTPSConnection(_Noted, HTTPSConnection):
    pass


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _NotedHTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _NotedHTTPSConnection


class DeadlineAdapter(HTTPAdapter):
    """requests' adapter with a limit on the whole exchange: ``deadline`` seconds from send to last byte."""

    def __init__(self, deadline: float, **kwargs: Any) -> None:
        self.deadline = deadline
        super().__init__(**kwargs)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        manager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}
        return manager

    def send(self, request: PreparedRequest, *args: Any, **kwargs: Any) -> Response:
        me = threading.get_ident()
        with _changed:
            _exchanges[me] = _Exchange(time.monotonic() + self.deadline)
            _start_watchdog()
            _changed.notify()
        try:
            return super().send(request, *args, **kwargs)
        finally:
            with _changed:
                _exchanges.pop(me, None)
