"""Fuzzing what a QR code holds: any bytes (with or without the decoder's text for them) are classified or
refused with :class:`PayloadRejectedError` and a readable message."""

from __future__ import annotations

import json

import pytest
from fuzzing import FUZZ, readable, refusal
from hypothesis import given
from hypothesis import strategies as st

from devices.camera.errors import PayloadRejectedError
from devices.camera.payload import QrKind, classify

pytestmark = pytest.mark.fuzz

SHAPED = st.one_of(
    st.text().map(lambda t: "https://" + t),
    st.dictionaries(st.text(max_size=8), st.text(max_size=8) | st.integers() | st.none(), max_size=5).map(json.dumps),
    st.lists(st.tuples(st.text(max_size=6), st.text(max_size=6)), max_size=5).map(
        lambda pairs: "&".join(f"{k}={v}" for k, v in pairs)
    ),
    st.from_regex(r"[0-9]{1,40}", fullmatch=True),
    st.text(),
)


@FUZZ
@given(st.binary(max_size=3000) | SHAPED.map(lambda t: t.encode("utf-8", "surrogatepass")), st.booleans())
def test_any_code_bytes_are_classified_or_refused_readably(data: bytes, binary: bool) -> None:
    message = refusal(lambda: classify(data, binary=binary), PayloadRejectedError)
    assert message is None or readable(message)
    if message is None:
        assert isinstance(classify(data, binary=binary).kind, QrKind)


@FUZZ
@given(st.binary(max_size=600), st.none() | st.text(max_size=600) | SHAPED)
def test_code_bytes_with_any_decoder_text_are_classified_or_refused_readably(data: bytes, text: str | None) -> None:
    message = refusal(lambda: classify(data, text), PayloadRejectedError)
    assert message is None or readable(message)
    if message is None:
        payload = classify(data, text)
        assert isinstance(payload.kind, QrKind)
        for key in ("id", "case_no", "x"):
            payload.field(key)
