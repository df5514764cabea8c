"""Fuzzing the audit append (``POST /api/v1/audit:append``) from a terminal whose log the platform already holds:
one field of an honest append replaced by anything, or one byte of an entry, the checkpoint or a proof hash
changed. The platform answers below 500 with a readable refusal, never cosigns what does not extend its tree, and
its copy stays whole."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from fuzzing import FUZZ, readable
from hypothesis import given
from hypothesis import strategies as st

from central.audit import AuditBook
from central.db import open_engine
from central.keys import PlatformKeys
from central.runner import RunningCentral, start_central
from kiosk.hall.audit_upload import build_append
from kiosk.records.audit import KIOSK, AuditAction, AuditLog
from offline_cache.wire.merkle import MerkleTree, leaf_hash
from offline_cache.wire.protocol import PATH_AUDIT_APPEND, PROTOCOL

pytestmark = pytest.mark.fuzz

TERMINAL = "T-0001"
JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=5),
    max_leaves=20,
)


class Setup:
    def __init__(self, folder: Path) -> None:
        self.keys = PlatformKeys.generate()
        self.db_url = f"sqlite:///{folder / 'central.db'}"
        self.central: RunningCentral = start_central(self.db_url, keys=self.keys)
        self.token = self.central.enroll(TERMINAL)
        self.session = requests.Session()
        self.log = AuditLog(folder / "audit.sqlite3", folder / "audit-key", TERMINAL, checkpoint_every=4)
        self.log.record(AuditAction.KIOSK_START, KIOSK)
        for k in range(5):
            self.log.record(AuditAction.CASE_EDITED, "S0001", case=f"C-{k}")
        first = build_append(self.log, None, max_entries=4)
        assert first is not None
        assert self.post(json.dumps(first.to_json()).encode()).status_code == 201
        for k in range(7):
            self.log.record(AuditAction.CASE_EDITED, "S0002", case=f"D-{k}")
        # The honest next append: from the 4 entries cosigned to the head.
        honest = build_append(self.log, None, max_entries=None, max_bytes=None)
        assert honest is not None
        tree = MerkleTree(leaf_hash(e) for e in self.log.entries())
        self.size = tree.size
        self.honest: dict[str, Any] = {
            **honest.to_json(),
            "from_size": 4,
            "entries": honest.to_json()["entries"][4:],
            "consistency": [base64.b64encode(h).decode() for h in tree.consistency_proof(4, tree.size)],
        }

    def post(self, body: bytes) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        return self.session.post(self.central.url + PATH_AUDIT_APPEND, data=body, headers=headers, timeout=60)

    def close(self) -> None:
        self.session.close()
        self.log.close()
        self.central.stop()


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    made = Setup(tmp_path_factory.mktemp("fuzz-audit"))
    try:
        yield made
    finally:
        made.close()


def _flip(text: str, at: int) -> str:
    raw = bytearray(base64.b64decode(text))
    if raw:
        raw[at % len(raw)] ^= 0x01
    return base64.b64encode(bytes(raw)).decode()


@st.composite
def _mutated(draw: Any, honest: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(json.dumps(honest))
    how = draw(st.integers(0, 3))
    if how == 0:
        body[draw(st.sampled_from(sorted(body)))] = draw(JSON)
    elif how == 1:
        index = draw(st.integers(0, len(body["entries"]) - 1))
        body["entries"][index] = _flip(body["entries"][index], draw(st.integers(0, 10_000)))
    elif how == 2 and body["consistency"]:
        index = draw(st.integers(0, len(body["consistency"]) - 1))
        body["consistency"][index] = _flip(body["consistency"][index], draw(st.integers(0, 31)))
    else:
        at = draw(st.integers(0, len(body["checkpoint"]) - 1))
        body["checkpoint"] = body["checkpoint"][:at] + draw(st.text(max_size=3)) + body["checkpoint"][at + 1 :]
    return body


@FUZZ
@given(data=st.data())
def test_a_changed_append_is_refused_readably_and_the_platform_copy_stays_whole(setup: Setup, data: Any) -> None:
    body = data.draw(_mutated(setup.honest))
    answer = setup.post(json.dumps(body).encode())
    assert answer.status_code < 500, answer.text[:500]
    if answer.status_code >= 400:
        error = answer.json()
        assert error["protocol"] == PROTOCOL and readable(error["error"]["message"]), error
    else:
        # Only what still extends the cosigned tree with the log's own entries is cosigned (a field the check
        # does not read, changed).
        assert answer.status_code == 201
    book = AuditBook(open_engine(setup.db_url, create_schema=False), setup.keys)
    try:
        report = book.verify(TERMINAL)
    finally:
        book.engine.dispose()
    assert report.whole, report.problems
    assert report.entries in (4, setup.size)


def test_the_honest_append_is_cosigned(setup: Setup) -> None:
    answer = setup.post(json.dumps(setup.honest).encode())
    assert answer.status_code == 201 and answer.json()["size"] == setup.size
