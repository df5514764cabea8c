"""A real central platform on loopback for the outbox tests: SQLite always, PostgreSQL when
``KIOSK_TEST_PG_URL`` names a server (its tables are dropped and made again for each test)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# The test modules here import their helpers (fault proxy, platform handle) by plain module name.
sys.path.insert(0, str(Path(__file__).parent))

from offline_cache_support import QUICK, TERMINAL, Platform, db_params, fresh_db_url

from central.keys import PlatformKeys
from central.runner import start_central
from offline_cache.courier import PlatformLink
from offline_cache.store import Outbox
from offline_cache.sync import SyncEngine, SyncSettings


@pytest.fixture(params=db_params())
def platform(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Platform]:
    db_url = fresh_db_url(request.param, tmp_path)
    keys = PlatformKeys.generate()
    central = start_central(db_url, keys=keys, max_attachment_bytes=2 * 1024 * 1024)
    try:
        yield Platform(central, db_url, keys, central.enroll(TERMINAL))
    finally:
        central.stop()


@pytest.fixture
def outbox(platform: Platform, tmp_path: Path) -> Iterator[Outbox]:
    box = Outbox(tmp_path / "outbox", terminal_id=TERMINAL, sealer=platform.sealer())
    yield box
    box.close()


@pytest.fixture
def make_engine(tmp_path: Path) -> Iterator[object]:
    engines: list[SyncEngine] = []

    def make(link: PlatformLink, settings: SyncSettings = QUICK) -> SyncEngine:
        engine = SyncEngine(tmp_path / "outbox", link, settings)
        engines.append(engine)
        return engine

    yield make
    for engine in engines:
        engine.stop()
