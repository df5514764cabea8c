"""Values the outbox hands to callers: what a screen may show and what the sync worker sends."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from offline_cache.wire.protocol import SubmissionSummary

State = Literal["queued", "sending", "sent", "retry", "quarantined"]


class OutboxError(Exception):
    """Something a person can act on went wrong with the outbox; the message says what and what to check."""


class OutboxWriteError(OutboxError):
    """A submission could not be saved (disk full, read-only or failing storage); nothing was half-saved."""


class UnknownSubmissionError(OutboxError):
    """No submission with that id is in the outbox."""


@dataclass(frozen=True)
class NewAttachment:
    """A file the applicant handed in (a scan, a photo), in clear, about to be sealed into the outbox."""

    data: bytes
    media_type: str = "application/octet-stream"


@dataclass(frozen=True)
class StoredAttachment:
    """A sealed attachment on disk, named by the SHA-256 of its sealed bytes."""

    sha256: str
    size: int
    media_type: str
    path: Path


@dataclass(frozen=True)
class Delivery:
    """One leased submission for the sync worker: the exact POST body and its attachments."""

    id: str
    body: bytes
    attachments: tuple[StoredAttachment, ...]
    attempts: int


@dataclass(frozen=True)
class OutboxItem:
    """One submission as a status screen shows it: masked summary and delivery state, nothing private."""

    id: str
    summary: SubmissionSummary
    state: State
    attempts: int
    queued_at: float
    next_attempt_at: float
    last_error: str | None
    case_no: str | None
    acked_at: float | None
    acked_via: str | None
    purged: bool


@dataclass(frozen=True)
class OutboxStatus:
    """The queue at a glance (待发送): what the technician screen and ``kiosk queue status`` print."""

    pending: int
    oldest_pending_age: float | None
    counts: dict[str, int]
    last_success_at: float | None
    last_error: str | None
    last_error_at: float | None
    paused: bool
    paused_reason: str | None


@dataclass(frozen=True)
class OutboxEvent:
    """Something changed: ``kind`` is queued / sent / retry / quarantined / paused / resumed / status."""

    kind: str
    submission_id: str | None = None
    message: str = ""
