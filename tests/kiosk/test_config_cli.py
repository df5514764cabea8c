"""Config and command line: a bad file or argument is one readable line and a non-zero exit, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.cli.main import main
from kiosk.config import Config, ConfigError, load_config, parse_config


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kiosk.cli.main", *args], capture_output=True, text=True, timeout=120, check=False
    )


def test_defaults_are_the_demo() -> None:
    config = Config()
    assert config.is_demo
    assert config.devices.id_reader.connection == "sim://"


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("[timeouts]\nidle_seconds = 3\n", "timeouts.idle_seconds"),
        ("[ui]\ntheme = 'purple'\n", "ui.theme"),
        ("[devices.printer]\npaper_width_mm = 70\n", "devices.printer.paper_width_mm"),
        ("[platform]\nurl = 'ftp://x'\n", "platform.url"),
        ("[terminal]\nidd = 'x'\n", "terminal.idd"),
        ("[ui\n", "not valid TOML"),
    ],
)
def test_a_bad_value_names_its_key(text: str, names: str) -> None:
    with pytest.raises(ConfigError, match=names.replace(".", r"\.")):
        parse_config(text, "kiosk.toml")


def test_bad_config_file_exits_non_zero_with_one_readable_line(tmp_path: Path) -> None:
    bad = tmp_path / "kiosk.toml"
    bad.write_text("[timeouts]\nwarning_seconds = 5\n", encoding="utf-8")
    result = run_cli("--config", str(bad), "queue", "status")
    assert result.returncode == 2
    assert "timeouts.warning_seconds" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_missing_config_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "absent.toml")


def test_bad_argument_exits_2_without_traceback() -> None:
    result = run_cli("run", "--mode", "tablet")
    assert result.returncode == 2
    assert "tablet" in result.stderr
    assert "Traceback" not in result.stderr


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert "hall-kiosk" in capsys.readouterr().out
