"""The submission body is written from a template; it must stay exactly the JSON the protocol describes."""

from __future__ import annotations

import base64
import json
import os

from hypothesis import given
from hypothesis import strategies as st

from offline_cache.wire.protocol import SEAL_ALG, SealedBlob, SubmissionSummary
from offline_cache.wire.submission_body import submission_body


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@given(texts=st.lists(st.text(), min_size=6, max_size=6), with_attachment=st.booleans())
def test_the_body_is_byte_for_byte_compact_json(texts: list[str], with_attachment: bool) -> None:
    submission_id, terminal_id, code, name, masked, created = texts
    summary = SubmissionSummary(code, name, masked, created)
    blob = SealedBlob(SEAL_ALG, os.urandom(32), os.urandom(60), os.urandom(12), os.urandom(50))
    refs: list[dict[str, object]] = (
        [{"sha256": "ab" * 32, "size": 3, "media_type": "image/jpeg"}] if with_attachment else []
    )
    body = submission_body(submission_id, terminal_id, summary, blob, refs)
    expected = {
        "id": submission_id,
        "terminal_id": terminal_id,
        "service_code": code,
        "created_at": created,
        "summary": {"service_code": code, "service_name": name, "applicant_masked": masked, "created_at": created},
        "sealed": {
            "alg": blob.alg,
            "epk": _b64(blob.epk),
            "wrapped_key": _b64(blob.wrapped_key),
            "nonce": _b64(blob.nonce),
            "ciphertext": _b64(blob.ciphertext),
        },
        "attachments": refs,
    }
    assert body == json.dumps(expected, ensure_ascii=False, separators=(",", ":")).encode()
    assert json.loads(body) == expected
