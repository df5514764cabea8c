"""What the citizen is told when a device lets them down, as sentences of the strings catalog.

Drivers describe faults for a technician (what failed, what to check); the citizen needs one plain sentence in
the visit's language saying what to do. This module is the one place that turns the first into the second.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from devices.idcard.errors import (
    CardAuthenticationError,
    IdCardError,
    NoCardError,
    ReaderCommandError,
    SamError,
)
from kiosk.visit.ports import Notice

if TYPE_CHECKING:  # the camera's quality checks bring OpenCV: not before the first paint
    from devices.camera.quality import QualityIssue

READER_UNAVAILABLE = Notice("device.reader_unavailable")
CAMERA_UNAVAILABLE = Notice("device.camera_unavailable")
CAMERA_USE_CARD = Notice("device.camera_use_card")
PRINTER_UNAVAILABLE = Notice("device.printer_unavailable")
NO_PAGE = Notice("capture.no_page")
STARTING = Notice("device.starting")

#: SW3 0x40: a card that is not a resident ID card.
_UNRECOGNISED_CARD = 0x40

#: QualityIssue's member names → the sentence to say.
_QUALITY = {
    "NO_PAGE": "capture.no_page",
    "CUT_OFF": "capture.cut_off",
    "TOO_SMALL": "capture.too_small",
    "FINGER": "capture.finger",
    "NOT_FLAT": "capture.not_flat",
    "GLARE": "capture.glare",
    "BLUR": "capture.blur",
}


def card_notice(error: IdCardError) -> Notice:
    """A failed card read, as the citizen hears it: place it again, use a real ID card, or call staff."""
    if isinstance(error, NoCardError):
        return Notice("device.card_place")
    if isinstance(error, CardAuthenticationError):
        return Notice("device.card_unverified")
    if error.status == _UNRECOGNISED_CARD:
        return Notice("device.card_unrecognised")
    if isinstance(error, SamError | ReaderCommandError):
        return Notice("device.reader_service")
    return Notice("device.card_again")


def quality_notice(issues: tuple[QualityIssue, ...]) -> Notice:
    """The first thing to fix about a document photo (the issues come most important first)."""
    return Notice(_QUALITY[issues[0].name]) if issues else NO_PAGE
