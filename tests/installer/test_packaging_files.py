"""The packaging's files say what the hall needs: the kiosk unit, the udev rules, the default config, the desktop
entry, the platform's unit and settings, the maintainer scripts. (``installer/check-packaging.sh`` adds
shellcheck, ``systemd-analyze verify``, lintian and the chroot install; these are the quick, exact checks.)"""

from __future__ import annotations

import asyncio
import configparser
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from central import asgi
from kiosk.config import parse_config

PACKAGING = Path(__file__).resolve().parents[2] / "installer" / "packaging"
TERMINAL = PACKAGING / "terminal"
CENTRAL = PACKAGING / "central"


def unit(path: Path) -> dict[str, dict[str, list[str]]]:
    """A systemd unit as sections of keys to every value given (keys may repeat)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), {})
            continue
        key, value = line.split("=", 1)
        current.setdefault(key, []).append(value)
    return sections


def test_the_kiosk_unit_is_a_watched_kiosk_session_on_tty1() -> None:
    service = unit(TERMINAL / "hall-kiosk.service")
    s = service["Service"]
    assert s["Type"] == ["notify"]
    assert s["NotifyAccess"] == ["all"]  # the kiosk is cage's child, not the main process
    assert int(s["WatchdogSec"][0]) >= 10
    assert s["Restart"] == ["always"]
    assert s["User"] == ["hall-kiosk"]
    assert s["SupplementaryGroups"] == ["hall-devices"]
    assert s["TTYPath"] == ["/dev/tty1"]
    assert s["PAMName"] == ["hall-kiosk"]
    command = s["ExecStart"][0].split()
    assert command[0] == "/usr/bin/cage"
    assert "-s" not in command[: command.index("--")]  # no switching to another virtual terminal
    assert command[command.index("--") + 1 :] == ["/usr/bin/kiosk", "run"]
    assert any("tty-no-blank" in c for c in s["ExecStartPre"])
    assert "getty@tty1.service" in service["Unit"]["Conflicts"][0]
    assert service["Unit"]["StartLimitIntervalSec"] == ["0"]
    assert service["Install"]["WantedBy"] == ["graphical.target"]
    assert (PACKAGING / "terminal" / "pam").read_text(encoding="utf-8").count("pam_systemd.so") == 1


def test_udev_rules_give_stable_names_by_group_never_to_everyone() -> None:
    rules = [
        line
        for line in (TERMINAL / "60-hall-kiosk.rules").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    assert rules
    for rule in rules:
        assert 'GROUP="hall-devices"' in rule, rule
        assert 'MODE="0660"' in rule, rule
        assert re.search(r'idVendor\}=="[0-9a-f]{4}"', rule), rule
        assert re.search(r'idProduct\}=="[0-9a-f]{4}"', rule), rule
    names = {m for rule in rules for m in re.findall(r'SYMLINK\+="([^"]+)"', rule)}
    assert names == {"hall-idcard", "hall-printer"}
    assert "0666" not in (TERMINAL / "60-hall-kiosk.rules").read_text(encoding="utf-8")


def test_the_default_config_is_valid_and_uses_the_stable_names() -> None:
    config = parse_config((TERMINAL / "config.toml").read_text(encoding="utf-8"), "config.toml")
    assert config.devices.id_reader.connection == "/dev/hall-idcard"
    assert config.devices.printer.connection == "file:///dev/hall-printer"
    assert str(config.data_path) == "/var/lib/hall-kiosk"
    assert not config.is_demo  # an installed terminal never opens the demo's embedded platform


def test_the_assisted_client_is_a_desktop_application() -> None:
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # type: ignore[assignment,method-assign]
    entry.read(TERMINAL / "hall-kiosk-assisted.desktop", encoding="utf-8")
    desktop = entry["Desktop Entry"]
    assert desktop["Type"] == "Application"
    assert desktop["Exec"] == "/usr/bin/kiosk run --mode assisted"
    assert (TERMINAL / f"{desktop['Icon']}.svg").is_file()
    if shutil.which("desktop-file-validate"):
        subprocess.run(["desktop-file-validate", str(TERMINAL / "hall-kiosk-assisted.desktop")], check=True)


def test_the_platform_unit_migrates_then_runs_workers_from_its_settings() -> None:
    s = unit(CENTRAL / "hall-kiosk-central.service")["Service"]
    assert "migrate" in s["ExecStartPre"][0]
    assert "--factory central.asgi:app_from_environment" in s["ExecStart"][0]
    assert "--workers ${KIOSK_CENTRAL_WORKERS}" in s["ExecStart"][0]
    assert s["EnvironmentFile"] == ["/etc/hall-kiosk/central.env"]
    settings = dict(
        line.split("=", 1)
        for line in (CENTRAL / "central.env").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    )
    for name in (asgi.DB_ENV, asgi.KEYS_ENV, asgi.ADMIN_TOKEN_FILE_ENV):
        assert settings.get(name), name
    used = set(re.findall(r"\$\{(\w+)\}", s["ExecStart"][0] + s["ExecStartPre"][0]))
    assert used <= set(settings), used - set(settings)


def test_the_platform_app_names_a_missing_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(asgi.DB_ENV, raising=False)
    with pytest.raises(asgi.CentralSettingError, match=asgi.DB_ENV):
        asgi.app_from_environment()


def test_the_platform_app_serves_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from central.db import open_engine
    from central.keys import PlatformKeys

    db = f"sqlite:///{tmp_path / 'platform.sqlite3'}"
    open_engine(db).dispose()  # what the unit's ExecStartPre (kiosk-central migrate) does first
    PlatformKeys.generate().save(tmp_path / "keys.json")
    (tmp_path / "admin-token").write_text("admin\n", encoding="utf-8")
    monkeypatch.setenv(asgi.DB_ENV, db)
    monkeypatch.setenv(asgi.KEYS_ENV, str(tmp_path / "keys.json"))
    monkeypatch.setenv(asgi.ADMIN_TOKEN_FILE_ENV, str(tmp_path / "admin-token"))
    app = asgi.app_from_environment()
    sent: list[dict[str, object]] = []

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/api/v1/platform-keys",
        "raw_path": b"/api/v1/platform-keys",
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"platform.test")],
        "client": ("127.0.0.1", 50000),
        "server": ("platform.test", 80),
    }
    asyncio.run(app(scope, receive, send))  # type: ignore[arg-type]
    assert sent[0]["type"] == "http.response.start" and sent[0]["status"] == 200, sent[:1]


def test_the_terminal_depends_on_what_it_loads_and_the_python_its_wheels_are_for() -> None:
    control = (TERMINAL / "control").read_text(encoding="utf-8")
    depends = {d.strip().split()[0] for d in re.search(r"^Depends: (.*)$", control, re.M)[1].split(",")}  # type: ignore[index]
    assert {"python3.11", "python3.11-venv", "cage", "xwayland", "fonts-noto-cjk", "espeak-ng"} <= depends
    assert {"libzinnia0", "tegaki-zinnia-simplified-chinese"} <= depends  # the handwriting engine and its model
    triggers = (TERMINAL / "triggers").read_text(encoding="utf-8")
    assert "interest-noawait /usr/lib/python3.11" in triggers  # a Python upgrade rebuilds the environment


@pytest.mark.parametrize("script", ["postinst", "prerm", "postrm"])
@pytest.mark.parametrize("part", ["terminal", "central"])
def test_maintainer_scripts_stop_on_errors_and_know_their_arguments(part: str, script: str) -> None:
    text = (PACKAGING / part / script).read_text(encoding="utf-8")
    assert text.startswith("#!/bin/sh\n")
    assert "\nset -e\n" in text
    if script == "postinst":
        assert "configure)" in text and "triggered)" in text
    if script == "postrm" and part == "terminal":
        assert "never reached the platform" in text  # purge says what is unsent before deleting it


def test_an_assisted_computer_gets_no_kiosk_session(tmp_path: Path) -> None:
    service = unit(TERMINAL / "hall-kiosk.service")["Service"]
    assert service["ExecCondition"] == ["/usr/lib/hall-kiosk/kiosk-mode /etc/hall-kiosk/config.toml"]
    condition = TERMINAL / "kiosk-mode"
    kiosk = tmp_path / "kiosk.toml"
    kiosk.write_text((TERMINAL / "config.toml").read_text(encoding="utf-8"), encoding="utf-8")
    assisted = tmp_path / "assisted.toml"
    assisted.write_text(kiosk.read_text(encoding="utf-8").replace('mode = "kiosk"', 'mode = "assisted"'), "utf-8")
    assert parse_config(assisted.read_text(encoding="utf-8")).terminal.mode == "assisted"
    assert subprocess.run([str(condition), str(kiosk)], check=False).returncode == 0
    assert subprocess.run([str(condition), str(assisted)], capture_output=True, check=False).returncode == 1
