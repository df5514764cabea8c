"""The committed OpenAPI description is the one the platform's code generates."""

from __future__ import annotations

from pathlib import Path

from central.cli import openapi_json
from offline_cache.wire.protocol import PATH_ATTACHMENT, PATH_SUBMISSIONS, PATH_SUBMISSIONS_BATCH

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def test_docs_openapi_json_is_up_to_date() -> None:
    assert COMMITTED.read_text(encoding="utf-8") == openapi_json(), (
        "docs/openapi.json is stale: run 'kiosk-central openapi > docs/openapi.json'"
    )


def test_openapi_names_every_protocol_path() -> None:
    text = openapi_json()
    for path in (PATH_SUBMISSIONS, PATH_SUBMISSIONS_BATCH, PATH_ATTACHMENT):
        assert f'"{path}"' in text
