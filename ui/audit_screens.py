"""``kiosk a11y-audit``: every showcased screen and overlay, in every theme and both orientations, checked
against the accessibility numbers by :mod:`accessibility.audit`."""

from __future__ import annotations

import json
from collections.abc import Callable

from PySide6.QtWidgets import QWidget

from accessibility.audit_run import AuditTarget, run_audit_over
from accessibility.themes import THEMES, Theme
from kiosk.config import Config
from kiosk.hall.catalog_store import bundled_catalog
from kiosk.visit.flow import CitizenFlow
from kiosk.visit.showcase import showcase
from kiosk.visit.strings import Texts
from ui.controller import KioskController
from ui.screenshots import screens, showcase_controller


def _spoken(config: Config) -> dict[str, tuple[str, dict[str, str | None]]]:
    """What each showcased screen speaks, and the spoken form of any error it shows."""
    spoken: dict[str, tuple[str, dict[str, str | None]]] = {}
    texts = Texts(config.ui.language)
    for step in showcase():
        errors: dict[str, str | None] = {}
        prompt = ""
        for drive in (step.drive, *(state.drive for state in step.states)):
            flow = CitizenFlow(bundled_catalog(), config.terminal.hall_name, texts=texts)
            drive(flow)
            screen = flow.screen
            prompt = prompt or screen.prompt
            error = getattr(screen.view, "error", None)
            if error:
                errors[error] = screen.prompt
        spoken[step.label] = (prompt, errors)
    spoken["28-idle-warning"] = (texts("idle.prompt"), {})
    spoken["29-staff-called"] = (texts("shell.staff_coming"), {})
    spoken["30-technician-pin"] = (texts("tech.pin_prompt"), {})
    spoken["31-technician-panel"] = (texts("tech.title"), {})
    spoken["32-technician-settings"] = (texts("tech.settings"), {})
    return spoken


def audit_all(config: Config, *, as_json: bool) -> int:
    spoken = _spoken(config)
    with showcase_controller(config) as make:

        def builder(drive: Callable[[KioskController], None]) -> Callable[[Theme], QWidget]:
            def build(theme: Theme) -> QWidget:
                controller = make()
                controller.set_theme(theme.name)
                drive(controller)
                controller.bridge.wait_idle()
                controller.deactivate()  # its device waits end with it
                return controller.window

            return build

        targets = [
            AuditTarget(
                label,
                builder(drive),
                spoken[label][0],
                spoken[label][1],
                {state: builder(state_drive) for state, state_drive in states},
            )
            for label, drive, states in screens()
        ]
        report = run_audit_over(targets, THEMES.values())
    # The staff member's client (帮办代办), with a desk's numbers: ui/assisted/audit.py.
    from accessibility.audit_run import AuditReport
    from ui.assisted.audit import audit_assisted
    from ui.assisted.screens_more import audit_assisted_more

    for desk in (audit_assisted(bundled_catalog()), audit_assisted_more(bundled_catalog())):
        report = AuditReport(report.violations + desk.violations, report.checked + desk.checked)
    if as_json:
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        print(report.text())
    return 0 if report.passed else 1
