"""Test-wide set-up: Qt offscreen, and nothing written outside the test's own temporary folders."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from central.runner import RunningCentral

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _private_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep config, data and caches of every test off the real user folders."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / ".local" / "state"))


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    return path


@pytest.fixture
def keyed_platform(tmp_path: Path) -> Iterator[tuple[RunningCentral, str, Path]]:
    """A platform on loopback with its key file (made by ``kiosk-central keygen``): (running, db URL, key file)."""
    from central.cli import main as central_main
    from central.keys import PlatformKeys
    from central.runner import start_central

    keys_file = tmp_path / "platform-keys.json"
    assert central_main(["keygen", "--out", str(keys_file)]) == 0
    db = f"sqlite:///{tmp_path / 'central.sqlite3'}"
    central = start_central(db, keys=PlatformKeys.load(keys_file))
    try:
        yield central, db, keys_file
    finally:
        central.stop()
