"""A staff member's own cases to a drive (导出到U盘), when the village has no network for days.

The drive holds exactly what ``kiosk queue export`` writes (docs/protocol.md, "Export to a removable drive"):
each submission's sealed POST body, its sealed attachments, the manifest; ``kiosk-central import`` reads it and
the platform's signed receipt file comes back through ``kiosk queue import-receipt``. The difference: only the
logged-in member's cases (and their 回交 / 回访) are written, so staff B exporting from a shared laptop carries
none of A's. Everything on the drive is sealed to the platform; nothing on it opens on the laptop or anywhere
else. The export counts as a sync for the limits of working unsynced (:meth:`CaseBook.note_exported`).
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

from kiosk.assisted.cases import CaseBook
from kiosk.records.audit import AuditAction, AuditLog
from offline_cache.drive import EXPORT_STATES, ExportResult
from offline_cache.durable import fsync_dir, write_atomic
from offline_cache.models import OutboxError
from offline_cache.store import Outbox
from offline_cache.wire import protocol


def member_submissions(book: CaseBook) -> set[str]:
    """The submission ids of the member's cases and of their 回交 / 回访."""
    ids = {c.submission_id for c in book.cases() if c.submission_id}
    ids |= {e.submission_id for c in book.cases() for e in c.events if e.submission_id}
    return ids


def export_member_cases(
    outbox: Outbox, book: CaseBook, folder: Path, now: datetime, audit: AuditLog | None = None
) -> ExportResult:
    """Write the member's unsent submissions to ``folder`` (manifest last); :class:`OutboxError` says what failed.

    The cases stay 待发送 until the platform's receipt file is imported.
    """
    mine = member_submissions(book)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        submissions = []
        shas: dict[str, None] = {}
        for item in reversed(outbox.items(EXPORT_STATES, limit=1_000_000)):
            body = outbox.sealed_body(item.id) if item.id in mine else None
            if body is None:
                continue
            for attachment in outbox.attachments_of(item.id):
                if attachment.sha256 not in shas:
                    data = attachment.path.read_bytes()
                    if hashlib.sha256(data).hexdigest() != attachment.sha256:
                        raise OutboxError(f"sealed attachment {attachment.path.name} is damaged; not exported")
                    write_atomic(folder / f"{attachment.sha256}.bin", data, sync_dir=False)
                    shas[attachment.sha256] = None
            write_atomic(folder / f"{item.id}.json", body, sync_dir=False)
            submissions.append({"id": item.id, "sha256": hashlib.sha256(body).hexdigest()})
        manifest = {
            "protocol": protocol.PROTOCOL,
            "kind": "export_manifest",
            "terminal_id": outbox.terminal_id,
            "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "submissions": submissions,
            "attachments": [{"sha256": sha} for sha in shas],
        }
        fsync_dir(folder)
        write_atomic(folder / "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1).encode())
    except OSError as exc:
        raise OutboxError(
            f"导出到 {folder} 失败（{exc.strerror or exc}）：请检查U盘是否可写、空间是否足够；案件仍在本机待发送"
        ) from exc
    book.note_exported(now)
    if audit is not None:
        audit.record(AuditAction.CASE_EXPORTED, book.staff_no, detail={"submissions": len(submissions)})
    return ExportResult(len(submissions), len(shas), folder)
