"""The values of assisted handling's cases (办件): a case, its attachments and 回交 / 回访, a line of the case
list, a filter, the states and their labels, and the JSON a case is kept as inside a staff member's vault.

States (``Case.state``) and what a list shows (``CaseRow.state_label``):

- the laptop's own: ``draft`` 草稿, ``queued`` 待发送, ``sending`` 发送中, ``delivered`` 已送达（受理编号）,
  ``quarantined`` 需处理 (with the reason and what to do), ``redone`` 已重办 (a 需处理 case made again);
- the platform's lifecycle, when it comes back: 受理 → 办理 → 中止/续办 → 办结/终止 → 回交 → 回访.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from kiosk.assisted.resident import Resident
from offline_cache.wire.protocol import CASE_STATE_LABELS, CASE_STATES

LocalState = Literal["draft", "queued", "sending", "delivered", "quarantined"]
#: The platform's lifecycle (docs/protocol.md, "Assisted handling"), in its order.
LIFECYCLE = CASE_STATES

STATE_LABELS: dict[str, str] = {
    "draft": "草稿",
    "queued": "待发送",
    "sending": "发送中",
    "delivered": "已送达",
    "quarantined": "需处理",
    **CASE_STATE_LABELS,
    "redone": "已重办",
}
#: Worst first: what needs the staff member's hands, then what has not left the laptop, then what is moving at
#: the platform, then what is finished.
STATE_RANK: dict[str, int] = {
    "quarantined": 0,
    "suspended": 1,
    "draft": 2,
    "queued": 3,
    "sending": 4,
    "delivered": 5,
    "accepted": 6,
    "processing": 7,
    "resumed": 8,
    "concluded": 9,
    "terminated": 10,
    "handed_back": 11,
    "followed_up": 12,
    "redone": 13,
}
UNSENT_STATES = frozenset({"draft", "queued", "sending", "quarantined"})
#: Saved to be sent, not yet at the platform: what the limits count (a draft is not yet anything to send).
WAITING_STATES = frozenset({"queued", "sending", "quarantined"})
#: What a case's 回交 / 回访 records (``CaseEvent.kind``).
EventKind = Literal["handed_back", "followed_up"]
AttachmentRole = Literal["signature", "authorization_photo", "thumbprint", "document"]
HandlingMode = Literal["full", "step"]  # offline_cache.wire.protocol.ASSISTED_MODES
#: 全程代办 / 环节帮办.
MODE_LABELS: dict[str, str] = {"full": "全程代办", "step": "环节帮办"}


@dataclass(frozen=True)
class AttachmentRef:
    """An attachment of a case, kept in the vault as ``name``."""

    name: str
    media_type: str
    role: AttachmentRole
    size: int


@dataclass(frozen=True)
class CaseEvent:
    """回交 (the result handed back, with the resident's signature) or 回访 (a follow-up's outcome), recorded
    offline; ``submission_id`` once it is in the outbox."""

    event_id: str
    kind: EventKind
    at: str
    note: str
    attachments: tuple[AttachmentRef, ...] = ()
    submission_id: str | None = None


@dataclass(frozen=True)
class Case:
    """One case (办件) of a staff member; the full data, only ever in memory or sealed in the vault."""

    case_id: str
    staff_no: str
    service_code: str
    service_title: str
    resident: Resident
    created_at: str
    updated_at: str
    mode: HandlingMode = "full"
    answers: dict[str, Any] = field(default_factory=dict)
    #: The 委托 as its wire form (``offline_cache.wire.authorization``), or ``None`` for 本人在场 without one.
    authorization: dict[str, Any] | None = None
    attachments: tuple[AttachmentRef, ...] = ()
    state: str = "draft"
    #: The outbox submission (its idempotency key) once the case is saved to be sent.
    submission_id: str | None = None
    #: The stamp that names this case's submission in the outbox's clear summary (crash recovery: see the adapter).
    sealed_at: str | None = None
    case_no: str | None = None
    temporary_no: str | None = None
    reason: str = ""
    state_at: str = ""
    events: tuple[CaseEvent, ...] = ()

    @property
    def reference(self) -> str:
        """What a person quotes: the case number once the platform gave one, else the temporary number, else
        the draft's short reference."""
        return self.case_no or self.temporary_no or f"草稿-{self.case_id[:8]}"


