"""SAM frames (GA 467-2013 style) as common ID card readers speak them on the serial line.

Host → reader: ``AA AA AA 96 69`` · length (2 bytes, big-endian) · CMD · PARAM · data · checksum.
Reader → host: ``AA AA AA 96 69`` · length · SW1 · SW2 · SW3 · data · checksum.
The length counts every byte after itself, checksum included; the checksum is the XOR of the two length
bytes and everything up to the last data byte. For example "find card" is
``AA AA AA 96 69 00 03 20 01 22`` and its "card found" answer ``AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97``.

:class:`FrameParser` reads frames out of a byte stream that may hold line noise: it scans for the
preamble, raises a typed error for a frame with an impossible length or a wrong checksum (after dropping
just that frame's first byte, so a real frame hidden behind a false start is still found), and keeps the
tail of anything incomplete.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce

from devices.idcard.errors import FrameChecksumError, FrameLengthError

PREAMBLE = b"\xaa\xaa\xaa\x96\x69"
HEADER_SIZE = len(PREAMBLE) + 2
#: The largest answer a reader sends is base text + photo + fingerprint (0x090A); leave headroom.
MAX_LENGTH = 0x1000

# Commands as (CMD, PARAM).
FIND_CARD = (0x20, 0x01)
SELECT_CARD = (0x20, 0x02)
READ_BASE = (0x30, 0x01)
READ_BASE_FINGERPRINT = (0x30, 0x10)
RESET_SAM = (0x10, 0xFF)
SAM_STATUS = (0x11, 0xFF)
READ_SAM_ID = (0x12, 0xFF)

COMMAND_NAMES = {
    FIND_CARD: "find card",
    SELECT_CARD: "select card",
    READ_BASE: "read base message",
    READ_BASE_FINGERPRINT: "read base message and fingerprint",
    RESET_SAM: "reset SAM",
    SAM_STATUS: "SAM status",
    READ_SAM_ID: "read SAM id",
}

STATUS_OK = 0x90
STATUS_CARD_FOUND = 0x9F


def checksum(data: bytes) -> int:
    return reduce(lambda acc, byte: acc ^ byte, data, 0)


def _frame(payload: bytes) -> bytes:
    length = (len(payload) + 1).to_bytes(2, "big")
    body = length + payload
    return PREAMBLE + body + bytes([checksum(body)])


def encode_command(command: tuple[int, int], data: bytes = b"") -> bytes:
    """The bytes the host sends for ``command`` (``FIND_CARD`` …) with optional data."""
    return _frame(bytes(command) + data)


def encode_response(sw3: int, data: bytes = b"", sw1: int = 0x00, sw2: int = 0x00) -> bytes:
    """The bytes a reader sends back: status words then data (used by the simulator and in tests)."""
    return _frame(bytes((sw1, sw2, sw3)) + data)


@dataclass(frozen=True)
class Command:
    """A decoded host → reader frame."""

    cmd: int
    param: int
    data: bytes = b""

    @property
    def key(self) -> tuple[int, int]:
        return (self.cmd, self.param)

    @classmethod
    def decode(cls, payload: bytes) -> Command:
        if len(payload) < 2:
            raise FrameLengthError("命令帧过短 / command frame too short")
        return cls(payload[0], payload[1], bytes(payload[2:]))


@dataclass(frozen=True)
class Response:
    """A decoded reader → host frame: the three status words and the data after them."""

    sw1: int
    sw2: int
    sw3: int
    data: bytes = b""

    @classmethod
    def decode(cls, payload: bytes) -> Response:
        if len(payload) < 3:
            raise FrameLengthError(
                "读卡器应答帧过短 / reader answer too short", technician_hint="fewer than 3 status bytes"
            )
        return cls(payload[0], payload[1], payload[2], bytes(payload[3:]))


class FrameParser:
    """Cuts frames out of a noisy byte stream; one instance per direction of one line."""

    def __init__(self, min_length: int = 3, max_length: int = MAX_LENGTH) -> None:
        self._buffer = bytearray()
        self.min_length = min_length
        self.max_length = max_length
        #: Bytes thrown away as noise so far (a technician's measure of a bad line).
        self.discarded = 0

    def feed(self, data: bytes) -> None:
        self._buffer.extend(data)

    def clear(self) -> None:
        self.discarded += len(self._buffer)
        self._buffer.clear()

    @property
    def pending(self) -> int:
        return len(self._buffer)

    def _drop(self, count: int) -> None:
        del self._buffer[:count]
        self.discarded += count

    def next_payload(self) -> bytes | None:
        """The payload (between length and checksum) of the next complete frame, or None if none yet.

        Raises :class:`FrameLengthError` or :class:`FrameChecksumError` for a broken frame; the parser has
        already stepped past that frame's start, so calling again continues with the bytes after it.
        """
        start = self._buffer.find(PREAMBLE)
        if start < 0:
            # Keep a tail that may be the beginning of a preamble split across reads.
            keep = len(PREAMBLE) - 1
            if len(self._buffer) > keep:
                self._drop(len(self._buffer) - keep)
            return None
        if start:
            self._drop(start)
        if len(self._buffer) < HEADER_SIZE:
            return None
        length = int.from_bytes(self._buffer[len(PREAMBLE) : HEADER_SIZE], "big")
        if not self.min_length <= length <= self.max_length:
            self._drop(1)
            raise FrameLengthError(
                "通信数据长度错误 / frame length out of range",
                technician_hint=f"length field {length} outside {self.min_length}..{self.max_length}",
            )
        end = HEADER_SIZE + length
        if len(self._buffer) < end:
            return None
        expected = checksum(bytes(self._buffer[len(PREAMBLE) : end - 1]))
        got = self._buffer[end - 1]
        if expected != got:
            self._drop(1)
            raise FrameChecksumError(
                "通信数据校验错误 / frame checksum mismatch",
                technician_hint=f"got 0x{got:02X}, expected 0x{expected:02X}: noisy line?",
            )
        payload = bytes(self._buffer[HEADER_SIZE : end - 1])
        del self._buffer[:end]
        return payload

    def skip_candidate(self) -> bool:
        """Give up on an incomplete frame (its answer never completed) so a later preamble can be found."""
        if self._buffer.startswith(PREAMBLE):
            self._drop(1)
            return True
        return False
