"""What the platform accepts on the wire: request bodies as pydantic models, strict about shape.

Unknown fields are refused (``extra="forbid"``): the canonical form of a validated body is what dedupe
compares, so two bodies that differ only in a field we dropped must not look identical.
"""

from __future__ import annotations

import binascii
import uuid
from datetime import datetime
from typing import Any

import pybase64
from pydantic import BaseModel, ConfigDict, Field, field_validator

from offline_cache.wire.protocol import (
    MAX_APPLICANT_MASKED_CHARS,
    MAX_ATTACHMENTS,
    MAX_SERVICE_CODE_CHARS,
    MAX_SERVICE_NAME_CHARS,
    MAX_TERMINAL_ID_CHARS,
    SealedBlob,
)

_HEX = frozenset("0123456789abcdef")

#: What a terminal id may be: it travels in URL paths and file names (receipt files).
TERMINAL_ID_PATTERN = r"^[A-Za-z0-9._-]+$"


def _b64(value: str, field: str) -> bytes:
    try:
        # pybase64: the standard library's alphabet and strictness (validate=True), in SIMD code.
        return pybase64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"{field} is not base64") from exc


def _iso8601(value: str) -> str:
    try:
        datetime.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"{value!r} is not an ISO 8601 time") from exc
    return value


def check_uuid7(value: str) -> str:
    """The submission id: a UUIDv7 in its lowercase hyphenated form (time-ordered, made on the terminal)."""
    try:
        parsed = uuid.UUID(value)
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a UUID") from exc
    if parsed.version != 7 or str(parsed) != value:
        raise ValueError(f"{value!r} is not a lowercase UUIDv7")
    return value


def check_sha256_hex(value: str) -> str:
    if len(value) != 64 or not set(value) <= _HEX:
        raise ValueError(f"{value!r} is not a lowercase hex SHA-256")
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SummaryIn(_Strict):
    """The masked summary kept in clear (``protocol.SubmissionSummary``)."""

    service_code: str = Field(min_length=1, max_length=MAX_SERVICE_CODE_CHARS)
    service_name: str = Field(max_length=MAX_SERVICE_NAME_CHARS)
    applicant_masked: str = Field(max_length=MAX_APPLICANT_MASKED_CHARS)
    created_at: str

    _created = field_validator("created_at")(_iso8601)


class SealedIn(_Strict):
    """A ``protocol.SealedBlob`` with its bytes in base64."""

    alg: str
    epk: str
    wrapped_key: str
    nonce: str
    ciphertext: str

    def to_blob(self) -> SealedBlob:
        return SealedBlob(
            alg=self.alg,
            epk=_b64(self.epk, "sealed.epk"),
            wrapped_key=_b64(self.wrapped_key, "sealed.wrapped_key"),
            nonce=_b64(self.nonce, "sealed.nonce"),
            ciphertext=_b64(self.ciphertext, "sealed.ciphertext"),
        )


class AttachmentIn(_Strict):
    """An attachment named by a submission: the SHA-256 of its sealed bytes, their size and kind."""

    sha256: str
    # Bounded so the canonical form (64-bit integers at most) can always be written; no file is this large.
    size: int = Field(ge=0, le=2**53 - 1)
    media_type: str = Field(default="application/octet-stream", max_length=128)

    _sha = field_validator("sha256")(check_sha256_hex)


class SubmissionIn(_Strict):
    """One citizen submission as the terminal posts it: masked summary in clear, everything else sealed."""

    id: str
    terminal_id: str = Field(min_length=1, max_length=MAX_TERMINAL_ID_CHARS)
    service_code: str = Field(min_length=1, max_length=MAX_SERVICE_CODE_CHARS)
    created_at: str
    summary: SummaryIn
    sealed: SealedIn
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=MAX_ATTACHMENTS)

    _id = field_validator("id")(check_uuid7)
    _created = field_validator("created_at")(_iso8601)


class BatchIn(BaseModel):
    """Up to ``protocol.BATCH_MAX_ITEMS`` submission bodies; each is validated and answered on its own."""

    submissions: list[dict[str, Any]] = Field(min_length=1)


class RatingIn(_Strict):
    """A rating of one handled matter (好差评): 1 (very dissatisfied) to 5 (very satisfied)."""

    case_no: str = Field(min_length=1, max_length=32)
    service_code: str = Field(min_length=1, max_length=64)
    level: int = Field(ge=1, le=5)
    reason: str | None = Field(default=None, max_length=500)
    channel: str = Field(min_length=1, max_length=32)
    terminal_id: str = Field(min_length=1, max_length=64)
    region_code: str = Field(max_length=12)
    rated_at: str
    rater_masked: str = Field(max_length=64)

    _rated = field_validator("rated_at")(_iso8601)


class HeartbeatIn(BaseModel):
    """A terminal's health report: devices, queue depth, and alerts such as "call staff" (呼叫工作人员)."""

    model_config = ConfigDict(extra="allow")

    queue_depth: int = Field(default=0, ge=0)
    devices: dict[str, Any] = Field(default_factory=dict)
    alerts: list[dict[str, Any]] = Field(default_factory=list, max_length=100)
    app_version: str | None = None
    sent_at: str | None = None


class EnrollIn(_Strict):
    """An administrator's request to enroll (or re-enroll) a terminal."""

    terminal_id: str = Field(min_length=1, max_length=64, pattern=TERMINAL_ID_PATTERN)
