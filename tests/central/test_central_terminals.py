"""Catalog with ETag, platform keys, enrollment, heartbeats with alerts, and ratings (好差评)."""

from __future__ import annotations

import base64
import json
import uuid
from pathlib import Path
from typing import Any

import requests

from central.runner import start_central
from offline_cache.wire.protocol import (
    PATH_CATALOG,
    PATH_ENROLL,
    PATH_HEARTBEAT,
    PATH_PLATFORM_KEYS,
    PATH_RATINGS,
    is_envelope,
)


def test_catalog_etag_gives_304_when_unchanged(terminal: Any) -> None:
    first = terminal.session.get(terminal.url(PATH_CATALOG), headers=terminal.headers, timeout=10)
    assert first.status_code == 200
    assert "version" in first.json()
    etag = first.headers["ETag"]
    assert etag.startswith('"')  # strong: no W/ prefix
    again = terminal.session.get(
        terminal.url(PATH_CATALOG), headers={**terminal.headers, "If-None-Match": etag}, timeout=10
    )
    assert again.status_code == 304
    assert again.content == b""
    stale = terminal.session.get(
        terminal.url(PATH_CATALOG), headers={**terminal.headers, "If-None-Match": '"old"'}, timeout=10
    )
    assert stale.status_code == 200
    assert requests.get(terminal.url(PATH_CATALOG), timeout=10).status_code == 401


def test_an_edited_catalog_file_gets_a_new_etag(tmp_path: Path, db_url: str) -> None:
    catalog = tmp_path / "catalog.json"
    catalog.write_text(json.dumps({"version": "1", "services": [], "notices": []}), encoding="utf-8")
    with start_central(db_url, catalog=catalog) as central:
        headers = {"Authorization": f"Bearer {central.enroll('T-1')}"}
        first = requests.get(central.url + PATH_CATALOG, headers=headers, timeout=10)
        catalog.write_text(json.dumps({"version": "2", "services": [], "notices": []}), encoding="utf-8")
        second = requests.get(
            central.url + PATH_CATALOG, headers={**headers, "If-None-Match": first.headers["ETag"]}, timeout=10
        )
        assert second.status_code == 200
        assert second.json()["version"] == "2"
        assert second.headers["ETag"] != first.headers["ETag"]


def test_platform_keys_need_no_token_and_match_the_running_platform(central: Any) -> None:
    answer = requests.get(central.url + PATH_PLATFORM_KEYS, timeout=10)
    assert answer.status_code == 200
    body = answer.json()
    assert is_envelope(body, "platform_keys")
    assert base64.b64decode(body["seal_public_key"]) == central.public_key
    assert base64.b64decode(body["signing_public_key"]) == central.signing_public_key


def test_enrollment_needs_the_admin_token_and_issues_a_working_token(central: Any) -> None:
    refused = requests.post(central.url + PATH_ENROLL, json={"terminal_id": "K-7"}, timeout=10)
    assert refused.status_code == 401
    answer = requests.post(
        central.url + PATH_ENROLL,
        json={"terminal_id": "K-7"},
        headers={"Authorization": f"Bearer {central.admin_token}"},
        timeout=10,
    )
    assert answer.status_code == 201
    assert is_envelope(answer.json(), "enrollment")
    token = answer.json()["token"]
    catalog = requests.get(central.url + PATH_CATALOG, headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert catalog.status_code == 200


def test_heartbeat_stores_health_and_alerts_and_answers_with_config(terminal: Any, central: Any) -> None:
    report = {
        "queue_depth": 12,
        "devices": {"printer": {"status": "degraded", "reason": "paper low"}},
        "alerts": [{"kind": "call_staff", "message": "citizen asks for help", "raised_at": "2026-11-22T09:00:00Z"}],
        "app_version": "0.1.0",
    }
    path = PATH_HEARTBEAT.format(terminal_id=terminal.terminal_id)
    answer = terminal.session.post(terminal.url(path), json=report, headers=terminal.headers, timeout=10)
    assert answer.status_code == 200
    body = answer.json()
    assert is_envelope(body, "heartbeat_reply")
    assert body["config"]["heartbeat_interval_s"] > 0
    assert isinstance(body["notices"], list)
    registry = central._platform.terminals
    assert registry.last_heartbeat(terminal.terminal_id)["queue_depth"] == 12
    assert [a["kind"] for a in registry.alerts_of(terminal.terminal_id)] == ["call_staff"]
    other = terminal.session.post(
        terminal.url(PATH_HEARTBEAT.format(terminal_id="T-other")), json=report, headers=terminal.headers
    )
    assert other.status_code == 403


def test_a_rating_is_stored_once_per_key(terminal: Any, rows: Any) -> None:
    case_no = terminal.post(terminal.seal().body).json()["case_no"]
    rating = {
        "case_no": case_no,
        "service_code": "GLJT-01",
        "level": 5,
        "reason": None,
        "channel": "kiosk",
        "terminal_id": terminal.terminal_id,
        "region_code": "110101",
        "rated_at": "2026-11-22T09:05:00+00:00",
        "rater_masked": "张*丰",
    }
    key = str(uuid.uuid4())
    headers = {**terminal.headers, "Idempotency-Key": key}
    first = terminal.session.post(terminal.url(PATH_RATINGS), json=rating, headers=headers, timeout=10)
    second = terminal.session.post(terminal.url(PATH_RATINGS), json=rating, headers=headers, timeout=10)
    assert first.status_code == second.status_code == 201
    assert is_envelope(first.json(), "rating_receipt")
    assert second.json() == first.json()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert rows("ratings", "id = :id", id=key) == 1
    changed = terminal.session.post(terminal.url(PATH_RATINGS), json={**rating, "level": 1}, headers=headers)
    assert changed.status_code == 409
    out_of_range = terminal.session.post(
        terminal.url(PATH_RATINGS), json={**rating, "level": 6}, headers={**headers, "Idempotency-Key": "k2"}
    )
    assert out_of_range.status_code == 422


def test_errors_are_protocol_json_never_html(central: Any) -> None:
    for method, path in (("GET", "/"), ("GET", "/api/v1/nothing"), ("DELETE", PATH_PLATFORM_KEYS)):
        answer = requests.request(method, central.url + path, timeout=10)
        assert answer.status_code in (404, 405)
        assert answer.headers["content-type"].startswith("application/json")
        assert answer.json()["protocol"] == "hall-kiosk/1"
