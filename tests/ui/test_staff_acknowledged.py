"""呼叫工作人员 answered from the fleet console: the kiosk's overlay then says staff are on the way, and says it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pytestqt.qtbot import QtBot

from central.console.desk import FleetConsole
from kiosk.hall.compose import Hall
from tests.ui.conftest import all_visible_text
from tests.ui.test_shell import tap

Make = Callable[..., Any]


def test_a_call_acknowledged_in_the_console_is_shown_and_said_at_the_kiosk(
    qtbot: QtBot, make_controller: Make, demo_hall: Hall
) -> None:
    controller, voice, _ = make_controller()
    assert demo_hall.platform.central is not None
    running = demo_hall.platform.central.running
    console = running._server.config.app.state.console  # the demo's embedded platform serves the console too
    assert isinstance(console, FleetConsole)
    tap(qtbot, controller, "start")
    tap(qtbot, controller, "call-staff")
    qtbot.waitUntil(lambda: controller.window.overlay is not None, timeout=10_000)
    open_calls = [a for a in console.alerts.listing(open_only=True) if a.kind == "call_staff"]
    assert len(open_calls) == 1 and open_calls[-1].terminal_id == demo_hall.heartbeat.terminal_id
    assert "工作人员已确认" not in all_visible_text(controller.window.overlay)
    assert console.alerts.acknowledge(open_calls[0].seq, "hall_manager1", console.clock.now())
    qtbot.waitUntil(
        lambda: "工作人员已确认，马上到" in all_visible_text(controller.window.overlay), timeout=15_000
    )
    assert any("工作人员已确认" in said for said in voice.said)
    tap(qtbot, controller, "staff-close")
    assert controller.window.overlay is None


def test_the_console_shows_what_the_demo_kiosk_reports(demo_hall: Hall) -> None:
    assert demo_hall.platform.central is not None
    console = demo_hall.platform.central.running._server.config.app.state.console
    assert isinstance(console, FleetConsole)
    assert demo_hall.heartbeat.beat(15)
    view = console.fleet.terminal(demo_hall.heartbeat.terminal_id, console.clock.now())
    assert view is not None and view.state.value in ("ok", "warning", "error")
    assert view.value("catalog_version") == demo_hall.catalog().version
    assert isinstance(view.value("disk_free_mb"), int) and view.value("disk_free_mb") > 0
    assert set(view.devices) >= {"printer"}
