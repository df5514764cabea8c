"""The platform chores that follow a heartbeat: the ratings upload, the catalog refresh, then the audit sync.

They run on a thread of their own, woken by a beat that reached the platform, so the heartbeat's thread only
beats: a staff call never waits behind a slow upload or refresh. Wake-ups that come while a round runs make
one more round, not one each.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence

from offline_cache.observers import ObserverList

log = logging.getLogger(__name__)


class PlatformUpkeep:
    def __init__(self, chores: Sequence[Callable[[], object]]) -> None:
        self._chores = list(chores)
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        #: After each round, on the upkeep's thread: True when every chore finished without an error.
        self.after_round: ObserverList[bool] = ObserverList()

    def after_beat(self, reached: bool) -> None:
        """The heartbeat's observer: a beat that reached the platform asks for a round (returns at once)."""
        if reached:
            self._wake.set()

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="platform-upkeep", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stopping.set()
        self._wake.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            self._wake.wait()
            if self._stopping.is_set():
                return
            self._wake.clear()
            clean = True
            for chore in self._chores:
                try:
                    chore()
                except Exception:  # one chore's failure must not stop the others or the thread
                    log.exception("platform upkeep: %r failed", chore)
                    clean = False
            self.after_round.notify(clean)
