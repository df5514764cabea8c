"""The platform's database goes away (PostgreSQL restarted, failing over, refusing connections): every request
gets 503 with ``Retry-After``, nothing half-stored; when it is back the same submission is accepted once.

PostgreSQL only: a private database is created for the test, then its connections are cut and refused for
real (``ALLOW_CONNECTIONS false`` + ``pg_terminate_backend``), which is what a restart looks like to the platform.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from offline_cache.wire.protocol import PATH_CATALOG

PG_ENV = "KIOSK_TEST_PG_URL"
pytestmark = pytest.mark.skipif(not os.environ.get(PG_ENV), reason=f"needs PostgreSQL: set {PG_ENV}")


class Database:
    """One throw-away PostgreSQL database that the test can take away and bring back."""

    def __init__(self, admin: Engine, name: str, url: str) -> None:
        self.admin, self.name, self.url = admin, name, url

    def take_away(self) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{self.name}" ALLOW_CONNECTIONS false'))
            conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"),
                {"name": self.name},
            )

    def bring_back(self) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{self.name}" ALLOW_CONNECTIONS true'))


@pytest.fixture
def database() -> Iterator[Database]:
    base = os.environ[PG_ENV]
    name = "central_down_" + uuid.uuid4().hex[:10]
    admin = create_engine(base.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    parts = urlsplit(base)
    db = Database(admin, name, urlunsplit(parts._replace(path=f"/{name}")))
    try:
        yield db
    finally:
        db.bring_back()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def db_url(database: Database) -> str:
    """The platform under test (conftest's ``central`` and ``terminal``) runs on the throw-away database."""
    return database.url


def test_requests_get_503_with_retry_after_while_the_database_is_away(
    database: Database, terminal: Any, rows: Any
) -> None:
    delivery = terminal.seal()
    database.take_away()

    answer = terminal.post(delivery.body)
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "5"
    assert answer.json()["error"]["code"] == "database_unavailable"
    catalog = terminal.session.get(terminal.url(PATH_CATALOG), headers=terminal.headers, timeout=30)
    assert catalog.status_code == 503

    database.bring_back()
    first = terminal.post(delivery.body)
    assert first.status_code == 201, first.text
    again = terminal.post(delivery.body)
    assert again.json()["case_no"] == first.json()["case_no"]
    assert rows("submissions", "id = :id", id=delivery.id) == 1
