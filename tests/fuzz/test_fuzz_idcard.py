"""Fuzzing the ID card reader's parsers (GA 467 SAM frames, the SAM's answers, the card's text block): any
bytes from the serial line end in a card or in an :class:`IdCardError` with a readable message."""

from __future__ import annotations

import time
from functools import partial
from typing import Any

import pytest
from fuzzing import FUZZ, readable, refusal
from hypothesis import given
from hypothesis import strategies as st

from devices.idcard import frames
from devices.idcard.errors import IdCardError
from devices.idcard.frames import FrameParser, encode_response
from devices.idcard.sam import SamSession, SamTimeouts
from devices.idcard.text_block import TEXT_SIZE, parse_text_block

pytestmark = pytest.mark.fuzz

STATUSES = st.sampled_from([frames.STATUS_OK, frames.STATUS_CARD_FOUND, 0x80, 0x81, 0x41, 0x10]) | st.integers(0, 255)


def _text_block() -> st.SearchStrategy[bytes]:
    """A text block: random bytes, or UCS-2 text of digits, letters and CJK (what a card holds) in any order."""
    chars = st.sampled_from("0123456789X 张三丰北京市东城区公安局²٣Ⅻ\u3000") | st.characters()
    ucs2 = st.text(chars, min_size=TEXT_SIZE // 2, max_size=TEXT_SIZE // 2).map(
        lambda s: s.encode("utf-16-le", "surrogatepass")[:TEXT_SIZE].ljust(TEXT_SIZE, b" ")
    )
    return st.binary(min_size=TEXT_SIZE, max_size=TEXT_SIZE) | ucs2 | st.binary(max_size=300)


class ScriptedLink:
    """A serial line whose reader answers each request with the next scripted bytes (then nothing)."""

    url = "fuzz://"
    opened_url = "fuzz://"

    def __init__(self, answers: list[bytes]) -> None:
        self._answers = list(answers)
        self._pending = b""

    def discard_input(self) -> None:
        self._pending = b""

    def write(self, data: bytes) -> None:
        self._pending = self._answers.pop(0) if self._answers else b""

    def read_some(self, deadline: float) -> bytes:
        chunk, self._pending = self._pending[:97], self._pending[97:]
        return chunk


@st.composite
def _answer(draw: Any, *, read: bool) -> bytes:
    status = draw(STATUSES)
    if read and draw(st.booleans()):
        text = draw(_text_block())
        photo = draw(st.binary(max_size=64))
        sizes = [draw(st.sampled_from([len(text), 256, 0])), draw(st.sampled_from([len(photo), 1024]))]
        data = b"".join(n.to_bytes(2, "big") for n in sizes) + text + photo
    else:
        data = draw(st.binary(max_size=40))
    frame = encode_response(status, data)
    noise = draw(st.binary(max_size=8))
    cut = draw(st.integers(0, len(frame))) if draw(st.integers(0, 9)) == 0 else len(frame)
    flip = draw(st.integers(0, len(frame) - 1)) if draw(st.integers(0, 9)) == 0 else None
    mangled = bytearray(frame[:cut])
    if flip is not None and flip < len(mangled):
        mangled[flip] ^= 0xFF
    return noise + bytes(mangled)


def _next(parser: FrameParser) -> tuple[bytes | None, str | None]:
    got: list[bytes | None] = []
    message = refusal(lambda: got.append(parser.next_payload()), IdCardError)
    return (got[0] if got else None), message


@FUZZ
@given(st.lists(st.binary(max_size=64) | st.builds(encode_response, STATUSES, st.binary(max_size=32)), max_size=8))
def test_any_byte_stream_gives_frames_or_typed_frame_errors(chunks: list[bytes]) -> None:
    parser = FrameParser()
    for chunk in chunks:
        parser.feed(chunk)
        for _ in range(len(chunk) + 2):
            payload, message = _next(parser)
            assert message is None or readable(message)
            if message is None and payload is None:
                break
            if payload is not None:
                decoded = refusal(partial(frames.Response.decode, payload), IdCardError)
                assert decoded is None or readable(decoded)
    assert parser.pending <= sum(len(c) for c in chunks)


@FUZZ
@given(st.tuples(_answer(read=False), _answer(read=False), _answer(read=True)), st.booleans())
def test_any_sam_answers_give_a_card_or_a_readable_card_error(answers: tuple[bytes, ...], fingerprint: bool) -> None:
    session = SamSession(ScriptedLink(list(answers)), SamTimeouts(find=0, select=0, read=0, sam=0))  # type: ignore[arg-type]
    started = time.monotonic()
    message = refusal(lambda: session.read_card(with_fingerprint=fingerprint), IdCardError)
    assert message is None or readable(message)
    assert time.monotonic() - started < 5


@FUZZ
@given(_text_block(), st.binary(max_size=32))
def test_any_text_block_gives_a_card_or_a_readable_card_error(text: bytes, photo: bytes) -> None:
    message = refusal(lambda: parse_text_block(text, photo), IdCardError)
    assert message is None or readable(message)
