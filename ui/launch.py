"""The only door from ``kiosk.cli.main`` into Qt: start the app, render screenshots, run the audit."""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.config import Config
from ui.application import start_application

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from accessibility.voice import Voice
    from kiosk.hall.compose import Hall
    from ui.bridge import MainThreadBridge
    from ui.controller import KioskController

log = logging.getLogger(__name__)

PORTRAIT = (1080, 1920)
LANDSCAPE = (1920, 1080)


def _attach_hall(hall: Hall, controller: KioskController, voice: Voice, bridge: MainThreadBridge) -> None:
    """Once the hall is open: newer catalogs reach the screens, and the voice's health reaches the heartbeat."""
    from devices.base import DeviceHealth, DeviceState

    def offer_catalog(_reached: bool = True) -> None:
        bridge.run_on_main(lambda: controller.use_catalog(hall.catalog()))

    offer_catalog()
    hall.upkeep.after_round.add(offer_catalog)
    hall.heartbeat.after_beat.add(offer_catalog)  # the notices the console pushed come with each beat's answer
    hall.health_sources["voice"] = lambda: voice.health
    # Anonymous usage events (使用统计) of every visit from now on, read off the flow on the main thread.
    def watch_visits() -> None:
        hall.watch_visits(controller.flow, lambda: controller.theme.name == "elder")

    bridge.run_on_main(watch_visits)

    def voice_changed(health: DeviceHealth) -> None:
        if health.state is not DeviceState.OK:  # once per change, not once per sentence
            hall.heartbeat.raise_alert("voice", state=health.state.value, reason=health.reason)

    voice.voice_did_change_health.connect(voice_changed)
    if voice.health.state is not DeviceState.OK:
        voice_changed(voice.health)


def _window_size(app: QApplication, *, kiosk: bool, full_screen: bool) -> tuple[int, int]:
    screen = app.primaryScreen()
    if full_screen and screen is not None:
        return (screen.size().width(), screen.size().height())
    return PORTRAIT if kiosk else (1280, 900)


def run_app(config: Config, *, demo: bool, mode: str | None, windowed: bool, config_path: Path | None = None) -> int:
    """Paint the attract screen first; the devices and the platform come up behind it."""
    if (mode or config.terminal.mode) == "assisted":  # the staff member's own client, not the citizen kiosk
        from ui.assisted.app import run_assisted

        return run_assisted(config, demo=demo or config.is_demo, windowed=windowed, config_path=config_path)
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from accessibility.voice_factory import make_voice
    from kiosk.hall.catalog_store import cached_catalog
    from kiosk.hall.opening import HallOpening
    from kiosk.paths import TerminalPaths
    from kiosk.visit.session import Session
    from ui.bridge import MainThreadBridge
    from ui.controller import KioskController
    from ui.watchdog import attach_nightly_restart, attach_watchdog

    app = start_application()
    assert isinstance(app, QApplication)
    demo = demo or config.is_demo
    paths = TerminalPaths.of(config.data_path, demo=demo).ensure()

    def open_the_hall() -> Hall:
        from kiosk.hall.compose import open_hall  # devices, platform, OpenCV: after the first paint

        return open_hall(config, demo=demo, paths=paths, config_path=config_path)

    opening = HallOpening(open_the_hall, demo=demo)
    voice = make_voice(config.voice, paths.voice_cache, config.ui.language)
    bridge = MainThreadBridge()
    kiosk = (mode or config.terminal.mode) == "kiosk"
    full_screen = kiosk and not windowed and os.environ.get("QT_QPA_PLATFORM") != "offscreen"
    size = _window_size(app, kiosk=kiosk, full_screen=full_screen)
    session = Session(temp_root=paths.visits)
    session.clear_leftovers()
    controller = KioskController(
        config, cached_catalog(paths), opening.ports, voice, bridge, size=size, session=session, mode=mode
    )
    opening.hall_did_open.append(lambda hall: _attach_hall(hall, controller, voice, bridge))
    window = controller.window
    from ui.layout_probe import attach_from_environment

    _probe = attach_from_environment(window)  # bench/usability.py: where things are, what each tap hit
    if full_screen:
        window.setWindowFlag(Qt.WindowType.FramelessWindowHint)
        window.showFullScreen()
    else:
        window.show()
    # The hall's imports and threads (devices, platform, OpenCV) wait until the attract screen is on the glass.
    window.window_did_first_paint.append(opening.start)
    window.window_did_first_paint.append(controller.activate)
    attach_watchdog(window.window_did_first_paint, window)  # systemd: READY=1 after the paint, WATCHDOG=1 pings
    attach_nightly_restart(window, lambda: controller.flow.step == "attract", app.quit, os.environ)
    try:
        return app.exec()
    finally:
        controller.deactivate()
        voice.close()
        bridge.shutdown()
        opening.close()


def render_screenshots(config: Config, out_dir: Path, themes: Sequence[str]) -> list[Path]:
    from ui.screenshots import render_all

    start_application()
    return render_all(config, out_dir, themes)


def run_audit(config: Config, *, as_json: bool) -> int:
    from ui.audit_screens import audit_all

    start_application()
    return audit_all(config, as_json=as_json)
