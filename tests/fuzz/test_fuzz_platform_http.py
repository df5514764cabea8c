"""Fuzzing every HTTP route of the platform, in process (the loopback runner over a real SQLite database):
any body, any protocol header, any path parameter gives an answer below 500, and every refusal carries the
protocol's error envelope with a readable message."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import uuid_utils
from fastapi.routing import APIRoute
from fuzzing import FUZZ, readable
from hypothesis import given
from hypothesis import strategies as st

from central.keys import PlatformKeys
from central.routes import router
from central.runner import start_central
from offline_cache.wire.protocol import PROTOCOL
from offline_cache.wire.sealing import Sealer, load_public_key
from offline_cache.wire.submission_body import sealed_json

pytestmark = pytest.mark.fuzz

TERMINAL = "T-0001"


class Hall:
    """The platform under fuzz and the token of its one enrolled terminal."""

    def __init__(self, folder: Path) -> None:
        self.keys = PlatformKeys.generate()
        self.central = start_central(f"sqlite:///{folder / 'central.db'}", keys=self.keys)
        self.token = self.central.enroll(TERMINAL)
        self.session = requests.Session()
        self.routes = sorted(
            (method, route.path) for route in router.routes if isinstance(route, APIRoute) for method in route.methods
        )

    def request(self, method: str, path: str, body: bytes, headers: dict[str, str]) -> requests.Response:
        return self.session.request(method, self.central.url + path, data=body, headers=headers, timeout=60)

    def valid_submission(self) -> dict[str, Any]:
        sid = str(uuid_utils.uuid7())
        blob, _ = Sealer(load_public_key(self.keys.seal_public)).seal(sid, b'{"x": 1}', [], terminal_id=TERMINAL)
        now = "2026-11-22T08:30:00+00:00"
        return {
            "id": sid,
            "terminal_id": TERMINAL,
            "service_code": "GLJT-01",
            "created_at": now,
            "summary": {
                "service_code": "GLJT-01",
                "service_name": "高龄津贴",
                "applicant_masked": "张*",
                "created_at": now,
            },
            "sealed": sealed_json(blob),
            "attachments": [],
        }


@pytest.fixture(scope="module")
def hall(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hall]:
    made = Hall(tmp_path_factory.mktemp("fuzz-central"))
    try:
        yield made
    finally:
        made.session.close()
        made.central.stop()


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=5),
    max_leaves=25,
)
HEADER_TEXT = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40)
NUMBERISH = st.integers(-(2**70), 2**70).map(str) | HEADER_TEXT


@st.composite
def _body(draw: Any, hall: Hall) -> bytes:
    kind = draw(st.integers(0, 5))
    if kind == 0:
        return draw(st.binary(max_size=600))
    if kind == 1:
        return json.dumps(draw(JSON)).encode()
    valid = hall.valid_submission()
    if kind == 2:
        return json.dumps({"submissions": [valid, draw(JSON)]}).encode()
    if kind == 3:
        return len(m := json.dumps(draw(JSON)).encode()).to_bytes(4, "big") + m + draw(st.binary(max_size=40))
    key = draw(st.sampled_from(sorted(valid)))
    valid[key] = draw(JSON)
    return json.dumps(valid).encode()


@st.composite
def _request(draw: Any, hall: Hall) -> tuple[str, str, bytes, dict[str, str]]:
    method, path = draw(st.sampled_from(hall.routes))
    for name in ("sha256", "case_no", "terminal_id"):
        if "{" + name + "}" in path:
            value = draw(st.sampled_from(["a" * 64, TERMINAL, "SB2026112200000001"]) | HEADER_TEXT.filter(bool))
            path = path.replace("{" + name + "}", value.replace("/", "%2F").replace("?", "%3F").replace("#", "%23"))
    headers: dict[str, str] = {"Authorization": f"Bearer {hall.token}"}
    if draw(st.integers(0, 9)) == 0:
        headers["Authorization"] = _header(draw(HEADER_TEXT))
    for name in ("Idempotency-Key", "Upload-Offset", "Upload-Length", "Content-Type", "X-Terminal-Id", "If-None-Match"):
        if draw(st.booleans()):
            headers[name] = _header(draw(NUMBERISH if name.startswith("Upload") else HEADER_TEXT))
    return method, path, draw(_body(hall)), headers


def _header(value: str) -> str:
    """Any text as a header value the client can send (printable ASCII, at most 60 characters)."""
    return "".join(c for c in value if "!" <= c <= "~")[:60] or "x"


def _check(answer: Any, method: str) -> None:
    assert answer.status_code < 500, answer.text[:500]
    if answer.status_code >= 400 and method != "HEAD":
        body = answer.json()
        assert body["protocol"] == PROTOCOL, body
        assert isinstance(body["error"]["code"], str) and readable(body["error"]["message"]), body


@FUZZ
@given(data=st.data())
def test_any_request_to_any_route_is_answered_below_500_with_a_readable_refusal(hall: Hall, data: Any) -> None:
    method, path, body, headers = data.draw(_request(hall))
    answer = hall.request(method, path, body, headers)
    _check(answer, method)


@FUZZ
@given(data=st.data())
def test_any_submission_body_gets_a_receipt_or_a_readable_refusal(hall: Hall, data: Any) -> None:
    valid = hall.valid_submission()
    if data.draw(st.booleans()):
        key = data.draw(st.sampled_from(sorted(valid)))
        valid[key] = data.draw(JSON)
    headers = {
        "Authorization": f"Bearer {hall.token}",
        "Idempotency-Key": _header(str(valid.get("id"))),
    }
    answer = hall.request("POST", "/api/v1/submissions", json.dumps(valid).encode(), headers)
    _check(answer, "POST")
