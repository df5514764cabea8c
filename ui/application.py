"""The process's one QApplication, made the same way for the kiosk and the assisted client."""

from __future__ import annotations

import logging
import sys

log = logging.getLogger(__name__)


def _qt_message(mode: object, context: object, message: str) -> None:
    """Qt's own messages go to the log; the offscreen platform's note about size hints is dropped as noise."""
    if "propagateSizeHints" not in message:
        log.warning("Qt: %s", message)


def start_application() -> object:
    """The process's QApplication, made once, with the kiosk's heap settings and garbage collection."""
    from PySide6.QtCore import qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    from kiosk.hall.memory import tune_heap
    from ui.garbage import collect_on_main_thread

    tune_heap()  # before the hall's threads make their heaps
    qInstallMessageHandler(_qt_message)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    collect_on_main_thread(app)
    app.setApplicationName("hall-kiosk")
    return app
