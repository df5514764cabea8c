"""Import from a removable drive (离线导入): a terminal's exported queue, processed exactly like POSTs.

The drive holds ``manifest.json``, one ``<id>.json`` per submission (the POST body) and ``<sha256>.bin`` per
attachment (sealed bytes). Every file is checked against the manifest, attachments are stored, each
submission goes through the same intake desk as the network path (so a drive imported twice yields the same
case numbers), and a receipt file signed with the platform's Ed25519 key is written back onto the drive.
The terminal marks items sent only when that receipt verifies.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import Engine

from central.attachments import AttachmentStore
from central.audit import AuditBook
from central.clock import iso, utc_now
from central.intake import IntakeDesk
from central.keys import PlatformKeys
from central.models import TERMINAL_ID_PATTERN
from offline_cache.wire.audit_sync import AuditAppend
from offline_cache.wire.protocol import PROTOCOL, canonical_json, load_json

log = logging.getLogger("central.importer")

MANIFEST = "manifest.json"
#: The terminal's audit append, when the drive carries one (``offline_cache.drive.AUDIT_FILE``).
AUDIT_FILE = "audit.json"


class ExportFolderError(Exception):
    """The export folder cannot be imported; the message names the file and what is wrong with it."""


@dataclass(frozen=True)
class ImportReport:
    """What an import did: the receipt file written, and how many items were accepted or rejected."""

    receipt_path: Path
    accepted: int
    rejected: int


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_bytes())
    except OSError as exc:
        raise ExportFolderError(f"cannot read {path}: {exc.strerror}") from exc
    except ValueError as exc:
        raise ExportFolderError(f"{path} is not JSON: {exc}") from exc


def _verified_bytes(folder: Path, name: str, sha256: str) -> bytes:
    path = folder / name
    if Path(name).name != name:
        raise ExportFolderError(f"manifest names a file outside the folder: {name!r}")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ExportFolderError(
            f"{path} is listed in the manifest but cannot be read: {exc.strerror}"
        ) from exc
    if hashlib.sha256(data).hexdigest() != sha256:
        raise ExportFolderError(f"{path} does not match its SHA-256 in the manifest (copied incompletely?)")
    return data


def _manifest(folder: Path) -> tuple[str, list[dict[str, Any]], list[dict[str, Any]]]:
    manifest = _read_json(folder / MANIFEST)
    if not isinstance(manifest, dict) or manifest.get("kind") != "export_manifest":
        raise ExportFolderError(f"{folder / MANIFEST} is not a terminal export manifest")
    terminal_id = manifest.get("terminal_id")
    items = manifest.get("submissions", [])
    files = manifest.get("attachments", [])
    if not isinstance(terminal_id, str) or not re.fullmatch(TERMINAL_ID_PATTERN, terminal_id):
        raise ExportFolderError(f"{folder / MANIFEST} names no valid terminal_id")
    if not isinstance(items, list) or not isinstance(files, list):
        raise ExportFolderError(f"{folder / MANIFEST}: 'submissions' and 'attachments' must be lists")
    for entry in (*items, *files):
        if not isinstance(entry, dict) or not isinstance(entry.get("sha256"), str):
            raise ExportFolderError(f"{folder / MANIFEST}: every entry needs a 'sha256'")
    return terminal_id, items, files


def import_export(folder: Path, engine: Engine, keys: PlatformKeys) -> ImportReport:
    """Import one export folder and write ``receipt-<terminal>-<timestamp>.json`` into it."""
    terminal_id, items, files = _manifest(folder)
    store = AttachmentStore(engine)
    for entry in files:
        sha = entry["sha256"]
        if not store.store_whole(sha, _verified_bytes(folder, f"{sha}.bin", sha)):
            raise ExportFolderError(f"{folder / (sha + '.bin')} does not hash to its name")
    bodies = []
    for entry in items:
        item_id = str(entry.get("id", ""))
        body = _verified_bytes(folder, f"{item_id}.json", entry["sha256"])
        try:
            bodies.append(json.loads(body))
        except ValueError as exc:
            raise ExportFolderError(f"{folder / (item_id + '.json')} is not JSON: {exc}") from exc
    accepted: list[dict[str, Any]] = []
    rejected: list[dict[str, Any]] = []
    for item_id, answer in IntakeDesk(engine, keys).accept_many(bodies, terminal_id=terminal_id):
        if answer.status == 201:
            # The terminal is in each signed item: a key is (terminal, id), and the file's own terminal_id is
            # outside the signature.
            accepted.append(
                {
                    "id": item_id,
                    "terminal_id": terminal_id,
                    "case_no": answer.body["case_no"],
                    "received_at": answer.body["received_at"],
                }
            )
        else:
            message = str(answer.body.get("error", {}).get("message", ""))
            rejected.append({"id": item_id, "status": answer.status, "message": message})
    audit = import_audit(folder, engine, keys, terminal_id)
    now = utc_now()
    receipt = {
        "protocol": PROTOCOL,
        "kind": "import_receipt",
        "terminal_id": terminal_id,
        "issued_at": iso(now),
        "items": accepted,
        "rejected": rejected,
        "signing_public_key": base64.b64encode(keys.signing_public).decode(),
        "signature": base64.b64encode(keys.sign(canonical_json(accepted))).decode(),
        # Outside the signature: a cosigned checkpoint carries its own (docs/audit.md).
        **({"audit": audit} if audit is not None else {}),
    }
    path = folder / f"receipt-{terminal_id}-{now:%Y%m%dT%H%M%SZ}.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(receipt, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)
    log.info("import from terminal %s: %d accepted, %d rejected", terminal_id, len(accepted), len(rejected))
    return ImportReport(path, len(accepted), len(rejected))


def import_audit(folder: Path, engine: Engine, keys: PlatformKeys, terminal_id: str) -> dict[str, Any] | None:
    """The drive's audit append (``audit.json``), through the same checks as a sync: what the receipt says of it
    (the cosigned checkpoint, or the refusal; a refusal raises the same alarm). None when the drive has none."""
    manifest = _read_json(folder / MANIFEST)
    entry = manifest.get("audit") if isinstance(manifest, dict) else None
    if entry is None:
        return None
    if not isinstance(entry, dict) or not isinstance(entry.get("sha256"), str):
        raise ExportFolderError(f"{folder / MANIFEST}: 'audit' needs a 'sha256'")
    data = _verified_bytes(folder, AUDIT_FILE, entry["sha256"])
    try:
        upload = AuditAppend.from_json(load_json(data))
    except ValueError as exc:
        raise ExportFolderError(f"{folder / AUDIT_FILE} is not an audit append: {exc}") from exc
    answer = AuditBook(engine, keys).append(terminal_id, upload, via="drive")
    if answer.status == 201:
        log.info("import from terminal %s: audit log cosigned at %s entries", terminal_id, answer.body["size"])
        return {"status": 201, "size": answer.body["size"], "checkpoint": answer.body["checkpoint"]}
    log.warning("import from terminal %s: audit log refused (%s)", terminal_id, answer.body["error"]["code"])
    return {"status": answer.status, "error": answer.body["error"]}


def verify_receipt(receipt: dict[str, Any], signing_public_key: bytes) -> bool:
    """True when ``receipt['signature']`` is the platform's signature over its ``items``."""
    try:
        signature = base64.b64decode(receipt["signature"], validate=True)
        Ed25519PublicKey.from_public_bytes(signing_public_key).verify(
            signature, canonical_json(receipt["items"])
        )
    except (KeyError, ValueError, TypeError, InvalidSignature):
        return False
    return True
