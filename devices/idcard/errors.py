"""What can go wrong reading an ID card (读证错误), as typed errors with messages a citizen can hear.

The reader's SAM (安全模块) answers every command with a status byte SW3 (GA 467-2013). Each status maps
to one error type here; the message is in Chinese first, English after " / ", and ``technician_hint``
says what to check. Frame-level faults (bad checksum, impossible length, silence) are
:class:`ReaderProtocolError` and its kin: they say the line is noisy or the reader is not what we think.
"""

from __future__ import annotations

from devices.base import DeviceError


class IdCardError(DeviceError):
    """Any failure to read an ID card; the citizen is asked to try again or see staff."""

    #: The reader's SW3 status byte when the error came from the reader, else None.
    status: int | None = None


class NoCardError(IdCardError):
    """No card on the reader (寻卡失败, SW3 0x80)."""


class CardSelectError(IdCardError):
    """A card is there but could not be selected (选卡失败, SW3 0x81): moved, or not an ID card."""


class CardReadError(IdCardError):
    """The card stopped answering while being read (读卡失败, SW3 0x41/0x40/0x47/0x91)."""


class CardAuthenticationError(IdCardError):
    """The card and the SAM did not authenticate each other (SW3 0x31/0x32/0x33): not a genuine card."""


class SamError(IdCardError):
    """The reader's security module refused or failed (SW3 0x23/0x24/0x60/0x66): the reader needs service."""


class ReaderProtocolError(IdCardError):
    """The bytes on the line do not make a valid frame, or the reader rejected ours."""


class FrameChecksumError(ReaderProtocolError):
    """A frame's XOR checksum is wrong (noise on the line), or the reader says ours was (SW3 0x10)."""


class FrameLengthError(ReaderProtocolError):
    """A frame's length field is impossible, or the reader says ours was (SW3 0x11)."""


class ReaderCommandError(ReaderProtocolError):
    """The reader did not understand the command (SW3 0x21), or answered something we cannot use."""


class ReaderTimeoutError(ReaderProtocolError):
    """The reader did not answer in time."""


_TRY_AGAIN = "请重新放置身份证 / please place the ID card again"
_SEE_STAFF = "读卡器故障，请联系工作人员 / the card reader needs service, please ask staff"

#: SW3 → (error type, citizen message, technician hint). 0x90/0x9F are success and are not here.
_STATUS: dict[int, tuple[type[IdCardError], str, str]] = {
    0x10: (FrameChecksumError, _TRY_AGAIN, "reader reports a checksum error in our frame (noisy line?)"),
    0x11: (FrameLengthError, _TRY_AGAIN, "reader reports a length error in our frame"),
    0x21: (ReaderCommandError, _SEE_STAFF, "reader rejected the command (0x21): wrong reader model?"),
    0x23: (SamError, _SEE_STAFF, "SAM reports an unauthorised operation (0x23)"),
    0x24: (SamError, _SEE_STAFF, "SAM reports an unrecognised error (0x24)"),
    0x31: (CardAuthenticationError, "身份证认证失败，请联系工作人员 / the card could not be verified, "
           "please ask staff", "card failed to authenticate the SAM (0x31)"),
    0x32: (CardAuthenticationError, "身份证认证失败，请联系工作人员 / the card could not be verified, "
           "please ask staff", "SAM failed to authenticate the card (0x32)"),
    0x33: (CardAuthenticationError, "身份证信息校验失败，请联系工作人员 / the card data failed "
           "verification, please ask staff", "card data verification failed (0x33)"),
    0x40: (CardReadError, "无法识别的证件，请放置身份证 / this card is not recognised, please use an ID card",
           "unrecognised card type (0x40)"),
    0x41: (CardReadError, _TRY_AGAIN, "card read failed (0x41): card moved during reading"),
    0x47: (CardReadError, _TRY_AGAIN, "random number request to the card failed (0x47)"),
    0x60: (SamError, _SEE_STAFF, "SAM self-test failed (0x60): the reader needs repair"),
    0x66: (SamError, _SEE_STAFF, "SAM not authorised (0x66): the reader is not licensed"),
    0x80: (NoCardError, "请把身份证放在感应区 / please place your ID card on the reader", "no card (0x80)"),
    0x81: (CardSelectError, _TRY_AGAIN, "card select failed (0x81)"),
    0x91: (CardReadError, _TRY_AGAIN, "the card has no content for this item (0x91)"),
}


def error_for_status(sw3: int, command: str) -> IdCardError:
    """The typed error for a failing status byte, naming the command for the technician."""
    kind, message, hint = _STATUS.get(
        sw3, (ReaderCommandError, _SEE_STAFF, f"unknown status 0x{sw3:02X} from the reader")
    )
    error = kind(message, technician_hint=f"{command}: {hint}")
    error.status = sw3
    return error


def describe(error: DeviceError) -> str:
    """One line for a technician: the readable message and what to check."""
    if error.technician_hint:
        return f"{error.message} ({error.technician_hint})"
    return error.message
