"""Fuzzing the removable drive: an export folder the platform imports (manifest, bodies, attachment files) and
the signed receipt file the terminal reads back. Any files give a report or a readable refusal
(:class:`ExportFolderError`, :class:`ReceiptFileError`); a receipt is never half applied."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fuzzing import FUZZ, readable, refusal
from hypothesis import example, given
from hypothesis import strategies as st

from central.db import open_engine
from central.importer import ExportFolderError, import_export
from central.keys import PlatformKeys
from offline_cache.drive import ReceiptFileError, import_receipt
from offline_cache.wire.protocol import canonical_json

pytestmark = pytest.mark.fuzz

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=5),
    max_leaves=20,
)
NAME = st.sampled_from(["a" * 64, "../x", "", "x/y", "0190a5c4-0000-7000-8000-000000000001", "manifest"]) | st.text(
    max_size=20
)


class Place:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.keys = PlatformKeys.generate()
        self.engine = open_engine(f"sqlite:///{root / 'central.db'}")
        self.count = 0

    def folder(self) -> Path:
        self.count += 1
        folder = self.root / f"drive-{self.count}"
        folder.mkdir()
        return folder


@pytest.fixture(scope="module")
def place(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Place]:
    made = Place(tmp_path_factory.mktemp("fuzz-drive"))
    yield made
    made.engine.dispose()


def _write(folder: Path, name: str, data: bytes) -> None:
    if not name or "/" in name or "\\" in name or name in (".", "..") or "\x00" in name:
        return
    with contextlib.suppress(OSError):  # a name this file system refuses: the drive simply does not hold it
        (folder / name).write_bytes(data)


@st.composite
def _drive(draw: Any) -> tuple[bytes, dict[str, bytes]]:
    files: dict[str, bytes] = {}
    entries, blobs = [], []
    for _ in range(draw(st.integers(0, 3))):
        item_id = draw(NAME)
        body = draw(st.binary(max_size=200) | JSON.map(lambda v: json.dumps(v).encode()))
        files[f"{item_id}.json"] = body
        digest = hashlib.sha256(body).hexdigest() if draw(st.integers(0, 4)) else draw(st.text(max_size=64))
        entries.append(draw(st.sampled_from([{"id": item_id, "sha256": digest}, {"id": item_id}])) | {})
    for _ in range(draw(st.integers(0, 2))):
        blob = draw(st.binary(max_size=100))
        sha = hashlib.sha256(blob).hexdigest() if draw(st.integers(0, 4)) else draw(NAME)
        files[f"{sha}.bin"] = blob
        blobs.append({"sha256": sha})
    manifest: Any = {
        "protocol": "hall-kiosk/1",
        "kind": "export_manifest",
        "terminal_id": draw(st.sampled_from(["T-0001", "", "../T"]) | st.text(max_size=10)),
        "submissions": entries,
        "attachments": blobs,
    }
    if draw(st.integers(0, 3)) == 0:
        key = draw(st.sampled_from(sorted(manifest)))
        manifest[key] = draw(JSON)
    raw = json.dumps(manifest).encode() if draw(st.integers(0, 9)) else draw(st.binary(max_size=100))
    return raw, files


@FUZZ
@given(_drive())
def test_any_export_folder_is_imported_or_refused_readably(place: Place, drive: tuple[bytes, dict[str, bytes]]) -> None:
    manifest, files = drive
    folder = place.folder()
    try:
        _write(folder, "manifest.json", manifest)
        for name, data in files.items():
            _write(folder, name, data)
        message = refusal(lambda: import_export(folder, place.engine, place.keys), ExportFolderError)
        assert message is None or readable(message)
        assert (message is None) == any(folder.glob("receipt-*.json"))
    finally:
        shutil.rmtree(folder)


@st.composite
def _receipt(draw: Any, keys: PlatformKeys) -> bytes:
    items = draw(st.lists(st.fixed_dictionaries({"id": NAME, "case_no": st.text(max_size=20)}) | JSON, max_size=4))
    try:
        signature = base64.b64encode(keys.sign(canonical_json(items))).decode()
    except (TypeError, ValueError):
        signature = "AAAA"
    document: Any = {
        "protocol": "hall-kiosk/1",
        "kind": "import_receipt",
        "terminal_id": "T-0001",
        "issued_at": "2026-11-22T10:00:00+00:00",
        "items": items,
        "rejected": draw(st.lists(JSON, max_size=3)),
        "signature": signature if draw(st.integers(0, 5)) else draw(st.text(max_size=20)),
    }
    if draw(st.integers(0, 3)) == 0:
        key = draw(st.sampled_from(sorted(document)))
        document[key] = draw(JSON)
    return json.dumps(document).encode() if draw(st.integers(0, 9)) else draw(st.binary(max_size=200))


@pytest.fixture(scope="module")
def outbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from offline_cache.store import Outbox

    box = Outbox(tmp_path_factory.mktemp("fuzz-outbox"), terminal_id="T-0001")
    yield box
    box.close()


RECEIPT_KEYS = PlatformKeys.generate()


@FUZZ
@example(
    b'{"protocol": "hall-kiosk/1", "kind": "import_receipt", "terminal_id": "T-0001", "items": [], "rejected": true, '
    b'"signature": "' + base64.b64encode(RECEIPT_KEYS.sign(b"[]")) + b'"}'
)  # TypeError before the fix
@given(_receipt(RECEIPT_KEYS))
def test_any_receipt_file_is_applied_or_refused_readably(place: Place, outbox: Any, data: bytes) -> None:
    path = place.root / "receipt.json"
    path.write_bytes(data)
    before = outbox.items(limit=10)
    message = refusal(lambda: import_receipt(outbox, path, RECEIPT_KEYS.signing_public), ReceiptFileError)
    assert message is None or readable(message)
    assert outbox.items(limit=10) == before  # the outbox holds none of the ids a fuzzed receipt names
