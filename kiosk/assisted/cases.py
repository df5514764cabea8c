"""The case book (办件簿) of one staff member: every case they handle, from draft to 回访, kept in their vault.

Each case is a file of the member's vault, sealed under their key, rewritten atomically at each change, so a crash
at any moment leaves the case as it was before the change or after it (which file holds what, and the reading at
login: :mod:`kiosk.assisted.case_files`). The values (a case, a row, a filter, the states) are in
:mod:`kiosk.assisted.case_values`; the list's order and search in :mod:`kiosk.assisted.case_listing`.

The book never talks to the network or the outbox; the hall's adapter (``kiosk/hall/assisted_sync.py``) puts a
case into the outbox and tells the book (:meth:`CaseBook.record_submission`, :meth:`CaseBook.record_delivery`,
:meth:`CaseBook.record_platform_state`). ``listing(filter)`` and ``rows(filter)`` answer from memory, worst first.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime
from typing import Any

from kiosk.assisted.case_files import BookNotes, case_file, read_book, seal_attachment
from kiosk.assisted.case_listing import CaseListing, ListedCase
from kiosk.assisted.case_values import (
    LIFECYCLE,
    MODE_LABELS,
    STATE_LABELS,
    UNSENT_STATES,
    WAITING_STATES,
    AttachmentRef,
    AttachmentRole,
    Case,
    CaseEvent,
    CaseFilter,
    CaseRow,
    EventKind,
    HandlingMode,
    case_to_json,
    moment,
)
from kiosk.assisted.limits import CaseLimits, SyncHealth, sync_health
from kiosk.assisted.resident import Resident
from kiosk.assisted.vault import Vault
from kiosk.records.audit import AuditAction, AuditLog
from kiosk.records.audit import Resident as AuditResident

#: The values are defined in :mod:`kiosk.assisted.case_values`; the case list imports them from here too.
__all__ = [
    "LIFECYCLE",
    "MODE_LABELS",
    "STATE_LABELS",
    "UNSENT_STATES",
    "AttachmentRef",
    "AttachmentRole",
    "Case",
    "CaseBook",
    "CaseEvent",
    "CaseFilter",
    "CaseRefused",
    "CaseRow",
    "EventKind",
    "HandlingMode",
    "UnknownCaseError",
]


class CaseRefused(Exception):  # noqa: N818 (a refusal the staff member reads, not a programming error)
    """A new case refused (too long without sync, too many unsent cases); ``str(self)`` says why and what to do."""


class UnknownCaseError(KeyError):
    """No case of this staff member has that reference (another member's case is unknown here, by design)."""


class CaseBook:
    """The cases of one staff member, read from their vault at opening and kept in memory.

    The UI reads and edits it on its thread while a sync records news from a worker: reads and writes of the
    book's memory are serialised by one lock (a vault write happens under it too: a few milliseconds).
    """

    def __init__(
        self, vault: Vault, staff_no: str, limits: CaseLimits | None = None, audit: AuditLog | None = None
    ) -> None:
        self.vault = vault
        self.staff_no = staff_no
        self.limits = limits or CaseLimits()
        #: The terminal's audit log: cases opened, 委托 recorded, 回交 / 回访 (keyed hashes, masked names only).
        self.audit = audit
        self._cases: dict[str, Case] = {}
        self._listing = CaseListing()
        #: Cases saved to be sent that have not reached the platform (the limits count them).
        self._unsent: set[str] = set()
        self._lock = threading.RLock()
        found = read_book(vault, staff_no)
        #: Files of the vault that did not open as this member's (listed apart, never shown as a case).
        self.unreadable = found.unreadable
        self._notes = BookNotes(vault, found.meta, self._lock)
        for case in found.cases:
            self._cases[case.case_id] = case
            self._listing.put(case)
            self._note_unsent(case)

    def __len__(self) -> int:
        return len(self._cases)

    def case(self, case_id: str) -> Case:
        try:
            return self._cases[case_id]
        except KeyError:
            raise UnknownCaseError(case_id) from None

    def cases(self) -> list[Case]:
        with self._lock:
            return list(self._cases.values())

    def listing(self, filter: CaseFilter | None = None) -> list[ListedCase]:
        """The case list, worst first (需处理, 中止, drafts, unsent oldest first, then the platform's states),
        narrowed by ``filter``: each case's row is made only when it is asked for (a list shows a screenful)."""
        with self._lock:
            return self._listing.select(filter)

    def rows(self, filter: CaseFilter | None = None) -> list[CaseRow]:
        """:meth:`listing` as rows; rows only hold masked data."""
        return [entry.row for entry in self.listing(filter)]

    def attachment(self, ref: AttachmentRef) -> bytes:
        return self.vault.read(ref.name)

    # -- health and limits ------------------------------------------------------------------------------

    @property
    def last_synced_at(self) -> str | None:
        return self._notes.text("last_synced_at")

    def health(self, now: datetime, *, oldest: bool = True) -> SyncHealth:
        """Since when unsynced, the oldest unsent case's age, and whether new cases are still allowed
        (``oldest=False``: without the age, the only part that reads every unsent case)."""
        oldest_at = None
        with self._lock:
            unsent = len(self._unsent)
            if oldest and self._unsent:
                oldest_at = min(c.sealed_at or c.created_at for c in (self._cases[i] for i in self._unsent))
        return sync_health(
            self.limits,
            now,
            last_synced_at=self.last_synced_at,
            since_first_use=self._notes.text("opened_at"),
            unsent=unsent,
            oldest_unsent_at=oldest_at,
        )

    # -- writing ----------------------------------------------------------------------------------------

    def _store(self, case: Case) -> Case:
        data = json.dumps(case_to_json(case), ensure_ascii=False).encode()
        with self._lock:
            self.vault.write(case_file(case.case_id), data)
            self._cases[case.case_id] = case
            self._listing.put(case)
            self._note_unsent(case)
        return case

    def _note_unsent(self, case: Case) -> None:
        if case.state in WAITING_STATES:
            self._unsent.add(case.case_id)
        else:
            self._unsent.discard(case.case_id)

    def _record(self, action: AuditAction, case: Case, authorization: str | None = None) -> None:
        if self.audit is not None:
            who = AuditResident(case.resident.id_number, case.resident.name)
            self.audit.record(action, self.staff_no, resident=who, case=case.case_id, authorization=authorization)

    def note_opened(self, now: datetime) -> None:
        """The first time this book is used: the clock of "unsynced since" starts here until the first sync."""
        if self._notes.text("opened_at") is None:
            self._notes.set(opened_at=now.isoformat())

    def note_synced(self, now: datetime) -> None:
        """A sync reached the platform and drained what it could: "unsynced since" starts again."""
        self._notes.set(last_synced_at=now.isoformat())

    @property
    def states_since(self) -> str | None:
        """The newest platform state time already taken (``GET /cases?since=``)."""
        return self._notes.text("states_since")

    def note_states_since(self, at: str) -> None:
        self._notes.set(states_since=at)

    def note_exported(self, now: datetime) -> None:
        """The unsent cases were written to a drive (``kiosk queue export``): that counts as a sync for the limits."""
        self._notes.set(last_synced_at=now.isoformat(), last_exported_at=now.isoformat())

    def hold_for_resume(self, case_id: str | None) -> None:
        """The idle lock (or a logout) came with ``case_id`` open: the next login of this member reopens it."""
        if case_id is not None:
            self.case(case_id)
        self._notes.set(resume_case=case_id)

    def take_resume(self) -> Case | None:
        """The case to reopen after login (once), if it is still there."""
        case_id = self._notes.text("resume_case")
        if case_id is None:
            return None
        self._notes.set(resume_case=None)
        return self._cases.get(case_id)

    def _refuse_past_limits(self, now: datetime) -> None:
        health = self.health(now, oldest=False)
        if health.refuse_new:
            raise CaseRefused(health.message)

    def _draft(self, now: datetime, **fields: Any) -> Case:
        """A new draft of this member opened at ``now``, with ``fields`` (service, resident, answers, 委托…)."""
        stamp = now.isoformat()
        opened: dict[str, Any] = {"created_at": stamp, "updated_at": stamp, "state_at": stamp}
        return Case(case_id=str(uuid.uuid4()), staff_no=self.staff_no, **opened, **fields)

    def new_case(
        self,
        service_code: str,
        service_title: str,
        resident: Resident,
        now: datetime,
        *,
        mode: HandlingMode = "full",
        answers: dict[str, Any] | None = None,
        authorization: dict[str, Any] | None = None,
    ) -> Case:
        """Open a draft (with what is already known of it); refused (:class:`CaseRefused`) past the limits of
        working unsynced."""
        self._refuse_past_limits(now)
        case = self._draft(
            now,
            service_code=service_code,
            service_title=service_title,
            resident=resident,
            mode=mode,
            answers=dict(answers or {}),
            authorization=authorization,
        )
        self._store(case)
        self._record(AuditAction.CASE_CREATED, case)
        return case

    def update_draft(self, case_id: str, now: datetime, **changes: Any) -> Case:
        """Change a draft's answers, resident, mode or authorization (only while it is a draft)."""
        case = self.case(case_id)
        if case.state != "draft":
            raise CaseRefused("案件已保存发送，不能再修改；如需更正请新建案件并说明")
        allowed = {"answers", "resident", "mode", "authorization", "service_code", "service_title"}
        unknown = set(changes) - allowed
        if unknown:
            raise TypeError(f"cannot change {sorted(unknown)} of a draft")
        updated = self._store(replace(case, updated_at=now.isoformat(), **changes))
        auth = changes.get("authorization")
        if isinstance(auth, dict):
            self._record(AuditAction.AUTHORIZATION_RECORDED, updated, str(auth.get("authorization_id") or ""))
        return updated

    def add_attachment(
        self, case_id: str, data: bytes, media_type: str, role: AttachmentRole, now: datetime
    ) -> AttachmentRef:
        """Keep a signature, thumbprint, paper 委托书 photo or scan with a draft (sealed in the vault first)."""
        case = self.case(case_id)
        if case.state != "draft":
            raise CaseRefused("案件已保存发送，不能再添加材料")
        ref = seal_attachment(self.vault, data, media_type, role)
        self._store(replace(case, attachments=(*case.attachments, ref), updated_at=now.isoformat()))
        return ref

    def redo(self, case_id: str, now: datetime) -> Case:
        """需处理 → 重新办理: a new draft with the quarantined case's resident, answers, mode, 委托 and attachments
        (copied in the vault), to correct and send again; the old case is marked 已重办 and leaves the top of the
        list. Check the 委托 again (``kiosk.assisted.authorization.check_case``) before the new draft is sent."""
        old = self.case(case_id)
        if old.state != "quarantined":
            raise CaseRefused("只有“需处理”的案件可以重新办理")
        self._refuse_past_limits(now)
        copies = [
            seal_attachment(self.vault, self.attachment(ref), ref.media_type, ref.role) for ref in old.attachments
        ]
        new = self._draft(
            now,
            service_code=old.service_code,
            service_title=old.service_title,
            resident=old.resident,
            mode=old.mode,
            answers=dict(old.answers),
            authorization=old.authorization,
            attachments=tuple(copies),
            reason=f"重办自 {old.reference}：{old.reason}",
        )
        self._store(new)
        self._store(replace(old, state="redone", reason=f"已重新办理为 {new.reference}", updated_at=new.created_at))
        self._record(AuditAction.CASE_CREATED, new)
        return new

    def discard_draft(self, case_id: str) -> None:
        """A draft given up: its files go (never a case that was saved to be sent)."""
        case = self.case(case_id)
        if case.state != "draft":
            raise CaseRefused("已保存发送的案件不能删除")
        for ref in case.attachments:
            (self.vault.folder / ref.name).unlink(missing_ok=True)
        with self._lock:
            (self.vault.folder / case_file(case_id)).unlink(missing_ok=True)
            del self._cases[case_id]
            self._listing.drop(case_id)
            self._unsent.discard(case_id)

    def mark_sealing(self, case_id: str, now: datetime) -> Case:
        """Fix the stamp that will name this case's submission before it goes into the outbox (once)."""
        case = self.case(case_id)
        if case.sealed_at is not None:
            return case
        return self._store(replace(case, sealed_at=now.isoformat(timespec="microseconds"), updated_at=now.isoformat()))

    def record_submission(self, case_id: str, submission_id: str, temporary_no: str, now: datetime) -> Case:
        """The case is in the outbox as ``submission_id`` (待发送); ``temporary_no`` is the slip's 临时编号."""
        case = self.case(case_id)
        return self._store(
            replace(
                case,
                state="queued" if case.state == "draft" else case.state,
                submission_id=submission_id,
                temporary_no=temporary_no,
                updated_at=now.isoformat(),
                state_at=now.isoformat(),
            )
        )

    def record_delivery(
        self, case_id: str, state: str, now: datetime, *, case_no: str | None = None, reason: str = ""
    ) -> Case:
        """The outbox's news: ``sending`` / ``queued`` (a retry) / ``delivered`` (with the 受理编号) /
        ``quarantined`` (with what to do). A case the platform already moved on is not put back."""
        case = self.case(case_id)
        if case.state in LIFECYCLE or case.state == "redone":
            return case
        if case.state == state and case.case_no == case_no and case.reason == reason:
            return case
        return self._store(
            replace(
                case,
                state=state,
                case_no=case_no or case.case_no,
                reason=reason,
                updated_at=now.isoformat(),
                state_at=now.isoformat(),
            )
        )

    def record_platform_state(
        self, case_id: str, state: str, at: str, *, case_no: str | None = None, reason: str = ""
    ) -> Case:
        """The platform's lifecycle state of a case (from ``GET /api/v1/cases``); older news never wins."""
        case = self.case(case_id)
        if state not in LIFECYCLE:
            raise ValueError(f"unknown lifecycle state {state!r}")
        if case.state in LIFECYCLE and case.state_at and moment(at) < moment(case.state_at):
            return case
        if case.state == state and case.case_no == (case_no or case.case_no):
            return case
        return self._store(
            replace(case, state=state, case_no=case_no or case.case_no, reason=reason, updated_at=at, state_at=at)
        )

    def record_event(
        self,
        case_id: str,
        kind: EventKind,
        now: datetime,
        note: str,
        attachments: Iterable[tuple[bytes, str]] = (),
    ) -> CaseEvent:
        """回交 or 回访, offline: kept sealed in the vault (its signature too) until the adapter sends it."""
        case = self.case(case_id)
        if case.submission_id is None:
            raise CaseRefused("案件尚未保存发送，不能登记回交或回访")
        refs = [seal_attachment(self.vault, data, media_type, "signature") for data, media_type in attachments]
        # Microseconds: the stamp names the event's submission in the outbox (see kiosk/hall/assisted_outbox.py).
        event = CaseEvent(str(uuid.uuid4()), kind, now.isoformat(timespec="microseconds"), note, tuple(refs))
        stored = self._store(replace(case, events=(*case.events, event), updated_at=now.isoformat()))
        action = AuditAction.HANDBACK_RECORDED if kind == "handed_back" else AuditAction.FOLLOW_UP_RECORDED
        self._record(action, stored)
        return event

    def record_event_submission(self, case_id: str, event_id: str, submission_id: str) -> Case:
        case = self.case(case_id)
        events = tuple(replace(e, submission_id=submission_id) if e.event_id == event_id else e for e in case.events)
        return self._store(replace(case, events=events))
