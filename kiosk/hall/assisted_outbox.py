"""Assisted cases into the sealed outbox (待发送), each exactly once, whatever crashes in between.

A case leaves the staff member's vault as an ordinary sealed submission of the outbox (``offline_cache.store``):
the payload is the case as the department needs it plus the ``assisted`` block (docs/protocol.md, "Assisted
handling": who acted, for whom, in which mode, under which 委托), the signature, thumbprint and the photo of the
paper 委托书 as its attachments. So it travels as every kiosk case does: deduplicated by its submission id at
the platform, retried, quarantined when the platform refuses it, and ``kiosk queue export`` writes it to a drive.
回交 and 回访 go the same way, as submissions of ``"kind": "case_event"``.

Exactly once: before the put, the case's file notes a stamp (:meth:`CaseBook.mark_sealing`, microseconds) that
becomes the submission's ``created_at`` in the outbox's clear summary. The put commits the submission whole or
not at all; then the case's file takes the submission id. A process killed between the two leaves a case with a
stamp and no id: :meth:`AssistedOutbox.send` (and :meth:`AssistedOutbox.recover`) finds the submission by its
stamp and adopts it instead of putting a second one.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from kiosk.assisted.authorization import AuthorizationRefused, check_case
from kiosk.assisted.cases import Case, CaseBook, CaseEvent
from kiosk.assisted.staff import StaffSession
from kiosk.hall.assisted_export import export_member_cases
from kiosk.hall.matters import provisional_number
from kiosk.records.audit import AuditAction, AuditLog
from kiosk.records.audit import Resident as AuditResident
from kiosk.visit.ports import Terminal
from offline_cache.drive import ExportResult
from offline_cache.models import NewAttachment, OutboxItem
from offline_cache.store import Outbox
from offline_cache.wire.authorization import AuthorizationError, parse_authorization
from offline_cache.wire.protocol import SubmissionSummary

#: The channel of a case handled by staff for a resident (the kiosk's own is the terminal's channel).
ASSISTED_CHANNEL = "assisted"
#: Outbox items read back at most when looking for a put a crash left unrecorded.
_SCAN_LIMIT = 1_000_000


def case_payload(
    case: Case, session: StaffSession, terminal: Terminal, attachments: Iterable[bytes], now: datetime
) -> tuple[bytes, list[NewAttachment]]:
    """The sealed part of an assisted case: the resident, the answers, and the ``assisted`` block."""
    files = [NewAttachment(data, ref.media_type) for data, ref in zip(attachments, case.attachments, strict=True)]
    body = {
        "kind": "case",
        "service_code": case.service_code,
        "service_name": case.service_title,
        "terminal_id": terminal.terminal_id,
        "region_code": terminal.region_code,
        "channel": ASSISTED_CHANNEL,
        "submitted_at": now.isoformat(),
        "applicant": {
            "name": case.resident.name,
            "id_number": case.resident.id_number,
            "phone": case.resident.phone,
            "identified_by": case.resident.identified_by,
        },
        "answers": case.answers,
        "assisted": {
            "case_id": case.case_id,
            "staff_no": session.staff_no,
            "staff_name": session.name,
            "mode": case.mode,
            "authorization": case.authorization,
            "attachments": [
                {"attachment": index, "role": ref.role, "media_type": ref.media_type}
                for index, ref in enumerate(case.attachments)
            ],
            "created_at": case.created_at,
        },
    }
    return json.dumps(body, ensure_ascii=False, sort_keys=True).encode(), files


def event_payload(case: Case, event: CaseEvent, session: StaffSession, terminal: Terminal) -> dict[str, object]:
    """The sealed part of a 回交 / 回访 (``"kind": "case_event"``), naming the case by its submission."""
    return {
        "kind": "case_event",
        "event": event.kind,
        "event_id": event.event_id,
        "at": event.at,
        "note": event.note,
        "case_id": case.case_id,
        "case_submission_id": case.submission_id,
        "case_no": case.case_no,
        "staff_no": session.staff_no,
        "staff_name": session.name,
        "terminal_id": terminal.terminal_id,
        "service_code": case.service_code,
        "attachments": [
            {"attachment": index, "role": ref.role, "media_type": ref.media_type}
            for index, ref in enumerate(event.attachments)
        ],
    }


class AssistedOutbox:
    """Puts one staff member's cases and their 回交 / 回访 into the terminal's outbox, once each."""

    def __init__(self, outbox: Outbox, terminal: Terminal, audit: AuditLog | None = None) -> None:
        self.outbox = outbox
        self.terminal = terminal
        #: The terminal's audit log: each case saved to be sent is written to it once.
        self.audit = audit

    def export_member(self, book: CaseBook, folder: Path, now: datetime) -> ExportResult:
        """导出到U盘: the member's unsent cases (and their 回交 / 回访) to ``folder``; see ``assisted_export``."""
        return export_member_cases(self.outbox, book, folder, now, self.audit)

    def _by_stamp(self) -> dict[tuple[str, str], OutboxItem]:
        return {(i.summary.service_code, i.summary.created_at): i for i in self.outbox.items(limit=_SCAN_LIMIT)}

    def send(
        self, book: CaseBook, session: StaffSession, case_id: str, now: datetime, *, proxy_allowed: bool = True
    ) -> Case:
        """Save a finished draft to be sent (待发送); returns the case with its submission and temporary number.

        Durable on return: the case reaches the platform exactly once, now or when the network returns. A case
        whose 委托 no longer covers it today (expired since it was drafted, say) is refused here, before it is
        sealed, with :class:`kiosk.assisted.authorization.AuthorizationRefused` saying why (as the platform would).
        """
        case = book.case(case_id)
        if case.submission_id is not None:
            return case
        if case.sealed_at is None and case.authorization is not None:
            try:
                auth = parse_authorization(case.authorization)
            except AuthorizationError as exc:
                raise AuthorizationRefused(str(exc)) from None
            check_case(case, auth, proxy_allowed=proxy_allowed, today=now.date())
        # Only a case stamped before this call can have a put that a crash left unrecorded.
        stamped_before = case.sealed_at is not None
        case = book.mark_sealing(case_id, now)
        stamp = case.sealed_at or now.isoformat()
        found = self._by_stamp().get((case.service_code, stamp)) if stamped_before else None
        if found is not None:
            submission_id = found.id
        else:
            data = [book.attachment(ref) for ref in case.attachments]
            payload, files = case_payload(case, session, self.terminal, data, now)
            summary = SubmissionSummary(case.service_code, case.service_title, case.resident.masked_name, stamp)
            submission_id = self.outbox.put(payload, summary, files)
        recorded = book.record_submission(case_id, submission_id, provisional_number(submission_id), now)
        if self.audit is not None:
            self.audit.record(
                AuditAction.CASE_SUBMITTED,
                session.staff_no,
                resident=AuditResident(case.resident.id_number, case.resident.name),
                case=case_id,
                detail={"submission": submission_id},
            )
        return recorded

    def send_event(self, book: CaseBook, session: StaffSession, case_id: str, event_id: str) -> str:
        """Put a recorded 回交 / 回访 into the outbox (once; adopted after a crash like a case)."""
        case = book.case(case_id)
        event = next(e for e in case.events if e.event_id == event_id)
        if event.submission_id is not None:
            return event.submission_id
        stamp = event.at
        found = self._by_stamp().get((case.service_code, stamp))
        if found is not None:
            submission_id = found.id
        else:
            files = [NewAttachment(book.attachment(ref), ref.media_type) for ref in event.attachments]
            payload = json.dumps(event_payload(case, event, session, self.terminal), ensure_ascii=False).encode()
            summary = SubmissionSummary(case.service_code, case.service_title, case.resident.masked_name, stamp)
            submission_id = self.outbox.put(payload, summary, files)
        book.record_event_submission(case_id, event_id, submission_id)
        return submission_id

    def recover(self, book: CaseBook, session: StaffSession, now: datetime) -> int:
        """After a restart: every case stamped for sealing but without a submission gets its put adopted or
        made; every recorded 回交 / 回访 not yet in the outbox is put. Returns how many were settled."""
        settled = 0
        for case in book.cases():
            if case.sealed_at is not None and case.submission_id is None:
                self.send(book, session, case.case_id, now)
                settled += 1
            for event in case.events:
                if event.submission_id is None and book.case(case.case_id).submission_id is not None:
                    self.send_event(book, session, case.case_id, event.event_id)
                    settled += 1
        return settled

    def refresh(self, book: CaseBook, now: datetime) -> int:
        """Carry the outbox's delivery states into the book (发送中, 已送达 with its 受理编号, 需处理 with the
        reason); returns how many cases changed."""
        items = {i.id: i for i in self.outbox.items(limit=_SCAN_LIMIT)}
        changed = 0
        for case in book.cases():
            item = items.get(case.submission_id or "")
            if item is None:
                continue
            if item.state == "sent":
                state, reason = "delivered", ""
            elif item.state == "quarantined":
                state = "quarantined"
                reason = f"平台未接收：{item.last_error or '原因未知'}。请核对后重新办理，或联系管理员"
            elif item.state == "sending":
                state, reason = "sending", ""
            else:
                state, reason = "queued", ""
            before = book.case(case.case_id)
            after = book.record_delivery(case.case_id, state, now, case_no=item.case_no, reason=reason)
            changed += after is not before
        return changed
