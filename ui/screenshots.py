"""``kiosk screenshots DIR``: every screen of the citizen's path, plus the overlays, in every theme and both
orientations, rendered offscreen with representative data. File names say screen, theme and orientation."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from PySide6.QtWidgets import QApplication

from accessibility.voice_recording import RecordingVoice
from kiosk.config import Config
from kiosk.hall.compose import open_hall, temporary_paths
from kiosk.visit.flow import CitizenFlow
from kiosk.visit.showcase import ShowcaseState, showcase
from ui.bridge import MainThreadBridge
from ui.controller import KioskController
from ui.widgets.pinyin_keyboard import PinyinKeyboard

PORTRAIT = (1080, 1920)
LANDSCAPE = (1920, 1080)
ORIENTATIONS = {"portrait": PORTRAIT, "landscape": LANDSCAPE}


@contextmanager
def showcase_controller(config: Config) -> Iterator[Callable[[], KioskController]]:
    """A factory of controllers over one real demo hall (simulated devices, embedded platform)."""
    hall = open_hall(config, demo=True, paths=temporary_paths())
    bridge = MainThreadBridge()
    made: list[KioskController] = []

    def make() -> KioskController:
        voice = RecordingVoice()
        controller = KioskController(config, hall.catalog(), hall.ports, voice, bridge)
        made.append(controller)
        return controller

    try:
        yield make
    finally:
        for controller in made:
            controller.deactivate()
            controller.window.close()
            controller.window.deleteLater()
        bridge.shutdown()
        hall.close()


def _idle_warning(controller: KioskController) -> None:
    controller.start()
    quiet = controller.idle.idle_seconds * controller.idle.factor
    controller.idle.restart(0.0)
    controller.clock = lambda: quiet + 1
    controller.tick()


def _staff_called(controller: KioskController) -> None:
    controller.flow.start()
    controller.show_staff_coming(True)


def _flow_step(drive: Callable[[CitizenFlow], None]) -> Callable[[KioskController], None]:
    return lambda controller: drive(controller.flow)


def _flow_state(state: ShowcaseState) -> Callable[[KioskController], None]:
    def drive(controller: KioskController) -> None:
        state.drive(controller.flow)
        keyboard = controller.window.findChild(PinyinKeyboard)
        if keyboard is not None:
            for letter in state.typed:
                keyboard.type_letter(letter)

    return drive


Drive = Callable[[KioskController], None]


def screens() -> list[tuple[str, Drive, list[tuple[str, Drive]]]]:
    """Every registered screen with its other states (label, drive), then the overlays."""
    shown = [
        (step.label, _flow_step(step.drive), [(state.label, _flow_state(state)) for state in step.states])
        for step in showcase()
    ]
    overlays: list[tuple[str, Drive]] = [
        ("28-idle-warning", _idle_warning),
        ("29-staff-called", _staff_called),
        ("30-technician-pin", _technician_pin),
        ("31-technician-panel", _technician_panel),
        ("32-technician-settings", _technician_settings),
    ]
    return [*shown, *((label, drive, []) for label, drive in overlays)]


def steps() -> list[tuple[str, Drive]]:
    """Every screen and every state of it (``13-field-text~error``), then the overlays."""
    found: list[tuple[str, Drive]] = []
    for label, drive, states in screens():
        found.append((label, drive))
        found += [(f"{label}~{state}", state_drive) for state, state_drive in states]
    return found


def _technician_pin(controller: KioskController) -> None:
    controller.open_technician()


def _technician_panel(controller: KioskController) -> None:
    controller.open_technician()
    controller.check_pin("2468")


def _technician_settings(controller: KioskController) -> None:
    _technician_panel(controller)
    controller.bridge.wait_idle()
    settings = controller.window.find_button("tech-settings")
    if settings is not None:
        settings.click()


def render_all(config: Config, out_dir: Path, themes: Sequence[str]) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    app = QApplication.instance()
    assert app is not None
    with showcase_controller(config) as make:
        for theme in themes:
            for orientation, size in ORIENTATIONS.items():
                for label, drive in steps():
                    controller = make()
                    controller.window.setFixedSize(*size)  # the glass: a kiosk window cannot grow
                    controller.set_theme(theme)
                    controller.window.show()
                    drive(controller)
                    controller.bridge.wait_idle()  # a camera frame, a PIN check: answers from workers
                    path = out_dir / f"{label}__{theme}__{orientation}.png"
                    controller.window.grab().save(str(path))
                    written.append(path)
                    controller.deactivate()  # its device waits end with it
                    controller.window.close()
    # The staff member's client (帮办代办) at a laptop's and a desktop's size: ui/assisted/screens.py.
    from kiosk.hall.catalog_store import bundled_catalog
    from ui.assisted.screens import render_assisted

    written += render_assisted(bundled_catalog(), out_dir)
    from ui.assisted.screens_more import render_assisted_more

    written += render_assisted_more(bundled_catalog(), out_dir)  # export, redo, 代为查询 / 代为取号
    return written
