"""``kiosk run --mode assisted``: the staff member's own window over the hall (not the citizen kiosk)."""

from __future__ import annotations

from pathlib import Path

from kiosk.config import Config

#: A laptop's screen at the least: the client is laid out for 1366×768 and grows with the window.
LAPTOP = (1366, 768)


def run_assisted(config: Config, *, demo: bool, windowed: bool, config_path: Path | None = None) -> int:
    """Open the hall (outbox, sync, devices the laptop has), then the staff member's window until it closes."""
    from PySide6.QtWidgets import QApplication

    from kiosk.hall.compose import open_hall
    from kiosk.paths import TerminalPaths
    from ui.application import start_application
    from ui.assisted.compose import assisted_desk
    from ui.assisted.window import AssistedWindow

    app = start_application()
    assert isinstance(app, QApplication)
    paths = TerminalPaths.of(config.data_path, demo=demo).ensure()
    hall = open_hall(config, demo=demo, paths=paths, config_path=config_path)
    try:
        window = AssistedWindow(assisted_desk(hall))
        window.resize(*LAPTOP)
        if windowed:
            window.show()
        else:
            window.showMaximized()
        return app.exec()
    finally:
        hall.close()
