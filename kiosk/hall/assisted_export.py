"""A staff member's own cases to a drive (导出到U盘), when the village has no network for days.

The drive holds exactly what ``kiosk queue export`` writes (docs/protocol.md, "Export to a removable drive"):
each submission's sealed POST body, its sealed attachments, the manifest; ``kiosk-central import`` reads it and
the platform's signed receipt file comes back through ``kiosk queue import-receipt``. The difference: only the
logged-in member's cases (and their 回交 / 回访) are written, so staff B exporting from a shared laptop carries
none of A's. Everything on the drive is sealed to the platform; nothing on it opens on the laptop or anywhere
else. The export counts as a sync for the limits of working unsynced (:meth:`CaseBook.note_exported`).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from kiosk.assisted.cases import CaseBook
from kiosk.records.audit import AuditAction, AuditLog
from offline_cache.drive import ExportResult, export_unsent
from offline_cache.models import OutboxError
from offline_cache.store import Outbox


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
    try:
        result = export_unsent(outbox, folder, only=member_submissions(book))
    except OutboxError as exc:
        raise OutboxError(f"导出到 {folder} 失败：{exc}。案件仍在本机待发送") from exc
    book.note_exported(now)
    if audit is not None:
        audit.record(AuditAction.CASE_EXPORTED, book.staff_no, detail={"submissions": result.submissions})
    return result
