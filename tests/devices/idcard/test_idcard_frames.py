"""SAM frames: the exact bytes readers use, and a parser that survives any byte stream."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from devices.idcard import frames
from devices.idcard.errors import FrameChecksumError, FrameLengthError, ReaderProtocolError
from devices.idcard.frames import PREAMBLE, FrameParser, Response, encode_command, encode_response


def test_commands_match_the_bytes_readers_document() -> None:
    assert encode_command(frames.FIND_CARD).hex(" ") == "aa aa aa 96 69 00 03 20 01 22"
    assert encode_command(frames.SELECT_CARD).hex(" ") == "aa aa aa 96 69 00 03 20 02 21"
    assert encode_command(frames.READ_BASE).hex(" ") == "aa aa aa 96 69 00 03 30 01 32"
    assert encode_command(frames.READ_BASE_FINGERPRINT).hex(" ") == "aa aa aa 96 69 00 03 30 10 23"
    assert encode_command(frames.SAM_STATUS).hex(" ") == "aa aa aa 96 69 00 03 11 ff ed"


def test_answers_match_the_bytes_readers_send() -> None:
    assert encode_response(0x9F, bytes(4)).hex(" ") == "aa aa aa 96 69 00 08 00 00 9f 00 00 00 00 97"
    assert encode_response(0x80).hex(" ") == "aa aa aa 96 69 00 04 00 00 80 84"


def _all(parser: FrameParser) -> list[bytes | Exception]:
    out: list[bytes | Exception] = []
    while True:
        try:
            payload = parser.next_payload()
        except ReaderProtocolError as exc:
            out.append(exc)
            continue
        if payload is None:
            return out
        out.append(payload)


def test_parser_skips_noise_and_finds_frames_split_anywhere() -> None:
    stream = b"\x00\xaa\x12" + encode_response(0x90, b"abc") + b"\xaa\xaa" + encode_response(0x9F, bytes(4))
    parser = FrameParser(min_length=4)
    got: list[bytes | Exception] = []
    for byte in stream:  # one byte at a time, the worst a serial line can do
        parser.feed(bytes([byte]))
        got.extend(_all(parser))
    assert [Response.decode(p).sw3 for p in got if isinstance(p, bytes)] == [0x90, 0x9F]
    assert parser.discarded == 5


def test_bad_checksum_is_typed_and_the_next_frame_still_parses() -> None:
    bad = bytearray(encode_response(0x90, b"xyz"))
    bad[-1] ^= 0xFF
    parser = FrameParser(min_length=4)
    parser.feed(bytes(bad) + encode_response(0x9F, bytes(4)))
    with pytest.raises(FrameChecksumError):
        parser.next_payload()
    payload = parser.next_payload()
    assert payload is not None
    assert Response.decode(payload).sw3 == 0x9F


def test_impossible_length_is_typed() -> None:
    parser = FrameParser(min_length=4)
    parser.feed(PREAMBLE + b"\xff\xff" + b"\x00" * 10)
    with pytest.raises(FrameLengthError):
        parser.next_payload()


def test_a_false_start_that_never_completes_is_given_up_for_the_real_frame() -> None:
    # Noise that looks like a preamble with a long length would swallow the real answer; on timeout the
    # host gives up the candidate and finds the real frame inside what it already has.
    real = encode_response(0x9F, bytes(4))
    parser = FrameParser(min_length=4)
    parser.feed(PREAMBLE + b"\x02\x00" + real)
    assert _all(parser) == []
    assert parser.skip_candidate()
    payload = parser.next_payload()
    assert payload is not None
    assert Response.decode(payload).sw3 == 0x9F


valid_frames = st.builds(
    encode_response,
    st.integers(0, 255),
    st.binary(max_size=64),
    st.integers(0, 255),
    st.integers(0, 255),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stream=st.lists(st.one_of(st.binary(max_size=80), st.just(PREAMBLE), valid_frames), max_size=12),
       chunk=st.integers(1, 64))
def test_any_byte_stream_gives_only_frames_or_typed_errors(stream: list[bytes], chunk: int) -> None:
    data = b"".join(stream)
    parser = FrameParser(min_length=4)
    for start in range(0, len(data), chunk):
        parser.feed(data[start : start + chunk])
        for item in _all(parser):
            if isinstance(item, bytes):
                Response.decode(item)
    while parser.skip_candidate():
        _all(parser)


@settings(max_examples=300, deadline=None)
@given(noise=st.binary(max_size=300), frame=valid_frames, chunk=st.integers(1, 50))
def test_after_any_noise_the_next_valid_frame_is_found(noise: bytes, frame: bytes, chunk: int) -> None:
    data = noise + frame
    assume(data.find(PREAMBLE) == len(noise))  # noise with a whole preamble in it would be a frame attempt
    parser = FrameParser(min_length=4)
    found: list[bytes] = []
    for start in range(0, len(data), chunk):
        parser.feed(data[start : start + chunk])
        found.extend(p for p in _all(parser) if isinstance(p, bytes))
    assert found == [frame[7:-1]]


@settings(max_examples=200, deadline=None)
@given(noise=st.binary(max_size=40), length=st.binary(min_size=2, max_size=2), frame=valid_frames)
def test_a_false_preamble_in_noise_costs_at_most_a_timeout(noise: bytes, length: bytes, frame: bytes) -> None:
    data = noise.replace(PREAMBLE, b"") + PREAMBLE + length + frame
    parser = FrameParser(min_length=4)
    parser.feed(data)
    found = [p for p in _all(parser) if isinstance(p, bytes)]
    while frame[7:-1] not in found and parser.skip_candidate():  # what the host does when time runs out
        found.extend(p for p in _all(parser) if isinstance(p, bytes))
    # Only a false frame whose own checksum happens to be right may hide the real one.
    assert frame[7:-1] in found or found
