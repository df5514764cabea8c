"""Python's cyclic garbage collector, run only on the Qt main thread (as Anki does).

The kiosk has many threads (devices, sync, the embedded platform). If Python's collector happens to run on one of
them while unreachable Qt objects are in a cycle, their destructors run off the main thread and the process can
crash. So automatic collection is switched off, and a timer on the main thread collects the generations that
are due, by the same thresholds Python would use.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 500


class MainThreadCollector(QObject):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(INTERVAL_MS)
        self._timer.timeout.connect(self.collect_due)
        self._timer.start()

    def collect_due(self) -> int:
        """Collect the oldest generation whose count passed its threshold; returns objects found."""
        counts, thresholds = gc.get_count(), gc.get_threshold()
        due = [generation for generation in range(3) if counts[generation] > thresholds[generation]]
        return gc.collect(max(due)) if due else 0

    def stop(self) -> None:
        self._timer.stop()
        gc.enable()


_collector: MainThreadCollector | None = None


def collect_on_main_thread(parent: QObject) -> MainThreadCollector:
    """Install the collector once for the application (idempotent)."""
    global _collector  # noqa: PLW0603 - one per process, like the collector it replaces
    if _collector is None:
        _collector = MainThreadCollector(parent)
    return _collector
