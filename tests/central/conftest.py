"""A real central platform on loopback per test, on SQLite and (when ``KIOSK_TEST_PG_URL`` is set) PostgreSQL.

On PostgreSQL each test gets a fresh schema (``search_path`` in the URL), dropped afterwards, so tests never
see each other's rows. Terminals here are real HTTP clients (requests) that seal with the production sealer.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import requests
import uuid_utils
from sqlalchemy import create_engine, text

from central.keys import PlatformKeys
from central.runner import RunningCentral, start_central
from offline_cache.wire.protocol import PATH_ATTACHMENT, PATH_SUBMISSIONS
from offline_cache.wire.sealing import Sealer, load_public_key
from offline_cache.wire.submission_body import sealed_json

PG_ENV = "KIOSK_TEST_PG_URL"


def _pg_schema_url(base: str) -> Iterator[str]:
    schema = "central_test_" + uuid.uuid4().hex[:12]
    admin = create_engine(base.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'central.db'}"
        return
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"PostgreSQL run skipped: set {PG_ENV} (installer/setup.sh start_test_postgres does)")
    yield from _pg_schema_url(base)


@pytest.fixture
def platform_keys() -> PlatformKeys:
    return PlatformKeys.generate()


@pytest.fixture
def central(db_url: str, platform_keys: PlatformKeys) -> Iterator[RunningCentral]:
    running = start_central(db_url, keys=platform_keys, max_attachment_bytes=2 * 1024 * 1024)
    try:
        yield running
    finally:
        running.stop()


#: What a citizen typed: it must reach the platform sealed and never appear in a server log.
APPLICANT = {"name": "张三丰", "id_number": "110101194001011234", "phone": "13800138000"}


@dataclass
class Delivery:
    """One sealed submission ready to send: its POST body and the sealed attachment bytes."""

    body: dict[str, Any]
    attachments: list[bytes] = field(default_factory=list)

    @property
    def id(self) -> str:
        return str(self.body["id"])


@dataclass
class Terminal:
    """A terminal speaking the protocol over real HTTP to the platform under test."""

    central: RunningCentral
    terminal_id: str
    token: str
    session: requests.Session = field(default_factory=requests.Session)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def url(self, path: str) -> str:
        return self.central.url + path

    def seal(self, attachments: list[bytes] | None = None, service_code: str = "GLJT-01") -> Delivery:
        sid = str(uuid_utils.uuid7())
        payload = json.dumps({"service_code": service_code, "applicant": APPLICANT}, ensure_ascii=False).encode()
        blob, sealed = Sealer(load_public_key(self.central.public_key)).seal(sid, payload, attachments or [])
        now = "2026-11-22T08:30:00+00:00"
        body = {
            "id": sid,
            "terminal_id": self.terminal_id,
            "service_code": service_code,
            "created_at": now,
            "summary": {
                "service_code": service_code,
                "service_name": "高龄津贴申请",
                "applicant_masked": "张*丰",
                "created_at": now,
            },
            "sealed": sealed_json(blob),
            "attachments": [
                {"sha256": hashlib.sha256(s).hexdigest(), "size": len(s), "media_type": "image/jpeg"} for s in sealed
            ],
        }
        return Delivery(body, sealed)

    def post(self, body: dict[str, Any], key: str | None = None) -> requests.Response:
        headers = {**self.headers, "Idempotency-Key": key or str(body["id"])}
        return self.session.post(self.url(PATH_SUBMISSIONS), json=body, headers=headers, timeout=30)

    def put(self, data: bytes, offset: int, total: int, sha256: str) -> requests.Response:
        headers = {**self.headers, "Upload-Offset": str(offset), "Upload-Length": str(total)}
        return self.session.put(self.url(PATH_ATTACHMENT.format(sha256=sha256)), data=data, headers=headers, timeout=30)

    def upload(self, sealed: bytes) -> requests.Response:
        return self.put(sealed, 0, len(sealed), hashlib.sha256(sealed).hexdigest())

    def deliver(self, delivery: Delivery) -> requests.Response:
        for sealed in delivery.attachments:
            assert self.upload(sealed).status_code == 201
        return self.post(delivery.body)


@pytest.fixture
def terminal(central: RunningCentral) -> Iterator[Terminal]:
    term = Terminal(central, "T-0001", central.enroll("T-0001"))
    yield term
    term.session.close()


def count_rows(db_url: str, table: str, where: str, **params: Any) -> int:
    """Count rows straight in the platform's database (what a back-office query would see)."""
    from central.db import open_engine

    engine = open_engine(db_url, create_schema=False)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text(f"SELECT COUNT(*) FROM {table} WHERE {where}"), params).scalar_one())
    finally:
        engine.dispose()


@pytest.fixture
def rows(db_url: str) -> Any:
    """``rows(table, where, **params)``: a row count straight from the platform's database."""
    return lambda table, where, **params: count_rows(db_url, table, where, **params)


@pytest.fixture
def applicant() -> dict[str, str]:
    return dict(APPLICANT)
