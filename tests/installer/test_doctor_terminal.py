"""``kiosk doctor`` with no argument: the whole terminal, each line "ok" or what to do, exit 1 if any needs a person.

Against a real platform on loopback (SQLite), simulated devices, a real outbox; systemd is faked (a test machine
has none) through the doctor's runner, and a device node is a file in the test's folder.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey

from central.keys import PlatformKeys
from central.runner import RunningCentral, start_central
from kiosk.cli.doctor_terminal import Check, Runner, TerminalDoctor
from kiosk.config import Config, parse_config
from offline_cache.store import Outbox
from offline_cache.wire.protocol import SubmissionSummary
from offline_cache.wire.sealing import Sealer

TERMINAL = "doctor-0001"


@pytest.fixture(scope="module")
def central(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningCentral, str]]:
    db = tmp_path_factory.mktemp("central") / "platform.sqlite3"
    running = start_central(f"sqlite:///{db}", keys=PlatformKeys.generate())
    try:
        yield running, running.enroll(TERMINAL)
    finally:
        running.stop()


def hall_config(tmp_path: Path, url: str, token: str, public_key: bytes, **devices: str) -> tuple[Config, Path]:
    lines = [
        f'data_dir = "{tmp_path / "data"}"',
        "[terminal]",
        f'id = "{TERMINAL}"',
        "[platform]",
        f'url = "{url}"',
        f'token = "{token}"',
        f'public_key = "{base64.b64encode(public_key).decode()}"',
    ]
    for name in ("id_reader", "printer", "camera"):
        lines += [f"[devices.{name}]", f'connection = "{devices.get(name, "sim://")}"']
    text = "\n".join(lines) + "\n"
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    path.chmod(0o640)
    return parse_config(text, str(path)), path


def systemctl(states: dict[str, str]) -> Runner:
    def run(command: Sequence[str]) -> subprocess.CompletedProcess[str]:
        assert command[:2] == ["systemctl", "show"]
        out = "".join(f"{k}={v}\n" for k, v in states.items())
        return subprocess.CompletedProcess(list(command), 0, out, "")

    return run


HEALTHY = {"ActiveState": "active", "SubState": "running", "NRestarts": "0", "UnitFileState": "enabled"}


def by_name(checks: list[Check]) -> dict[str, Check]:
    return {c.name: c for c in checks}


def test_a_healthy_terminal_is_all_ok(tmp_path: Path, central: tuple[RunningCentral, str]) -> None:
    running, token = central
    config, path = hall_config(tmp_path, running.url, token, running.public_key)
    doctor = TerminalDoctor(config, path, run=systemctl(HEALTHY), systemd_running=lambda: True)
    checks = by_name(doctor.checks())
    assert list(checks) == [
        "service",
        "id_reader",
        "printer",
        "camera",
        "platform",
        "clock",
        "disk",
        "permissions",
        "queue",
    ]
    assert all(c.ok for c in checks.values()), [c for c in checks.values() if not c.ok]
    assert "token accepted" in checks["platform"].detail
    assert "against the platform" in checks["clock"].detail


def test_each_problem_says_what_to_do(tmp_path: Path, central: tuple[RunningCentral, str]) -> None:
    running, _token = central
    wide_open = tmp_path / "hall-printer"
    wide_open.write_bytes(b"")
    wide_open.chmod(0o666)
    config, path = hall_config(
        tmp_path,
        running.url,
        "not-the-token",
        running.public_key,
        id_reader=str(tmp_path / "hall-idcard"),
        printer=f"file://{wide_open}",
    )
    stopped = {**HEALTHY, "ActiveState": "failed", "SubState": "failed"}
    late_clock = TerminalDoctor(config, path).now() + 600
    doctor = TerminalDoctor(
        config,
        path,
        run=systemctl(stopped),
        systemd_running=lambda: True,
        now=lambda: late_clock,
    )
    checks = by_name(doctor.checks())
    assert "systemctl start hall-kiosk.service" in checks["service"].action
    assert "plug in the ID card reader" in checks["id_reader"].action
    assert "0666" in checks["printer"].action
    assert "enrol again" in checks["platform"].action
    assert "timedatectl" in checks["clock"].action
    assert all(c.action for c in checks.values() if not c.ok)


def test_queue_waiting_is_reported_and_outside_systemd_the_exit_says_a_person_is_needed(
    tmp_path: Path, central: tuple[RunningCentral, str]
) -> None:
    running, token = central
    _config, path = hall_config(tmp_path, running.url, token, running.public_key)
    sealer = Sealer(X25519PublicKey.from_public_bytes(running.public_key))
    outbox = Outbox(tmp_path / "data" / "terminal" / "outbox", terminal_id=TERMINAL, sealer=sealer)
    try:
        outbox.put(b"{}", SubmissionSummary("GA-001", "居民身份证换领", "张*三", "2026-01-01T08:00:00+08:00"))
    finally:
        outbox.close()
    result = subprocess.run(
        [sys.executable, "-m", "kiosk.cli.main", "doctor", "--json", "--config", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    report = json.loads(result.stdout)
    checks = {c["name"]: c for c in report["checks"]}
    assert checks["queue"]["ok"] and checks["queue"]["detail"].startswith("1 waiting")
    if not checks["service"]["ok"]:  # a test machine: no systemd, so the terminal needs a person
        assert result.returncode == 1 and report["ok"] is False
    text = subprocess.run(
        [sys.executable, "-m", "kiosk.cli.main", "doctor", "--config", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    for line in text.stdout.splitlines():
        assert line.startswith(("ok    ", "TODO  ")), line
