"""The canonical form that dedupe hashes and receipt signatures rest on: sorted keys, no spaces, UTF-8.

It must not change under a platform that has stored hashes of it, so it is held to the plain standard-library
form it was first written with, for every kind of value a body holds (text in any script, control characters,
integers up to 64 bits, nesting)."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from offline_cache.wire.protocol import canonical_json

_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**63), max_value=2**63 - 1) | _TEXT,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(_TEXT, inner, max_size=5),
    max_leaves=30,
)


def _standard_library_form(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


@settings(max_examples=400, deadline=None)
@given(_VALUES)
def test_canonical_json_is_the_sorted_compact_utf8_form(value: Any) -> None:
    assert canonical_json(value) == _standard_library_form(value)


def test_a_submission_like_body_keeps_its_bytes() -> None:
    body = {
        "summary": {"service_name": "居民身份证换领", "applicant_masked": "张*三"},
        "id": "0193a0b1-0000-7000-8000-000000000001",
        "attachments": [{"size": 102400, "sha256": "ab" * 32, "media_type": "image/jpeg"}],
        "note": 'quote " backslash \\ tab \t newline \n bell \x07 del \x7f line sep \u2028 emoji 👵',
    }
    assert canonical_json(body) == _standard_library_form(body)
    assert canonical_json(body).startswith(b'{"attachments":[{"media_type":"image/jpeg","sha256":"abab')
