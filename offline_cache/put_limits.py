"""What the platform will accept, checked at ``put``: a submission it would refuse is never queued.

The numbers are the protocol's (``offline_cache.wire.protocol``), the same the platform's defaults read. A
refused ``put`` leaves the outbox untouched and says, in one line a person can act on, what is too large or
not text.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from offline_cache.models import OutboxWriteError
from offline_cache.wire.protocol import (
    MAX_APPLICANT_MASKED_CHARS,
    MAX_ATTACHMENT_BYTES,
    MAX_ATTACHMENTS,
    MAX_SERVICE_CODE_CHARS,
    MAX_SERVICE_NAME_CHARS,
    MAX_SUBMISSION_BYTES,
    MAX_TERMINAL_ID_CHARS,
    SubmissionSummary,
)

#: What sealing adds to each attachment: a 12-byte nonce and a 16-byte tag.
SEALING_OVERHEAD = 28


class SubmissionRefusedError(OutboxWriteError):
    """The platform would refuse this submission (too large, or text that is not text); nothing was saved."""


def _refuse(why: str) -> SubmissionRefusedError:
    return SubmissionRefusedError(f"无法保存：平台不接受此申请 / Cannot save: {why}; nothing was saved")


def _text(name: str, value: object, most: int, *, required: bool = False) -> None:
    if not isinstance(value, str):
        raise _refuse(f"{name} is not text")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise _refuse(f"{name} holds a character that is not text (position {exc.start})") from exc
    if len(value) > most or (required and not value):
        raise _refuse(f"{name} must be {'1' if required else '0'} to {most} characters, not {len(value)}")


def check_before_sealing(terminal_id: str, summary: SubmissionSummary, payload: bytes, sizes: Sequence[int]) -> None:
    """Refuse what no sealing could bring within the limits (before spending the sealing on it)."""
    _text("terminal id", terminal_id, MAX_TERMINAL_ID_CHARS, required=True)
    _text("summary service_code", summary.service_code, MAX_SERVICE_CODE_CHARS, required=True)
    _text("summary service_name", summary.service_name, MAX_SERVICE_NAME_CHARS)
    _text("summary applicant_masked", summary.applicant_masked, MAX_APPLICANT_MASKED_CHARS)
    _text("summary created_at", summary.created_at, 40, required=True)
    try:
        datetime.fromisoformat(summary.created_at)
    except ValueError as exc:
        raise _refuse("summary created_at is not an ISO 8601 time") from exc
    if len(payload) > MAX_SUBMISSION_BYTES:
        raise _refuse(f"the submission is {len(payload)} bytes; the platform accepts at most {MAX_SUBMISSION_BYTES}")
    if len(sizes) > MAX_ATTACHMENTS:
        raise _refuse(f"{len(sizes)} attachments; the platform accepts at most {MAX_ATTACHMENTS}")
    for index, size in enumerate(sizes):
        if size + SEALING_OVERHEAD > MAX_ATTACHMENT_BYTES:
            raise _refuse(
                f"attachment {index + 1} is {size} bytes; the platform accepts at most "
                f"{MAX_ATTACHMENT_BYTES - SEALING_OVERHEAD}"
            )


def check_body(body: bytes) -> None:
    """Refuse a sealed body over the platform's submission limit (base64 makes it a third larger)."""
    if len(body) > MAX_SUBMISSION_BYTES:
        raise _refuse(
            f"the sealed submission is {len(body)} bytes; the platform accepts at most {MAX_SUBMISSION_BYTES}"
        )
