"""The host's side of the SAM protocol: one command out, one answer back, within that command's time.

:class:`SamSession` turns the reader's commands (find, select, read base message, SAM status) into typed
results or typed errors (:mod:`devices.idcard.errors`). It owns no thread: the driver calls it on the
device's I/O thread.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from devices.idcard import frames
from devices.idcard.card import IdCard
from devices.idcard.errors import (
    CardReadError,
    CardSelectError,
    FrameChecksumError,
    FrameLengthError,
    NoCardError,
    ReaderTimeoutError,
    error_for_status,
)
from devices.idcard.frames import STATUS_CARD_FOUND, STATUS_OK, FrameParser, Response, encode_command
from devices.idcard.text_block import parse_text_block
from devices.serial_link import SerialLink

log = logging.getLogger(__name__)

_READS = (frames.READ_BASE, frames.READ_BASE_FINGERPRINT)


@dataclass(frozen=True)
class SamTimeouts:
    """Seconds each command may take; a card read includes the card's own authentication (~1 s)."""

    find: float = 0.5
    select: float = 0.5
    read: float = 3.0
    sam: float = 1.0

    def for_command(self, command: tuple[int, int]) -> float:
        if command == frames.FIND_CARD:
            return self.find
        if command == frames.SELECT_CARD:
            return self.select
        if command in _READS:
            return self.read
        return self.sam


@dataclass(frozen=True)
class BaseMessage:
    """The raw answer to "read base message": the 256-byte text block and the 1024-byte WLT photo."""

    text: bytes
    photo: bytes
    fingerprint: bytes = b""


def _plausible(command: tuple[int, int], response: Response) -> bool:
    """Whether ``response`` can be the answer to ``command`` rather than a late answer to an earlier one."""
    if command == frames.FIND_CARD:
        return response.sw3 != STATUS_OK
    if response.sw3 == STATUS_CARD_FOUND:
        return False
    if response.sw3 == STATUS_OK:
        is_read_answer = len(response.data) >= 4 + 256
        return is_read_answer == (command in _READS)
    return True


class SamSession:
    """Commands to a SAM reader over one serial link."""

    def __init__(self, link: SerialLink, timeouts: SamTimeouts | None = None) -> None:
        self.link = link
        self.timeouts = timeouts or SamTimeouts()
        self._parser = FrameParser(min_length=4)
        #: Bytes dropped as line noise since the session began (a bad cable shows here first).
        self.noise_bytes = 0

    def transact(self, command: tuple[int, int], data: bytes = b"", *, timeout: float | None = None) -> Response:
        """Send one command and return the reader's answer (any status); typed errors for frame faults."""
        name = frames.COMMAND_NAMES.get(command, f"command {command[0]:02X} {command[1]:02X}")
        self.link.discard_input()
        self._parser.clear()
        before = self._parser.discarded
        self.link.write(encode_command(command, data))
        deadline = time.monotonic() + (timeout if timeout is not None else self.timeouts.for_command(command))
        try:
            while True:
                try:
                    payload = self._parser.next_payload()
                except (FrameChecksumError, FrameLengthError) as exc:
                    exc.technician_hint = f"{name}: {exc.technician_hint}"
                    raise
                if payload is not None:
                    response = Response.decode(payload)
                    if _plausible(command, response):
                        return response
                    log.debug("%s: ignoring a late answer (status 0x%02X)", name, response.sw3)
                    continue
                chunk = self.link.read_some(deadline)
                if chunk:
                    self._parser.feed(chunk)
                elif time.monotonic() >= deadline and not self._parser.skip_candidate():
                    raise ReaderTimeoutError(
                        "读卡器无响应，请稍候再试 / the card reader did not answer, please try again",
                        technician_hint=f"{name}: no complete answer from {self.link.opened_url or self.link.url} "
                        "(check the cable, the baud rate and that this is a GA 467 SAM reader)",
                    )
        finally:
            self.noise_bytes += self._parser.discarded - before

    def _expect(self, command: tuple[int, int], *ok: int) -> Response:
        response = self.transact(command)
        if response.sw3 not in ok:
            raise error_for_status(response.sw3, frames.COMMAND_NAMES[command])
        return response

    def find_card(self) -> None:
        """Raise :class:`NoCardError` unless a card is on the reader."""
        self._expect(frames.FIND_CARD, STATUS_CARD_FOUND)

    def select_card(self) -> bytes:
        """Select the card found; returns the card's 8-byte serial as the SAM reports it."""
        return self._expect(frames.SELECT_CARD, STATUS_OK).data

    def read_base(self, *, with_fingerprint: bool = False) -> BaseMessage:
        """Read text and photo (the fingerprint command's extra block is read and then dropped)."""
        command = frames.READ_BASE_FINGERPRINT if with_fingerprint else frames.READ_BASE
        data = self._expect(command, STATUS_OK).data
        count = 3 if with_fingerprint else 2
        header = 2 * count
        if len(data) < header:
            raise _short_read(command, len(data))
        sizes = [int.from_bytes(data[i : i + 2], "big") for i in range(0, header, 2)]
        if len(data) != header + sum(sizes):
            raise _short_read(command, len(data), sizes)
        text = data[header : header + sizes[0]]
        photo = data[header + sizes[0] : header + sizes[0] + sizes[1]]
        fingerprint = data[header + sizes[0] + sizes[1] :] if with_fingerprint else b""
        return BaseMessage(text, photo, fingerprint)

    def read_card(self, *, with_fingerprint: bool = False) -> IdCard:
        """Find, select and read the card on the reader.

        A card that was already read and still lies on the reader answers "find" with "no card" until it
        is lifted and placed again; "select" still reaches it, so a failed find is followed by a select,
        and only a failed select means there is no card.
        """
        try:
            self.find_card()
        except NoCardError:
            try:
                self.select_card()
            except CardSelectError:
                raise error_for_status(0x80, frames.COMMAND_NAMES[frames.FIND_CARD]) from None
        else:
            self.select_card()
        message = self.read_base(with_fingerprint=with_fingerprint)
        return parse_text_block(message.text, message.photo)

    def sam_status(self) -> None:
        """Raise :class:`SamError` (or a frame error) unless the security module reports itself healthy."""
        self._expect(frames.SAM_STATUS, STATUS_OK)

    def sam_id(self) -> str:
        """The SAM's serial number as readers print it (hex)."""
        return self._expect(frames.READ_SAM_ID, STATUS_OK).data.hex().upper()


def _short_read(command: tuple[int, int], got: int, sizes: list[int] | None = None) -> CardReadError:
    return CardReadError(
        "读卡不完整，请重新放置身份证 / the card was not read completely, please place it again",
        technician_hint=f"{frames.COMMAND_NAMES[command]}: {got} data bytes do not match the declared sizes "
        f"{sizes}",
    )
