"""A device wait that runs on a thread of its own: started when its step is entered, cancelled when it is left.

Each wait owns its stop event and its thread, so cancelling one never touches another, and a new wait never
brings an old thread back (the defect of a shared stop event).
"""

from __future__ import annotations

import threading


class ThreadWait:
    """The thread, stop event and cancellation of one wait; a subclass says what the thread does in :meth:`run`."""

    def __init__(self, name: str) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self.run, name=name, daemon=True)

    def run(self) -> None:
        raise NotImplementedError

    def start_thread(self) -> None:
        self._thread.start()

    @property
    def stopping(self) -> threading.Event:
        return self._stop

    @property
    def cancelled(self) -> bool:
        return self._stop.is_set()

    def cancel(self) -> None:
        self._stop.set()

    def join(self, timeout: float) -> bool:
        """Wait for the thread to end (after :meth:`cancel`, or when the wait is done); True if it has."""
        if self._thread.ident is not None:
            self._thread.join(timeout)
        return not self._thread.is_alive()
