"""A small list of plain callbacks: how the outbox tells screens and the technician that something changed.

The UI bridges these callbacks to its own thread; the callbacks run on the thread that raised the event
(the sync worker), so they must be quick and must not block.

Everything on the platform side of the terminal uses this one list: the outbox, the sync engine, the heartbeat
and the platform upkeep after it. ``devices.base.Observers`` is its twin for the devices (callbacks with several
arguments): ``devices/`` and ``offline_cache/`` are the two independent halves of the lowest layer and may not
import each other, and a package of its own below both for two dozen lines is not worth a new layer.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

_log = logging.getLogger(__name__)

Event = TypeVar("Event")


class ObserverList(Generic[Event]):
    """Callbacks called with one event value each; one failing callback never stops the others."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._callbacks: list[Callable[[Event], None]] = []

    def add(self, callback: Callable[[Event], None]) -> None:
        with self._lock:
            self._callbacks.append(callback)

    def remove(self, callback: Callable[[Event], None]) -> None:
        with self._lock:
            if callback in self._callbacks:
                self._callbacks.remove(callback)

    def notify(self, event: Event) -> None:
        with self._lock:
            callbacks = list(self._callbacks)
        for callback in callbacks:
            try:
                callback(event)
            except Exception:  # noqa: BLE001
                # An observer is a screen or a log; a bug there must not stop deliveries.
                _log.exception("outbox observer %r failed", callback)
