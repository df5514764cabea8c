"""Moving the queue by hand (U盘导出): export unsent sealed items to a removable drive, import the receipt.

For sites without network for weeks. The drive carries only sealed bytes, in exactly the form the terminal would
post (``docs/protocol.md``, "Export to a removable drive"), and the audit log's append as the terminal would post
it (its entries hold masked names and keyed hashes, never personal data in clear; ``docs/audit.md``). Items stay
queued after the export; they are marked sent only when the platform's signed receipt file comes back and its
Ed25519 signature checks out against the platform key the terminal already knows.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from offline_cache.durable import fsync_dir, write_atomic
from offline_cache.models import OutboxError
from offline_cache.store import Outbox
from offline_cache.wire import protocol
from offline_cache.wire.protocol import Receipt

EXPORT_STATES = ("queued", "retry", "sending")


class ReceiptFileError(OutboxError):
    """A receipt file that cannot be trusted or read; nothing was marked sent."""


@dataclass(frozen=True)
class ExportResult:
    submissions: int
    attachments: int
    folder: Path


@dataclass(frozen=True)
class ReceiptImport:
    """What a receipt file settled: newly marked sent, already sent, unknown here, and refused ones."""

    marked: int
    already_sent: int
    unknown: int
    rejected: tuple[str, ...]


#: The terminal's audit append on the drive (``offline_cache.wire.audit_sync``), when the export carries one.
AUDIT_FILE = "audit.json"


def export_unsent(
    outbox: Outbox,
    folder: Path,
    audit: Mapping[str, Any] | None = None,
    *,
    only: Collection[str] | None = None,
) -> ExportResult:
    """Write every unsent item's POST body and sealed attachments to ``folder`` (``only``: just the items with
    these ids), and ``audit`` (the audit log's append: entries the platform has not cosigned, the signed
    checkpoint, the proof) as :data:`AUDIT_FILE`; manifest last."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutboxError(f"cannot use {folder} for the export: {exc.strerror or exc}") from exc
    manifest_submissions = []
    shas: dict[str, None] = {}
    try:
        for item in reversed(outbox.items(EXPORT_STATES, limit=1_000_000)):
            body = outbox.sealed_body(item.id) if only is None or item.id in only else None
            if body is None:
                continue
            for attachment in outbox.attachments_of(item.id):
                if attachment.sha256 not in shas:
                    data = attachment.path.read_bytes()
                    if hashlib.sha256(data).hexdigest() != attachment.sha256:
                        raise OutboxError(f"sealed attachment {attachment.path} is damaged; not exported")
                    write_atomic(folder / f"{attachment.sha256}.bin", data, sync_dir=False)
                    shas[attachment.sha256] = None
            write_atomic(folder / f"{item.id}.json", body, sync_dir=False)
            manifest_submissions.append({"id": item.id, "sha256": hashlib.sha256(body).hexdigest()})
        audit_entry = None
        if audit is not None:
            audit_bytes = json.dumps(audit, ensure_ascii=False).encode()
            write_atomic(folder / AUDIT_FILE, audit_bytes, sync_dir=False)
            audit_entry = {"file": AUDIT_FILE, "sha256": hashlib.sha256(audit_bytes).hexdigest()}
        manifest = {
            "protocol": protocol.PROTOCOL,
            "kind": "export_manifest",
            "terminal_id": outbox.terminal_id,
            "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "submissions": manifest_submissions,
            "attachments": [{"sha256": sha} for sha in shas],
            **({"audit": audit_entry} if audit_entry is not None else {}),
        }
        fsync_dir(folder)
        write_atomic(folder / "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1).encode())
    except OSError as exc:
        raise OutboxError(
            f"export to {folder} failed ({exc.strerror or exc}): check the drive is writable and has space; "
            "the queue is unchanged"
        ) from exc
    return ExportResult(len(manifest_submissions), len(shas), folder)


def _verified_items(document: object, signing_key: bytes, terminal_id: str) -> dict[str, object]:
    if not isinstance(document, dict) or document.get("protocol") != protocol.PROTOCOL:
        raise ReceiptFileError("not a hall-kiosk receipt file")
    if document.get("kind") != "import_receipt":
        raise ReceiptFileError(f"not an import receipt (kind {document.get('kind')!r})")
    if document.get("terminal_id") != terminal_id:
        raise ReceiptFileError(f"receipt is for terminal {document.get('terminal_id')!r}, not {terminal_id!r}")
    items = document.get("items")
    if not isinstance(items, list):
        raise ReceiptFileError("receipt has no items list")
    try:
        signature = base64.b64decode(str(document.get("signature", "")), validate=True)
        Ed25519PublicKey.from_public_bytes(signing_key).verify(signature, protocol.canonical_json(items))
    except (InvalidSignature, binascii.Error, ValueError, TypeError) as exc:
        # TypeError: items no canonical form can hold (an integer past 64 bits), so no signature covers them.
        raise ReceiptFileError(
            "receipt signature does not verify with this platform's signing key (platform.signing_key): "
            "nothing marked sent"
        ) from exc
    return document


def import_receipt(outbox: Outbox, path: Path, signing_key: bytes) -> ReceiptImport:
    """Mark the items a signed receipt file lists as sent; refuse the whole file if anything is off."""
    try:
        document = json.loads(path.read_bytes())
    except OSError as exc:
        raise ReceiptFileError(f"cannot read receipt file {path}: {exc.strerror or exc}") from exc
    except ValueError as exc:
        raise ReceiptFileError(f"receipt file {path} is not JSON: {exc}") from exc
    verified = _verified_items(document, signing_key, outbox.terminal_id)
    items = verified["items"]
    assert isinstance(items, list)
    marked = already = unknown = 0
    receipts = []
    for entry in items:
        if not isinstance(entry, dict) or not entry.get("id") or not entry.get("case_no"):
            raise ReceiptFileError("receipt item without id or case_no")
        # The file's terminal_id is outside the signature; each signed item names its terminal.
        if entry.get("terminal_id") != outbox.terminal_id:
            raise ReceiptFileError(
                f"receipt item {entry['id']} is signed for terminal {entry.get('terminal_id')!r}, not "
                f"{outbox.terminal_id!r}: nothing marked sent"
            )
        receipts.append(
            (
                str(entry["id"]),
                Receipt(str(entry["id"]), str(entry["case_no"]), str(entry.get("received_at", "")), "accepted"),
            )
        )
    states = {item.id: item.state for item in outbox.items(limit=1_000_000)}
    todo = []
    for submission_id, receipt in receipts:
        state = states.get(submission_id)
        if state is None:
            unknown += 1
        elif state == "sent":
            already += 1
        else:
            todo.append((submission_id, receipt))
    marked = outbox.settle(sent=todo, via="receipt")
    rejected = document.get("rejected") if isinstance(document, dict) else None
    # Advisory and unsigned: anything but a list of objects names no rejected item.
    rejected_ids = (
        tuple(str(r.get("id")) for r in rejected if isinstance(r, dict)) if isinstance(rejected, list) else ()
    )
    return ReceiptImport(marked, already, unknown, rejected_ids)
