"""The technician joins the kiosk to a platform at the kiosk: 维护模式 → 设置 → 扫码接入平台, the enrolment code
``kiosk-central enroll --qr`` made held to the camera; the settings page says it is joined, and the config file
holds the platform's address, the terminal's id and token. A code of another platform writes nothing and says
why, and the page keeps looking."""

from __future__ import annotations

import base64
import gc
from pathlib import Path

import cv2
import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from central.cli import main as central_main
from central.keys import PlatformKeys
from central.runner import RunningCentral
from devices.camera.drivers import SimulatedCamera
from devices.camera.qr import decode_qr
from kiosk.config import load_config
from kiosk.hall.compose import Hall
from offline_cache.wire.enrolment_code import EnrolmentCode
from ui.controller import KioskController

from .test_technician_desk import Make, audit_details, config_file, message, open_panel, tap

__all__ = ["config_file"]  # the fixture, used here by name


def status(controller: KioskController) -> str:
    label = controller.window.findChild(QLabel, "technician-enrol-status")
    return label.text() if label is not None else ""


def page(controller: KioskController) -> str:
    overlay = controller.window.overlay
    return overlay.objectName() if overlay is not None else ""


# Slow-marked: it passes alone and under `stress --cpu 2`, but timed out once in the full suite on a fresh clone
# (the page up, the code shown, no answer in 30 s; cause not found). The join itself, from the PNG the real CLI
# writes through the real decoder to the config file, runs in CI in tests/kiosk/test_enrolment_code.py.
@pytest.mark.slow
def test_showing_the_enrolment_code_joins_the_platform(
    qtbot: QtBot,
    make_controller: Make,
    demo_hall: Hall,
    config_file: Path,
    keyed_platform: tuple[RunningCentral, str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    central, db, keys_file = keyed_platform
    png = tmp_path / "enrol.png"
    args = ["enroll", "hall-07", "--db", db, "--url", central.url, "--keys", str(keys_file), "--qr", str(png)]
    assert central_main(args) == 0
    token = capsys.readouterr().out.splitlines()[0]
    printed = decode_qr(cv2.imread(str(png)))
    assert printed is not None
    camera = demo_hall.camera
    assert isinstance(camera, SimulatedCamera) and demo_hall.audit is not None
    before = demo_hall.audit.size
    controller, _, _ = make_controller()
    open_panel(qtbot, controller)
    tap(qtbot, controller, "tech-settings")
    camera.show_scene("empty")
    tap(qtbot, controller, "tech-enrol")
    qtbot.waitUntil(lambda: "正在找二维码" in status(controller), timeout=10_000)
    gc.collect()  # the page keeps looking after a collection (its picture once stopped when collected)
    camera.show_qr_text(printed.text)  # the technician holds the code up
    qtbot.waitUntil(lambda: "已接入平台" in message(controller), timeout=30_000)
    assert "hall-07" in message(controller) and "重新启动" in message(controller)
    config = load_config(config_file)
    assert (config.platform.url, config.platform.token, config.terminal.id) == (central.url, token, "hall-07")
    changes = audit_details(demo_hall, "config.change", before)
    assert changes[-1] == {
        "changes": {"platform.url": central.url, "terminal.id": "hall-07"},
        "before": {"platform.url": "embedded"},
        "ok": True,
    }
    assert token not in str(changes)  # the secret is not in the log
    camera.show_scene("empty")


def test_a_code_of_another_platform_is_refused_and_nothing_written(
    qtbot: QtBot,
    make_controller: Make,
    demo_hall: Hall,
    config_file: Path,
    keyed_platform: tuple[RunningCentral, str, Path],
) -> None:
    central, _db, _keys = keyed_platform
    other = base64.b64encode(PlatformKeys.generate().seal_public).decode()
    written = config_file.read_text(encoding="utf-8")
    camera = demo_hall.camera
    assert isinstance(camera, SimulatedCamera)
    controller, _, _ = make_controller()
    open_panel(qtbot, controller)
    tap(qtbot, controller, "tech-settings")
    camera.show_qr_text(EnrolmentCode(central.url, "hall-07", "t" * 43, other, other).text())
    tap(qtbot, controller, "tech-enrol")
    qtbot.waitUntil(lambda: "密钥与接入码不符" in status(controller), timeout=30_000)
    assert config_file.read_text(encoding="utf-8") == written
    assert page(controller) == "technician-enrol"  # still looking
    camera.show_scene("empty")
    tap(qtbot, controller, "tech-back")
    qtbot.waitUntil(lambda: page(controller) == "technician-settings", timeout=10_000)
