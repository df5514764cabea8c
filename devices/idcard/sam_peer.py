"""The reader's side of the SAM protocol, without any transport: what a reader answers to each frame.

:class:`SamPeer` holds the simulated card slot and the fault plan; the transports in
:mod:`devices.idcard.simulator` move its answers over a pty or a socket. Answers come out as
:class:`Transmission` steps (bytes, then a pause) so faults like split frames and slow answers are plain data.
"""

from __future__ import annotations

import enum
import itertools
import os
import threading
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass

from devices.idcard import frames
from devices.idcard.card import IdCard
from devices.idcard.errors import FrameChecksumError, FrameLengthError
from devices.idcard.frames import PREAMBLE, STATUS_CARD_FOUND, STATUS_OK, Command, FrameParser, encode_response
from devices.idcard.text_block import build_text_block

FINGERPRINT_SIZE = 1024
SAM_ID = bytes.fromhex("0500" + "00" * 13 + "01")
#: Commands kept for looking back at the line (a card read is about ten).
RECEIVED_KEPT = 1000


class Fault(enum.Enum):
    """What can go wrong on a real line, on demand."""

    BAD_CHECKSUM = "bad_checksum"  # the answer's checksum byte is wrong
    GARBAGE_BEFORE = "garbage_before"  # line noise before the answer
    SPLIT = "split"  # the answer trickles in small pieces with pauses
    SLOW = "slow"  # the answer comes late (by ``delay`` seconds)
    NO_ANSWER = "no_answer"  # the command is swallowed


@dataclass(frozen=True)
class Transmission:
    """Send ``data``, then wait ``pause`` seconds before the next step."""

    data: bytes
    pause: float = 0.0


@dataclass
class _Planned:
    fault: Fault | None
    command: tuple[int, int] | None
    times: int
    delay: float = 0.0
    status: int | None = None


def _noise(size: int) -> bytes:
    """Random bytes with no preamble in them (a preamble in noise would be a frame, not noise)."""
    data = os.urandom(size)
    return data.replace(PREAMBLE, b"\x00" * len(PREAMBLE))


class SamPeer:
    """A reader with a card slot: answers frames as a GA 467 SAM would, with faults injected on request."""

    def __init__(self, cards: Mapping[str, IdCard]) -> None:
        self.cards = dict(cards)
        self._lock = threading.Lock()
        self._card: IdCard | None = None
        self.card_name = ""
        self._selected = False
        # A card that has been read answers "find" with 0x80 until it leaves the field and comes back, as
        # real cards do; "select" still reaches it.
        self._halted = False
        self._plan: list[_Planned] = []
        self.sam_status = STATUS_OK
        #: The latest commands received, in order (what a technician's line sniffer would show); bounded, as
        #: a demo that runs for weeks would otherwise keep every poll.
        self.received: deque[Command] = deque(maxlen=RECEIVED_KEPT)

    # --- the small API the demo and tests use ----------------------------------------------------------

    def place_card(self, sample_name: str) -> None:
        if sample_name not in self.cards:
            raise KeyError(f"no sample card '{sample_name}' (have: {', '.join(sorted(self.cards))})")
        with self._lock:
            self._card, self.card_name = self.cards[sample_name], sample_name
            self._selected = self._halted = False

    def remove_card(self) -> None:
        with self._lock:
            self._card, self.card_name = None, ""
            self._selected = self._halted = False

    def inject(self, fault: Fault, *, command: tuple[int, int] | None = None, times: int = 1,
               delay: float = 1.0) -> None:
        """Apply ``fault`` to the next ``times`` answers (to ``command`` only, if given)."""
        with self._lock:
            self._plan.append(_Planned(fault, command, times, delay))

    def fail_with(self, status: int, *, command: tuple[int, int], times: int = 1) -> None:
        """Answer the next ``times`` ``command`` frames with status byte ``status`` (0x41, 0x60 …)."""
        with self._lock:
            self._plan.append(_Planned(None, command, times, status=status))

    def clear_faults(self) -> None:
        with self._lock:
            self._plan.clear()

    # --- protocol ----------------------------------------------------------------------------------------

    def _take_plan(self, key: tuple[int, int]) -> _Planned | None:
        for planned in self._plan:
            if planned.command is None or planned.command == key:
                planned.times -= 1
                if planned.times <= 0:
                    self._plan.remove(planned)
                return planned
        return None

    def handle(self, parser: FrameParser) -> list[Transmission]:
        """Answer every complete frame the parser holds."""
        steps: list[Transmission] = []
        while True:
            try:
                payload = parser.next_payload()
            except FrameChecksumError:
                steps.append(Transmission(encode_response(0x10)))
                continue
            except FrameLengthError:
                steps.append(Transmission(encode_response(0x11)))
                continue
            if payload is None:
                return steps
            if len(payload) < 2:
                steps.append(Transmission(encode_response(0x11)))
                continue
            steps.extend(self.answer(Command.decode(payload)))

    def answer(self, command: Command) -> list[Transmission]:
        with self._lock:
            self.received.append(command)
            planned = self._take_plan(command.key)
            if planned is not None and planned.status is not None:
                frame = encode_response(planned.status)
            else:
                frame = self._respond(command)
        return self._apply(planned.fault if planned else None, frame, planned.delay if planned else 0.0)

    def _respond(self, command: Command) -> bytes:
        key = command.key
        if key == frames.FIND_CARD:
            fresh = self._card is not None and not self._halted
            return encode_response(STATUS_CARD_FOUND, bytes(4)) if fresh else encode_response(0x80)
        if key == frames.SELECT_CARD:
            self._selected = self._card is not None
            return encode_response(STATUS_OK, bytes(8)) if self._selected else encode_response(0x81)
        if key in (frames.READ_BASE, frames.READ_BASE_FINGERPRINT):
            return self._read_answer(key == frames.READ_BASE_FINGERPRINT)
        simple = {frames.SAM_STATUS: (self.sam_status, b""), frames.RESET_SAM: (STATUS_OK, b""),
                  frames.READ_SAM_ID: (STATUS_OK, SAM_ID)}
        status, data = simple.get(key, (0x21, b""))
        return encode_response(status, data)

    def _read_answer(self, with_fingerprint: bool) -> bytes:
        card = self._card
        if card is None or not self._selected:
            return encode_response(0x41)
        parts = [build_text_block(card), card.photo.ljust(1024, b"\x00")[:1024]]
        if with_fingerprint:
            parts.append(bytes(FINGERPRINT_SIZE))
        self._halted = True
        lengths = b"".join(len(part).to_bytes(2, "big") for part in parts)
        return encode_response(STATUS_OK, lengths + b"".join(parts))

    @staticmethod
    def _apply(fault: Fault | None, frame: bytes, delay: float) -> list[Transmission]:
        if fault is Fault.NO_ANSWER:
            return []
        if fault is Fault.BAD_CHECKSUM:
            return [Transmission(frame[:-1] + bytes([frame[-1] ^ 0x5A]))]
        if fault is Fault.GARBAGE_BEFORE:
            return [Transmission(_noise(37)), Transmission(frame)]
        if fault is Fault.SLOW:
            return [Transmission(b"", pause=delay), Transmission(frame)]
        if fault is Fault.SPLIT:
            # Cut inside the preamble and the length first: the places a naive reader gets wrong.
            cuts = [0, 2, 6, 9, *range(64, len(frame), 97), len(frame)]
            cuts = sorted({c for c in cuts if c <= len(frame)})
            return [Transmission(frame[a:b], pause=0.01) for a, b in itertools.pairwise(cuts)]
        return [Transmission(frame)]
