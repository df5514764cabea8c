"""The staff member's client in a process of its own, for a test to SIGKILL: it logs in, fills a case form most
of the way, waits until the form has sealed itself, says ``sealed <strokes>`` and waits to be killed.

Usage: ``python assisted_form_worker.py <laptop folder>`` (``QT_QPA_PLATFORM=offscreen``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer

from tests.ui.assisted_client_support import log_in
from tests.ui.assisted_half_form import PAPER, fill_half
from tests.ui.assisted_village_laptop import village_laptop
from ui.application import start_application
from ui.assisted.form_capture import strokes_of
from ui.assisted.window import AssistedWindow


def main(root: Path) -> None:
    start_application()
    with village_laptop(root, capture_paper=lambda: PAPER) as start:
        window = AssistedWindow(start())
        window.timer.stop()
        window.resize(1366, 768)
        window.show()
        log_in(window, 0)
        editor = fill_half(window)
        loop = QEventLoop()
        sealed: list[bool] = []
        editor.form_did_seal.connect(lambda: sealed.append(True))
        editor.form_did_seal.connect(loop.quit)
        QTimer.singleShot(20_000, loop.quit)  # never sealed: the test is told so
        loop.exec()
        if not sealed:
            print("unsealed", flush=True)
            return
        print("sealed", json.dumps(strokes_of(editor.authorization.pad)), flush=True)
        QEventLoop().exec()  # the window lives on as typing would; the battery dies here (the test's SIGKILL)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
