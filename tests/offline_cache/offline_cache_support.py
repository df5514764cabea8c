"""Shared by the outbox tests: the platform handle, the quick retry settings, a sample summary."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from central.db import normalise_url
from central.keys import PlatformKeys
from central.runner import RunningCentral
from central.schema import metadata, submissions
from offline_cache.backoff import Backoff
from offline_cache.courier import PlatformLink
from offline_cache.sync import SyncSettings
from offline_cache.wire.protocol import SubmissionSummary
from offline_cache.wire.sealing import Sealer, load_public_key

TERMINAL = "T-0001"
PG_URL = os.environ.get("KIOSK_TEST_PG_URL", "")
SUMMARY = SubmissionSummary("GA-001", "居民身份证换领", "张*三", "2026-11-22T08:00:00+00:00")
#: Retries come back within a fraction of a second in tests (the real default waits up to minutes).
QUICK = SyncSettings(workers=4, interval=0.5, probe_interval=0.1, backoff=Backoff(base=0.01, cap=0.05))


def db_params() -> list[object]:
    pg = pytest.param("postgres", marks=[pytest.mark.postgres])
    if not PG_URL:
        pg = pytest.param(
            "postgres", marks=[pytest.mark.postgres, pytest.mark.skip(reason="KIOSK_TEST_PG_URL not set")]
        )
    return ["sqlite", pg]


@dataclass
class Platform:
    """The running platform, its database URL and keys, and this terminal's enrollment."""

    central: RunningCentral
    db_url: str
    keys: PlatformKeys
    token: str

    def link(self, url: str | None = None, read_timeout: float = 10.0) -> PlatformLink:
        return PlatformLink(url or self.central.url, self.token, TERMINAL, read_timeout=read_timeout)

    def sealer(self) -> Sealer:
        return Sealer(load_public_key(self.central.public_key))

    def copies(self, submission_id: str) -> int:
        """How many records of this submission the platform's database holds."""
        engine = create_engine(normalise_url(self.db_url))
        try:
            with engine.connect() as conn:
                return int(
                    conn.execute(
                        select(func.count()).select_from(submissions).where(submissions.c.id == submission_id)
                    ).scalar_one()
                )
        finally:
            engine.dispose()

    def total(self) -> int:
        engine = create_engine(normalise_url(self.db_url))
        try:
            with engine.connect() as conn:
                return int(conn.execute(select(func.count()).select_from(submissions)).scalar_one())
        finally:
            engine.dispose()


def fresh_db_url(kind: str, tmp_path: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'central.sqlite3'}"
    engine = create_engine(normalise_url(PG_URL))
    metadata.drop_all(engine)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()
    return PG_URL
