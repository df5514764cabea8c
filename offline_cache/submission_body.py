"""The submission body exactly as the terminal posts it (and writes it to a drive): the masked summary in
clear, everything else sealed, bytes as base64. Built once at ``put`` and never changed after."""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence

from offline_cache.protocol import SealedBlob, SubmissionSummary


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def sealed_json(blob: SealedBlob) -> dict[str, str]:
    """The ``sealed`` object of a submission body, bytes as base64."""
    return {
        "alg": blob.alg,
        "epk": _b64(blob.epk),
        "wrapped_key": _b64(blob.wrapped_key),
        "nonce": _b64(blob.nonce),
        "ciphertext": _b64(blob.ciphertext),
    }


def submission_body(
    submission_id: str,
    terminal_id: str,
    summary: SubmissionSummary,
    blob: SealedBlob,
    attachments: Sequence[dict[str, object]],
) -> bytes:
    """``POST /api/v1/submissions``'s body (docs/protocol.md), compact UTF-8 JSON."""
    return json.dumps(
        {
            "id": submission_id,
            "terminal_id": terminal_id,
            "service_code": summary.service_code,
            "created_at": summary.created_at,
            "summary": {
                "service_code": summary.service_code,
                "service_name": summary.service_name,
                "applicant_masked": summary.applicant_masked,
                "created_at": summary.created_at,
            },
            "sealed": sealed_json(blob),
            "attachments": list(attachments),
        },
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode("utf-8")
