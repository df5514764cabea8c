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


# What json.dumps(text, ensure_ascii=False) writes for a string, without building an encoder per call.
_s = json.encoder.encode_basestring


def _list(attachments: Sequence[dict[str, object]]) -> str:
    return json.dumps(list(attachments), ensure_ascii=False, separators=(",", ":")) if attachments else "[]"


def submission_body(
    submission_id: str,
    terminal_id: str,
    summary: SubmissionSummary,
    blob: SealedBlob,
    attachments: Sequence[dict[str, object]],
) -> bytes:
    """``POST /api/v1/submissions``'s body (docs/protocol.md), compact UTF-8 JSON.

    Written from a template: base64 needs no JSON escaping, so only the short text fields go through the
    encoder (scanning the 3 KB of base64 for characters to escape was a third of a ``put``'s sealing time).
    """
    code, created = _s(summary.service_code), _s(summary.created_at)
    return (
        f'{{"id":{_s(submission_id)},"terminal_id":{_s(terminal_id)},"service_code":{code},'
        f'"created_at":{created},"summary":{{"service_code":{code},'
        f'"service_name":{_s(summary.service_name)},"applicant_masked":{_s(summary.applicant_masked)},'
        f'"created_at":{created}}},"sealed":{{"alg":{_s(blob.alg)},"epk":"{_b64(blob.epk)}",'
        f'"wrapped_key":"{_b64(blob.wrapped_key)}","nonce":"{_b64(blob.nonce)}",'
        f'"ciphertext":"{_b64(blob.ciphertext)}"}},'
        f'"attachments":{_list(attachments)}}}'
    ).encode()
