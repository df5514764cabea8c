"""The one way results get back to the Qt main thread (Anki's ``run_on_main``).

Domain layers report through plain callbacks on their own threads; :class:`MainThreadBridge` queues those
callables to the main thread. :func:`run_in_worker` runs blocking work off the main thread and delivers the
result (or the error) back through the bridge.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import TypeVar

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal, Slot

log = logging.getLogger(__name__)
T = TypeVar("T")


class MainThreadBridge(QObject):
    _call = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self._call.connect(self._run, Qt.ConnectionType.QueuedConnection)
        self._workers = ThreadPoolExecutor(max_workers=4, thread_name_prefix="ui-worker")
        self._pending = 0  # worker jobs whose answer has not yet run on the main thread
        self._pending_lock = threading.Lock()

    @Slot(object)
    def _run(self, fn: Callable[[], None]) -> None:
        try:
            fn()
        except Exception:  # a callback's bug must not take the kiosk down
            log.exception("main-thread callback failed")

    def run_on_main(self, fn: Callable[[], None]) -> None:
        """Call ``fn`` on the Qt main thread, soon (from any thread)."""
        self._call.emit(fn)

    def run_in_worker(
        self,
        work: Callable[[], T],
        on_success: Callable[[T], None],
        on_failure: Callable[[Exception], None] | None = None,
    ) -> None:
        """Run ``work`` on a worker thread; its result or error comes back on the main thread."""

        def task() -> None:
            try:
                result = work()
            except Exception as exc:  # noqa: BLE001 - every failure is handed back to the caller
                log.warning("background work failed: %s", exc)
                self.run_on_main(partial(self._settled, partial(on_failure, exc) if on_failure else None))
                return
            self.run_on_main(partial(self._settled, lambda: on_success(result)))

        with self._pending_lock:
            self._pending += 1
        try:
            self._workers.submit(task)
        except RuntimeError:  # shut down: the application is closing, and a timer asked once more
            with self._pending_lock:
                self._pending -= 1
            log.debug("background work after shutdown dropped")

    def _settled(self, answer: Callable[[], None] | None) -> None:
        with self._pending_lock:
            self._pending -= 1
        if answer is not None:
            answer()

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """Process Qt events until every worker job's answer has run (screenshots, the audit, scripts);
        False if some are still out after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            QCoreApplication.processEvents()
            with self._pending_lock:
                if self._pending == 0:
                    return True
            if time.monotonic() > deadline:
                return False
            time.sleep(0.005)

    def shutdown(self) -> None:
        self._workers.shutdown(wait=False, cancel_futures=True)