@dataclass(frozen=True)
class CaseRow:
    """One line of the case list: nothing on it is unmasked."""

    case_id: str
    case_ref: str
    resident_masked: str
    service_title: str
    state: str
    state_label: str
    updated_at: str
    reason: str
    mode_label: str


@dataclass(frozen=True)
class CaseFilter:
    """What the list shows: ``text`` searched in the case number, temporary number, masked name and service;
    ``states`` (empty = all); ``unsent_only`` for the cases that have not reached the platform."""

    text: str = ""
    states: frozenset[str] = frozenset()
    unsent_only: bool = False


def moment(stamp: str) -> datetime:
    """An ISO 8601 time as an aware datetime (the platform's may be in UTC, the laptop's in the hall's zone)."""
    moment = datetime.fromisoformat(stamp)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def state_label(case: Case) -> str:
    if case.state == "delivered" and case.case_no:
        return f"已送达（{case.case_no}）"
    return STATE_LABELS.get(case.state, case.state)


def case_row(case: Case) -> CaseRow:
    return CaseRow(
        case_id=case.case_id,
        case_ref=case.reference,
        resident_masked=case.resident.masked_name,
        service_title=case.service_title,
        state=case.state,
        state_label=state_label(case),
        updated_at=case.updated_at,
        reason=case.reason,
        mode_label=MODE_LABELS.get(case.mode, case.mode),
    )


def case_to_json(case: Case) -> dict[str, Any]:
    def ref(a: AttachmentRef) -> dict[str, Any]:
        return {"name": a.name, "media_type": a.media_type, "role": a.role, "size": a.size}

    return {
        "case_id": case.case_id,
        "staff_no": case.staff_no,
        "service_code": case.service_code,
        "service_title": case.service_title,
        "resident": case.resident.to_json(),
        "created_at": case.created_at,
        "updated_at": case.updated_at,
        "mode": case.mode,
        "answers": case.answers,
        "authorization": case.authorization,
        "attachments": [ref(a) for a in case.attachments],
        "state": case.state,
        "submission_id": case.submission_id,
        "sealed_at": case.sealed_at,
        "case_no": case.case_no,
        "temporary_no": case.temporary_no,
        "reason": case.reason,
        "state_at": case.state_at,
        "events": [
            {
                "event_id": e.event_id,
                "kind": e.kind,
                "at": e.at,
                "note": e.note,
                "attachments": [ref(a) for a in e.attachments],
                "submission_id": e.submission_id,
            }
            for e in case.events
        ],
    }


def _refs(raw: Iterable[dict[str, Any]]) -> tuple[AttachmentRef, ...]:
    return tuple(AttachmentRef(r["name"], r["media_type"], r["role"], int(r["size"])) for r in raw)


def case_from_json(raw: dict[str, Any]) -> Case:
    return Case(
        case_id=raw["case_id"],
        staff_no=raw["staff_no"],
        service_code=raw["service_code"],
        service_title=raw["service_title"],
        resident=Resident.from_json(raw["resident"]),
        created_at=raw["created_at"],
        updated_at=raw["updated_at"],
        mode=raw.get("mode", "full"),
        answers=dict(raw.get("answers") or {}),
        authorization=raw.get("authorization"),
        attachments=_refs(raw.get("attachments") or ()),
        state=raw.get("state", "draft"),
        submission_id=raw.get("submission_id"),
        sealed_at=raw.get("sealed_at"),
        case_no=raw.get("case_no"),
        temporary_no=raw.get("temporary_no"),
        reason=raw.get("reason", ""),
        state_at=raw.get("state_at", ""),
        events=tuple(
            CaseEvent(
                e["event_id"],
                e["kind"],
                e["at"],
                e.get("note", ""),
                _refs(e.get("attachments") or ()),
                e.get("submission_id"),
            )
            for e in raw.get("events") or ()
        ),
    )
