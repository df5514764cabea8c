"""The catalog cache (ETag, last good copy) and moving the queue on a removable drive; plus what is on disk."""

from __future__ import annotations

import base64
import json
import shutil
from pathlib import Path

import pytest
from offline_cache_support import SUMMARY, TERMINAL, Platform

from central.db import open_engine
from central.importer import import_export
from central.keys import PlatformKeys
from central.runner import start_central
from offline_cache.catalog_cache import CatalogCache, CatalogUnavailableError
from offline_cache.courier import Courier, PlatformLink
from offline_cache.drive import ReceiptFileError, export_unsent, import_receipt
from offline_cache.models import NewAttachment
from offline_cache.store import Outbox
from offline_cache.wire.protocol import PATH_CATALOG, PROTOCOL, canonical_json


def validate(raw: bytes) -> dict[str, object]:
    """What the kiosk checks before a catalog may reach a screen (here: a version and a list of services)."""
    data = json.loads(raw)
    if not isinstance(data, dict) or not isinstance(data.get("services"), list) or not data["services"]:
        raise ValueError("catalog has no services")
    return data


def _catalog(version: str, services: object) -> bytes:
    return json.dumps({"version": version, "services": services}, ensure_ascii=False).encode()


def test_catalog_etag_saves_the_download_and_a_broken_one_never_replaces_the_good(tmp_path: Path) -> None:
    served = tmp_path / "catalog.json"
    served.write_bytes(_catalog("1", [{"code": "GA-001"}]))
    central = start_central(f"sqlite:///{tmp_path / 'c.sqlite3'}", catalog=served)
    courier = Courier(PlatformLink(central.url, central.enroll(TERMINAL), TERMINAL))
    session = courier.session()
    try:
        cache = CatalogCache(tmp_path / "cache" / "catalog.cache.json", validate)
        with pytest.raises(CatalogUnavailableError):
            cache.current()
        assert cache.refresh(session, central.url).result == "updated"
        assert cache.current()["version"] == "1"
        again = session.get(central.url + PATH_CATALOG, headers={"If-None-Match": cache.etag or ""})
        assert again.status_code == 304
        assert cache.refresh(session, central.url).result == "unchanged"

        served.write_bytes(_catalog("2", "not a list"))  # the platform now serves a broken catalog
        refresh = cache.refresh(session, central.url)
        assert refresh.result == "rejected"
        assert cache.current()["version"] == "1"
        reopened = CatalogCache(tmp_path / "cache" / "catalog.cache.json", validate)
        assert reopened.current()["version"] == "1"  # kept on disk across a restart, too

        served.write_bytes(_catalog("3", [{"code": "GA-002"}]))
        assert cache.refresh(session, central.url).result == "updated"
        assert cache.current()["version"] == "3"
    finally:
        central.stop()
    # Offline: the last good catalog still serves the screens.
    offline = CatalogCache(tmp_path / "cache" / "catalog.cache.json", validate)
    assert offline.refresh(session, central.url).result == "failed"
    assert offline.current()["version"] == "3"
    courier.close()


def test_export_import_and_signed_receipt_mark_items_sent(platform: Platform, outbox: Outbox, tmp_path: Path) -> None:
    ids = [outbox.put(b"{}", SUMMARY, [NewAttachment(b"scan %d" % n)]) for n in range(3)]
    drive = tmp_path / "usb"
    result = export_unsent(outbox, drive)
    assert result.submissions == 3
    assert result.attachments == 3
    manifest = json.loads((drive / "manifest.json").read_bytes())
    assert manifest["terminal_id"] == TERMINAL
    assert [entry["id"] for entry in manifest["submissions"]] == ids
    assert (drive / f"{ids[0]}.json").read_bytes() == outbox.sealed_body(ids[0])
    assert all(outbox.item(i).state == "queued" for i in ids)  # not sent until the receipt comes back

    engine = open_engine(platform.db_url)
    report = import_export(drive, engine, platform.keys)
    engine.dispose()
    assert report.accepted == 3

    forged = tmp_path / "forged.json"
    document = json.loads(report.receipt_path.read_bytes())
    document["items"][0]["case_no"] = "SB-FORGED"
    forged.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(ReceiptFileError, match="signature"):
        import_receipt(outbox, forged, platform.central.signing_public_key)
    document["items"][0]["case_no"] = 2**70  # a number no canonical form holds: refused the same way
    forged.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(ReceiptFileError, match="signature"):
        import_receipt(outbox, forged, platform.central.signing_public_key)
    other_key = PlatformKeys.generate().signing_public
    with pytest.raises(ReceiptFileError, match="signature"):
        import_receipt(outbox, report.receipt_path, other_key)
    assert all(outbox.item(i).state == "queued" for i in ids)

    done = import_receipt(outbox, report.receipt_path, platform.central.signing_public_key)
    assert done.marked == 3
    for submission_id in ids:
        item = outbox.item(submission_id)
        assert item.state == "sent"
        assert item.acked_via == "receipt"
        assert item.case_no
        assert platform.copies(submission_id) == 1
    assert import_receipt(outbox, report.receipt_path, platform.central.signing_public_key).already_sent == 3
    assert export_unsent(outbox, tmp_path / "usb2").submissions == 0


def test_a_receipt_signed_for_another_terminal_marks_nothing(
    platform: Platform, outbox: Outbox, tmp_path: Path
) -> None:
    """The file's terminal_id is outside the signature: a real receipt of another terminal, its items naming this
    terminal's ids and the file relabelled, is refused because each signed item names its terminal."""
    ids = [outbox.put(b"{}", SUMMARY) for _ in range(2)]
    items = [
        {"id": i, "terminal_id": "another-terminal", "case_no": f"SB{n}", "received_at": "2026-11-25T08:00:00Z"}
        for n, i in enumerate(ids)
    ]
    document = {
        "protocol": PROTOCOL,
        "kind": "import_receipt",
        "terminal_id": TERMINAL,
        "items": items,
        "signature": base64.b64encode(platform.keys.sign(canonical_json(items))).decode(),
    }
    relabelled = tmp_path / "relabelled.json"
    relabelled.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(ReceiptFileError, match="another-terminal"):
        import_receipt(outbox, relabelled, platform.central.signing_public_key)
    assert all(outbox.item(i).state == "queued" for i in ids)


def test_no_plaintext_name_or_id_number_on_disk(outbox: Outbox, tmp_path: Path) -> None:
    name, id_number, phone = "张三丰", "110101199003071234", "13800138000"
    payload = json.dumps({"name": name, "id_number": id_number, "phone": phone}, ensure_ascii=False).encode()
    scan = f"居民身份证 {name} 公民身份号码 {id_number}".encode()
    for _ in range(5):
        outbox.put(payload, SUMMARY, [NewAttachment(scan, "text/plain")])
    outbox.close()
    needles = [s.encode(enc) for s in (name, id_number, phone) for enc in ("utf-8", "utf-16-le")]
    needles += [json.dumps(name).strip('"').encode()]  # the \\u escaped form
    files = [p for p in outbox.folder.rglob("*") if p.is_file()]
    assert any(p.name.endswith(".bin") for p in files)
    assert any(p.name.endswith("-wal") or p.name.endswith(".sqlite3") for p in files)
    for path in files:
        data = path.read_bytes()
        for needle in needles:
            assert needle not in data, f"{needle!r} in {path.name}"
    shutil.rmtree(outbox.folder)
