"""A deadline for a whole HTTP exchange, not only for each read.

requests' read timeout bounds each wait for bytes: an answer passed on a byte at a time, each within the
timeout (a broken middlebox, a dying radio link), holds a delivery thread forever, and the sync worker waits
for it. :class:`DeadlineAdapter` records which connection each thread is using and a watchdog shuts that
connection's socket down once the exchange has run past its deadline; the blocked read then fails like any
lost connection, and the submission waits for its next attempt (the platform deduplicates it by id).
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from typing import Any

from requests.adapters import HTTPAdapter
from requests.models import PreparedRequest, Response
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

#: How often the watchdog looks at the exchanges in progress (seconds).
WATCH_EVERY = 0.25

_in_use: dict[int, HTTPConnection] = {}
_in_use_lock = threading.Lock()


class _Noted:
    """A connection that notes itself as the sending thread's current one, for the watchdog."""

    def request(self, *args: Any, **kwargs: Any) -> None:
        with _in_use_lock:
            _in_use[threading.get_ident()] = self  # type: ignore[assignment]
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
        self._running: dict[int, float] = {}  # thread → when its exchange must end
        self._lock = threading.Lock()
        self._watchdog: threading.Thread | None = None
        self._closed = threading.Event()
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
        with self._lock:
            self._running[me] = time.monotonic() + self.deadline
            if self._watchdog is None:
                self._watchdog = threading.Thread(target=self._watch, name="http-deadline", daemon=True)
                self._watchdog.start()
        try:
            return super().send(request, *args, **kwargs)
        finally:
            with self._lock:
                self._running.pop(me, None)
            with _in_use_lock:
                _in_use.pop(me, None)

    def close(self) -> None:
        self._closed.set()
        super().close()

    def _watch(self) -> None:
        while not self._closed.wait(WATCH_EVERY):
            now = time.monotonic()
            # All under the adapter's lock: a thread found late is still inside this very exchange (its
            # ``send`` cannot finish, nor the next begin, until the lock is free), so the socket cut is its own.
            with self._lock:
                for thread in [thread for thread, until in self._running.items() if until < now]:
                    del self._running[thread]
                    with _in_use_lock:
                        connection = _in_use.pop(thread, None)
                    sock = getattr(connection, "sock", None)
                    if sock is not None:
                        with contextlib.suppress(OSError):
                            sock.shutdown(socket.SHUT_RDWR)
