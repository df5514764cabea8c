"""The only door from ``kiosk.cli`` into Qt: start the app, render screenshots, run the audit."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from kiosk.config import Config

log = logging.getLogger(__name__)

PORTRAIT = (1080, 1920)
LANDSCAPE = (1920, 1080)


def _application() -> object:
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("hall-kiosk")
    return app


def run_app(config: Config, *, demo: bool, mode: str | None, windowed: bool) -> int:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from accessibility.voice_factory import make_voice
    from kiosk.hall import open_hall
    from ui.bridge import MainThreadBridge
    from ui.controller import KioskController

    app = _application()
    assert isinstance(app, QApplication)
    hall = open_hall(config, demo=demo)
    voice = make_voice(config.voice, hall.data_dir / "voice-cache", config.ui.language)
    bridge = MainThreadBridge()
    controller = KioskController(config, hall.catalog(), hall.ports, voice, bridge)
    window = controller.window
    terminal_mode = mode or config.terminal.mode
    if terminal_mode == "kiosk" and not windowed and os.environ.get("QT_QPA_PLATFORM") != "offscreen":
        window.setWindowFlag(Qt.WindowType.FramelessWindowHint)
        window.showFullScreen()
    else:
        window.resize(*(PORTRAIT if terminal_mode == "kiosk" else (1280, 900)))
        window.show()
    controller.activate()
    try:
        return app.exec()
    finally:
        voice.close()
        bridge.shutdown()
        hall.close()


def render_screenshots(config: Config, out_dir: Path, themes: Sequence[str]) -> list[Path]:
    from ui.screenshots import render_all

    _application()
    return render_all(config, out_dir, themes)


def run_audit(config: Config, *, as_json: bool) -> int:
    from ui.audit_screens import audit_all

    _application()
    return audit_all(config, as_json=as_json)
