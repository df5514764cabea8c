"""Fixtures: the console on a real platform on loopback (tests/central/console/support.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.central.console.support import ConsoleSite, start_site


@pytest.fixture
def site(db_url: str) -> Iterator[ConsoleSite]:
    running = start_site(db_url)
    try:
        yield running
    finally:
        running.central.stop()


@pytest.fixture
def sqlite_site(tmp_path: Path) -> Iterator[ConsoleSite]:
    running = start_site(f"sqlite:///{tmp_path / 'console.db'}")
    try:
        yield running
    finally:
        running.central.stop()
