"""The case book (办件簿) of one staff member: every case they handle, from draft to 回访, kept in their vault.

A case is one file in the staff member's vault (``case-<case_id>``), its attachments (signature, the photo of
the paper 委托书, scans) files of their own (``att-<id>``), all sealed under that member's key
(:mod:`kiosk.assisted.vault`). Each change rewrites the case's file atomically, so a crash at any moment leaves
the case as it was before the change or after it.

The values (a case, a row, a filter, the states and their labels) are in :mod:`kiosk.assisted.case_values`.

The book never talks to the network or the outbox; the hall's adapter (``kiosk/hall/assisted_sync.py``) puts a
case into the outbox and tells the book (:meth:`CaseBook.record_submission`, :meth:`CaseBook.record_delivery`,
:meth:`CaseBook.record_platform_state`). ``rows(filter)`` answers from memory, worst first.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
import uuid
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from kiosk.assisted.case_values import (
    LIFECYCLE,
    MODE_LABELS,
    STATE_LABELS,
    STATE_RANK,
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
    case_from_json,
    case_row,
    case_to_json,
    moment,
)
from kiosk.assisted.limits import CaseLimits, SyncHealth, sync_health
from kiosk.assisted.resident import Resident
from kiosk.assisted.vault import Vault, VaultError
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

_CASE_PREFIX = "case-"
_ATTACHMENT_PREFIX = "att-"
_BOOK_FILE = "book"
_SNAPSHOT_FILE = "snapshot"
#: Case files read one by one at an opening past which the snapshot is written again (opening 5,000 cases from
#: their own files costs about ten times opening them from the snapshot).
_SNAPSHOT_AFTER = 64
#: Attachment files no case names are removed at opening once they are this old (seconds).
_ORPHAN_GRACE_SECONDS = 3600.0


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
        self._rows: list[tuple[str, CaseRow]] | None = None
        self._meta: dict[str, Any] = {}
        #: Cases saved to be sent that have not reached the platform (the limits count them).
        self._unsent: set[str] = set()
        self._lock = threading.RLock()
        self.unreadable: list[str] = []
        self._load()

    # -- reading ------------------------------------------------------------------------------------------

    def _read_snapshot(self) -> dict[str, Any]:
        if not self.vault.exists(_SNAPSHOT_FILE):
            return {}
        try:
            files = json.loads(self.vault.read(_SNAPSHOT_FILE)).get("files")
        except (VaultError, ValueError, AttributeError):
            return {}  # a cache: the case files are read one by one instead
        return files if isinstance(files, dict) else {}

    def _load(self) -> None:
        """Read every case file of the vault. A sealed snapshot of them (``snapshot``) is a cache only: a case is
        taken from it when its file is the very one the snapshot saw (inode, modification time, size), else
        read from its own file, so the case files stay the one truth and a crash can never make the cache win."""
        snapshot = self._read_snapshot()
        seen: dict[str, list[Any]] = {}
        read_alone = 0
        try:
            entries = list(os.scandir(self.vault.folder))
        except FileNotFoundError:
            entries = []
        for entry in entries:
            name = entry.name
            if not name.startswith(_CASE_PREFIX):
                continue
            info = entry.stat()
            stamp = [info.st_ino, info.st_mtime_ns, info.st_size]
            cached = snapshot.get(name)
            try:
                if isinstance(cached, list) and len(cached) == 2 and cached[0] == stamp:
                    raw = cached[1]
                else:
                    raw = json.loads(self.vault.read(name))
                    read_alone += 1
                case = case_from_json(raw)
            except (VaultError, ValueError, KeyError, TypeError, AttributeError):
                # Not this member's (a file copied in) or damaged: listed apart, never shown as a case.
                self.unreadable.append(name)
                continue
            seen[name] = [stamp, raw]
            if case.staff_no == self.staff_no:
                self._cases[case.case_id] = case
                self._note_unsent(case)
        if read_alone >= _SNAPSHOT_AFTER:
            self.vault.write(_SNAPSHOT_FILE, json.dumps({"files": seen}, ensure_ascii=False).encode())
        self._sweep_attachments(entries)
        if self.vault.exists(_BOOK_FILE):
            try:
                self._meta = json.loads(self.vault.read(_BOOK_FILE))
            except (VaultError, ValueError):
                self.unreadable.append(_BOOK_FILE)

    def _sweep_attachments(self, entries: list[os.DirEntry[str]]) -> None:
        """Remove attachment files no case names: left by a crash between sealing an image and noting it in its
        case (the image was never part of a case). Only files older than an hour: another book open on the same
        folder may be about to note the one it just wrote."""
        named = {ref.name for case in self._cases.values() for ref in case.attachments}
        named |= {ref.name for case in self._cases.values() for event in case.events for ref in event.attachments}
        if self.unreadable:
            return  # a case that did not open may name some of them: keep everything
        limit = time.time() - _ORPHAN_GRACE_SECONDS
        for entry in entries:
            if entry.name.startswith(_ATTACHMENT_PREFIX) and entry.name not in named:
                with contextlib.suppress(FileNotFoundError):
                    if entry.stat().st_mtime < limit:
                        Path(entry.path).unlink()

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

    def _sorted_rows(self) -> list[tuple[str, CaseRow]]:
        if self._rows is None:
            # Within a rank the newest change first, except unsent cases: the oldest first (they are the risk).
            ordered = sorted(self._cases.values(), key=lambda c: c.updated_at, reverse=True)
            ordered.sort(key=lambda c: (STATE_RANK.get(c.state, 99), c.created_at if c.state in UNSENT_STATES else ""))
            rows = []
            for case in ordered:
                row = case_row(case)
                key = " ".join(
                    (row.case_ref, case.temporary_no or "", row.resident_masked, row.service_title, row.state_label)
                ).lower()
                rows.append((key, row))
            self._rows = rows
        return self._rows

    def rows(self, filter: CaseFilter | None = None) -> list[CaseRow]:
        """The case list, worst first (需处理, 中止, drafts, unsent oldest first, then the platform's states),
        narrowed by ``filter``; rows only hold masked data."""
        with self._lock:
            rows = self._sorted_rows()
        if filter is None:
            return [row for _, row in rows]
        needle = filter.text.strip().lower()
        states = filter.states
        return [
            row
            for key, row in rows
            if (not needle or needle in key)
            and (not states or row.state in states)
            and (not filter.unsent_only or row.state in UNSENT_STATES)
        ]

    def attachment(self, ref: AttachmentRef) -> bytes:
        return self.vault.read(ref.name)

    # -- health and limits ------------------------------------------------------------------------------

    @property
    def last_synced_at(self) -> str | None:
        value = self._meta.get("last_synced_at")
        return value if isinstance(value, str) else None

    def health(self, now: datetime, *, oldest: bool = True) -> SyncHealth:
        """Since when unsynced, the oldest unsent case's age, and whether new cases are still allowed
        (``oldest=False``: without the age, the only part that reads every unsent case)."""
        oldest_at = None
        with self._lock:
            unsent = len(self._unsent)
            if oldest and self._unsent:
                oldest_at = min(c.sealed_at or c.created_at for c in (self._cases[i] for i in self._unsent))
        first_use = self._meta.get("opened_at")
        return sync_health(
            self.limits,
            now,
            last_synced_at=self.last_synced_at,
            since_first_use=first_use if isinstance(first_use, str) else None,
            unsent=unsent,
            oldest_unsent_at=oldest_at,
        )

    # -- writing ----------------------------------------------------------------------------------------

    def _store(self, case: Case) -> Case:
        data = json.dumps(case_to_json(case), ensure_ascii=False).encode()
        with self._lock:
            self.vault.write(_CASE_PREFIX + case.case_id, data)
            self._cases[case.case_id] = case
            self._note_unsent(case)
            self._rows = None
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

    def _set_meta(self, **values: Any) -> None:
        with self._lock:
            self._meta.update(values)
            self.vault.write(_BOOK_FILE, json.dumps(self._meta, ensure_ascii=False).encode())

    def note_opened(self, now: datetime) -> None:
        """The first time this book is used: the clock of "unsynced since" starts here until the first sync."""
        if "opened_at" not in self._meta:
            self._set_meta(opened_at=now.isoformat())

    def note_synced(self, now: datetime) -> None:
        """A sync reached the platform and drained what it could: "unsynced since" starts again."""
        self._set_meta(last_synced_at=now.isoformat())

    @property
    def states_since(self) -> str | None:
        """The newest platform state time already taken (``GET /cases?since=``)."""
        value = self._meta.get("states_since")
        return value if isinstance(value, str) else None

    def note_states_since(self, at: str) -> None:
        self._set_meta(states_since=at)

    def note_exported(self, now: datetime) -> None:
        """The unsent cases were written to a drive (``kiosk queue export``): that counts as a sync for the limits."""
        self._set_meta(last_synced_at=now.isoformat(), last_exported_at=now.isoformat())

    def hold_for_resume(self, case_id: str | None) -> None:
        """The idle lock (or a logout) came with ``case_id`` open: the next login of this member reopens it."""
        if case_id is not None:
            self.case(case_id)
        self._set_meta(resume_case=case_id)

    def take_resume(self) -> Case | None:
        """The case to reopen after login (once), if it is still there."""
        case_id = self._meta.get("resume_case")
        if not isinstance(case_id, str):
            return None
        self._set_meta(resume_case=None)
        return self._cases.get(case_id)

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
        health = self.health(now, oldest=False)
        if health.refuse_new:
            raise CaseRefused(health.message)
        stamp = now.isoformat()
        case = Case(
            case_id=str(uuid.uuid4()),
            staff_no=self.staff_no,
            service_code=service_code,
            service_title=service_title,
            resident=resident,
            created_at=stamp,
            updated_at=stamp,
            mode=mode,
            answers=dict(answers or {}),
            authorization=authorization,
            state_at=stamp,
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
        ref = AttachmentRef(f"{_ATTACHMENT_PREFIX}{uuid.uuid4()}", media_type, role, len(data))
        self.vault.write(ref.name, data)
        self._store(replace(case, attachments=(*case.attachments, ref), updated_at=now.isoformat()))
        return ref

    def redo(self, case_id: str, now: datetime) -> Case:
        """需处理 → 重新办理: a new draft with the quarantined case's resident, answers, mode, 委托 and attachments
        (copied in the vault), to correct and send again; the old case is marked 已重办 and leaves the top of the
        list. Check the 委托 again (``kiosk.assisted.authorization.check_case``) before the new draft is sent."""
        old = self.case(case_id)
        if old.state != "quarantined":
            raise CaseRefused("只有“需处理”的案件可以重新办理")
        health = self.health(now, oldest=False)
        if health.refuse_new:
            raise CaseRefused(health.message)
        copies = []
        for ref in old.attachments:
            copy = AttachmentRef(f"{_ATTACHMENT_PREFIX}{uuid.uuid4()}", ref.media_type, ref.role, ref.size)
            self.vault.write(copy.name, self.attachment(ref))
            copies.append(copy)
        stamp = now.isoformat()
        new = Case(
            case_id=str(uuid.uuid4()),
            staff_no=self.staff_no,
            service_code=old.service_code,
            service_title=old.service_title,
            resident=old.resident,
            created_at=stamp,
            updated_at=stamp,
            mode=old.mode,
            answers=dict(old.answers),
            authorization=old.authorization,
            attachments=tuple(copies),
            state_at=stamp,
            reason=f"重办自 {old.reference}：{old.reason}",
        )
        self._store(new)
        self._store(replace(old, state="redone", reason=f"已重新办理为 {new.reference}", updated_at=stamp))
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
            (self.vault.folder / (_CASE_PREFIX + case_id)).unlink(missing_ok=True)
            del self._cases[case_id]
            self._unsent.discard(case_id)
            self._rows = None

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
        refs = []
        for data, media_type in attachments:
            ref = AttachmentRef(f"{_ATTACHMENT_PREFIX}{uuid.uuid4()}", media_type, "signature", len(data))
            self.vault.write(ref.name, data)
            refs.append(ref)
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
