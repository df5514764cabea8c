"""A terminal's queue carried on a removable drive is imported like POSTs and answered with a signed receipt."""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from central.importer import ExportFolderError, import_export, verify_receipt
from central.keys import PlatformKeys


def _export(folder: Path, terminal: Any, deliveries: list[Any]) -> Path:
    """Write the export format of docs/protocol.md, as ``kiosk queue export`` does."""
    folder.mkdir(parents=True, exist_ok=True)
    entries, blobs = [], {}
    for delivery in deliveries:
        data = json.dumps(delivery.body, ensure_ascii=False).encode()
        (folder / f"{delivery.id}.json").write_bytes(data)
        entries.append({"id": delivery.id, "sha256": hashlib.sha256(data).hexdigest()})
        for sealed in delivery.attachments:
            blobs[hashlib.sha256(sealed).hexdigest()] = sealed
    for sha, sealed in blobs.items():
        (folder / f"{sha}.bin").write_bytes(sealed)
    manifest = {
        "protocol": "hall-kiosk/1",
        "kind": "export_manifest",
        "terminal_id": terminal.terminal_id,
        "exported_at": "2026-11-22T10:00:00+00:00",
        "submissions": entries,
        "attachments": [{"sha256": sha} for sha in blobs],
    }
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


def _engine(db_url: str) -> Any:
    from central.db import open_engine

    return open_engine(db_url)


def test_import_accepts_the_drive_and_writes_a_verifiable_receipt(
    tmp_path: Path, terminal: Any, db_url: str, platform_keys: PlatformKeys
) -> None:
    deliveries = [terminal.seal(attachments=[b"scan %d" % i * 500]) for i in range(3)] + [terminal.seal()]
    folder = _export(tmp_path / "drive", terminal, deliveries)
    engine = _engine(db_url)
    try:
        report = import_export(folder, engine, platform_keys)
    finally:
        engine.dispose()
    assert (report.accepted, report.rejected) == (4, 0)
    assert report.receipt_path.parent == folder
    assert report.receipt_path.name.startswith(f"receipt-{terminal.terminal_id}-")
    receipt = json.loads(report.receipt_path.read_text(encoding="utf-8"))
    assert [item["id"] for item in receipt["items"]] == [d.id for d in deliveries]
    assert verify_receipt(receipt, platform_keys.signing_public)
    forged = {**receipt, "items": [{**receipt["items"][0], "case_no": "SB0"}]}
    assert not verify_receipt(forged, platform_keys.signing_public)
    assert not verify_receipt(receipt, PlatformKeys.generate().signing_public)

    # The same submission arriving later over the network is the same case, replayed.
    online = terminal.post(deliveries[0].body)
    assert online.status_code == 201
    assert online.headers["Idempotent-Replayed"] == "true"
    assert online.json()["case_no"] == receipt["items"][0]["case_no"]


def test_importing_a_drive_twice_gives_the_same_case_numbers(
    tmp_path: Path, terminal: Any, db_url: str, platform_keys: PlatformKeys, rows: Any
) -> None:
    deliveries = [terminal.seal() for _ in range(2)]
    folder = _export(tmp_path / "drive", terminal, deliveries)
    engine = _engine(db_url)
    try:
        first = json.loads(import_export(folder, engine, platform_keys).receipt_path.read_text(encoding="utf-8"))
        for old in folder.glob("receipt-*.json"):
            old.unlink()
        second = json.loads(import_export(folder, engine, platform_keys).receipt_path.read_text(encoding="utf-8"))
    finally:
        engine.dispose()
    assert first["items"] == second["items"]
    assert rows("submissions", "terminal_id = :t", t=terminal.terminal_id) == 2


def test_a_bad_item_is_listed_as_rejected_and_left_out_of_the_signed_list(
    tmp_path: Path, terminal: Any, db_url: str, platform_keys: PlatformKeys
) -> None:
    good, bad = terminal.seal(), terminal.seal()
    bad.body["sealed"]["ciphertext"] = bad.body["sealed"]["ciphertext"][::-1]
    folder = _export(tmp_path / "drive", terminal, [good, bad])
    engine = _engine(db_url)
    try:
        report = import_export(folder, engine, platform_keys)
    finally:
        engine.dispose()
    receipt = json.loads(report.receipt_path.read_text(encoding="utf-8"))
    assert [i["id"] for i in receipt["items"]] == [good.id]
    assert [(r["id"], r["status"]) for r in receipt["rejected"]] == [(bad.id, 422)]


def test_a_file_damaged_on_the_drive_stops_the_import_with_its_name(
    tmp_path: Path, terminal: Any, db_url: str, platform_keys: PlatformKeys
) -> None:
    delivery = terminal.seal()
    folder = _export(tmp_path / "drive", terminal, [delivery])
    (folder / f"{delivery.id}.json").write_bytes(b'{"truncated": ')
    engine = _engine(db_url)
    try:
        with pytest.raises(ExportFolderError, match=delivery.id):
            import_export(folder, engine, platform_keys)
    finally:
        engine.dispose()
    assert not list(folder.glob("receipt-*.json"))


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "central.cli", *args], capture_output=True, text=True, timeout=120, check=False
    )


def test_the_command_line_keygen_enroll_and_import(tmp_path: Path, terminal: Any, db_url: str) -> None:
    key_file = tmp_path / "platform-keys.json"
    made = _cli("keygen", "--out", str(key_file))
    assert made.returncode == 0, made.stderr
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert _cli("keygen", "--out", str(key_file)).returncode != 0  # never silently replaced

    token = _cli("enroll", "T-CLI", "--db", db_url)
    assert token.returncode == 0, token.stderr
    assert len(token.stdout.strip()) > 30

    keys = PlatformKeys.load(key_file)
    from offline_cache.wire.sealing import Sealer

    delivery = terminal.seal()
    blob, _ = Sealer(keys.seal.public_key()).seal(delivery.id, b'{"matter": "sealed to the file keys"}', [])
    delivery.body["sealed"] = {
        "alg": blob.alg,
        **{
            name: base64.b64encode(getattr(blob, name)).decode()
            for name in ("epk", "wrapped_key", "nonce", "ciphertext")
        },
    }
    folder = _export(tmp_path / "drive", terminal, [delivery])
    imported = _cli("import", str(folder), "--db", db_url, "--keys", str(key_file))
    assert imported.returncode == 0, imported.stderr
    assert "1 accepted, 0 rejected" in imported.stdout
    (receipt_path,) = folder.glob("receipt-*.json")
    assert verify_receipt(json.loads(receipt_path.read_text(encoding="utf-8")), keys.signing_public)


def test_bad_command_lines_give_one_readable_line(tmp_path: Path) -> None:
    for args in (
        ("serve", "--db", "mysql://nowhere/x", "--port", "0"),
        ("import", str(tmp_path / "absent"), "--db", f"sqlite:///{tmp_path / 'x.db'}", "--keys", "k.json"),
        ("enroll",),
        ("serve", "--db", f"sqlite:///{tmp_path / 'x.db'}", "--keys", str(tmp_path / "none.json")),
    ):
        result = _cli(*args)
        assert result.returncode != 0
        assert "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) <= 2, result.stderr
