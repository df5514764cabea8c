"""The technician's queue commands see the queue the kiosk writes: one object names a terminal's data folders.

The hall is opened as ``kiosk run`` opens it (its default data folder for the mode, no fixture's folder), a
submission is queued while the platform cannot be reached, and then a separate ``kiosk`` process finds it.
"""

from __future__ import annotations

import base64
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from kiosk.config import load_config
from kiosk.hall.compose import open_hall
from kiosk.hall.matters import OutboxMatters
from kiosk.hall.opening import HallOpening
from kiosk.paths import TerminalPaths
from kiosk.visit.ports import HallError, SubmissionRequest

TERMINAL = "paths-test-001"


def _write_config(tmp_path: Path, *, demo: bool) -> Path:
    lines = [f'data_dir = "{tmp_path / "data"}"', "[terminal]", f'id = "{TERMINAL}"', "[platform]"]
    if not demo:
        public = (
            X25519PrivateKey.generate()
            .public_key()
            .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        )
        # Port 9 (discard) on loopback: nothing answers, as when the hall's network is down.
        lines += ['url = "http://127.0.0.1:9"', 'token = "t"', f'public_key = "{base64.b64encode(public).decode()}"']
    path = tmp_path / "config.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _queue_one_while_offline(config_path: Path, *, demo: bool) -> None:
    config = load_config(config_path)
    hall = open_hall(config, demo=demo)
    try:
        if demo:
            hall.stop_platform()
        matters = hall.ports.matters
        assert isinstance(matters, OutboxMatters)
        matters.wait_for_case = 0.0
        service = next(s for s in hall.catalog().services if s.outcome == "case")
        outcome = matters.handle(SubmissionRequest(service, None, {}))
        assert outcome.kind == "queued"
    finally:
        hall.close()


def _kiosk(config_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    command = [sys.executable, "-m", "kiosk.cli.main", "--config", str(config_path), *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120, check=False)


def _check_status_and_export(config_path: Path, tmp_path: Path, *mode: str) -> None:
    status = _kiosk(config_path, "queue", "status", *mode, "--json")
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["pending"] == 1
    drive = tmp_path / "drive"
    drive.mkdir()
    exported = _kiosk(config_path, "queue", "export", *mode, "--force", str(drive))
    assert exported.returncode == 0, exported.stderr
    assert "exported 1 submissions" in exported.stdout
    assert len(list(drive.rglob("*.json"))) >= 1


def test_queue_commands_see_what_the_hall_queued(tmp_path: Path) -> None:
    config_path = _write_config(tmp_path, demo=False)
    _queue_one_while_offline(config_path, demo=False)
    assert (TerminalPaths.of(tmp_path / "data", demo=False).outbox).is_dir()
    _check_status_and_export(config_path, tmp_path)


def test_demo_queue_commands_see_what_the_demo_queued(tmp_path: Path) -> None:
    config_path = _write_config(tmp_path, demo=True)
    _queue_one_while_offline(config_path, demo=True)
    _check_status_and_export(config_path, tmp_path, "--demo")


def test_a_newer_releases_outbox_keeps_the_kiosk_up_and_tells_the_technician(tmp_path: Path) -> None:
    """After a downgrade the outbox is a newer release's file: the kiosk does not open it (nor crash); the
    technician's panel says why in one line."""
    config_path = _write_config(tmp_path, demo=False)
    outbox = TerminalPaths.of(tmp_path / "data", demo=False).ensure().outbox
    outbox.mkdir()
    with sqlite3.connect(outbox / "outbox.sqlite3") as db:
        db.execute("PRAGMA user_version = 99")
    opening = HallOpening(lambda: open_hall(load_config(config_path), demo=False), demo=False)
    opening.start()
    with pytest.raises(HallError):
        opening.wait(timeout=60)
    assert opening.error is not None
    assert opening.ports.technician is not None
    (line,) = opening.ports.technician.report()
    assert line.state == "offline"
    assert "newer release" in line.reason
    assert "\n" not in line.reason
