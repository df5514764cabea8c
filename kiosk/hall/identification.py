"""Identifying the citizen: the ID card on the reader (一证通办) or a QR code on the camera.

Only a card *placed* while the identify screen listens counts: a card someone left on the reader never
identifies the next person. The reader watches from the first identify screen on; screens only listen.

Each wait is an object made when the identify step is entered and cancelled when it is left: it owns its stop
event (and, for a QR code, its thread), tells a device failure once, and tells nothing once cancelled.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Callable
from typing import Protocol

from devices.base import DeviceHealth, DeviceState
from devices.idcard.card import IdCard
from devices.idcard.errors import IdCardError
from devices.idcard.reader import IdCardReader
from kiosk.hall.notices import CAMERA_USE_CARD, READER_UNAVAILABLE, card_notice
from kiosk.hall.waits import ThreadWait
from kiosk.visit.ports import Notice
from kiosk.visit.session import Applicant

log = logging.getLogger(__name__)

#: One look for a QR code; a cancelled wait ends within this.
QR_SCAN_SECONDS = 0.5
#: After a camera fault, the next try (the camera may come back; the person was told once).
QR_RETRY_SECONDS = 1.0


class QrScanner(Protocol):
    def scan_qr_text(self, timeout: float) -> str | None:
        """The text of the first QR code seen within ``timeout`` seconds, or None."""
        ...


def applicant_from_card(card: IdCard) -> Applicant:
    return Applicant(
        name=card.display_name,
        id_number=card.id_number,
        gender=card.gender,
        birth_date=card.birth_date,
        address=card.address,
        source="id_card",
    )


def applicant_from_qr(text: str) -> Applicant:
    """A health-insurance or e-licence QR carries a token, not a name: the person is known by the token only."""
    return Applicant(name="", id_number="", source="qr")


class CardWait:
    """Listening to the reader for one identify step: a card placed, a card that could not be read, the reader
    gone (told once). Nothing is told after :meth:`cancel`."""

    def __init__(
        self, reader: IdCardReader | None, on_applicant: Callable[[Applicant], None], on_error: Callable[[Notice], None]
    ) -> None:
        self.reader = reader
        self._on_applicant = on_applicant
        self._on_error = on_error
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._told_unusable = False

    def start(self) -> CardWait:
        reader = self.reader
        if reader is None:
            self._unusable(DeviceHealth(DeviceState.OFFLINE, "no reader configured"))
            return self
        reader.card_did_arrive.connect(self._arrived)
        reader.card_did_fail.connect(self._failed)
        reader.device_did_change_health.connect(self._health)
        self._health(reader.health)
        reader.start_watching()
        return self

    def _arrived(self, card: IdCard) -> None:
        if not self._stop.is_set():
            self._on_applicant(applicant_from_card(card))

    def _failed(self, error: IdCardError) -> None:
        if not self._stop.is_set():
            self._on_error(card_notice(error))

    def _health(self, health: DeviceHealth) -> None:
        if not health.usable:
            self._unusable(health)

    def _unusable(self, health: DeviceHealth) -> None:
        with self._lock:
            if self._stop.is_set() or self._told_unusable:
                return
            self._told_unusable = True
        log.warning("identify: no usable reader (%s)", health.reason)
        self._on_error(READER_UNAVAILABLE)

    @property
    def cancelled(self) -> bool:
        return self._stop.is_set()

    def cancel(self) -> None:
        with self._lock:
            if self._stop.is_set():
                return
            self._stop.set()
        if self.reader is not None:
            # The reader keeps watching (stopping it would wait for a command in flight on the caller's
            # thread, which is the UI's); only this wait stops listening.
            self.reader.card_did_arrive.disconnect(self._arrived)
            self.reader.card_did_fail.disconnect(self._failed)
            self.reader.device_did_change_health.disconnect(self._health)


class QrWait(ThreadWait):
    """Looking for a QR code on the wait's own thread, for one identify step; a camera fault is told once and
    the camera tried again (it may come back). Nothing is told after :meth:`cancel`."""

    def __init__(
        self, scanner: QrScanner | None, on_applicant: Callable[[Applicant], None], on_error: Callable[[Notice], None]
    ) -> None:
        super().__init__("identify-qr")
        self.scanner = scanner
        self._on_applicant = on_applicant
        self._on_error = on_error

    def start(self) -> QrWait:
        if self.scanner is None:
            self._on_error(CAMERA_USE_CARD)
        else:
            self.start_thread()
        return self

    def run(self) -> None:
        scanner, stop = self.scanner, self.stopping
        assert scanner is not None
        told = False
        while not stop.is_set():
            try:
                text = scanner.scan_qr_text(QR_SCAN_SECONDS)
            except Exception as exc:  # noqa: BLE001 - a camera fault is told to the person, not raised
                if not told:
                    told = True
                    log.warning("identify: QR scan failed: %s", exc)
                    if not stop.is_set():
                        self._on_error(CAMERA_USE_CARD)
                stop.wait(QR_RETRY_SECONDS)
                continue
            if text and not stop.is_set():
                self._on_applicant(applicant_from_qr(text))
                return


class ReaderIdentification:
    """The :class:`kiosk.visit.ports.Identification` port over an ID card reader and an optional QR scanner.

    Every wait belongs to whoever started it and is cancelled by them; :meth:`stop_waiting` cancels those still
    running (the window is going away)."""

    def __init__(self, reader: IdCardReader | None, scanner: QrScanner | None = None) -> None:
        self.reader = reader
        self.scanner = scanner
        self._lock = threading.Lock()
        self._waits: weakref.WeakSet[CardWait | QrWait] = weakref.WeakSet()

    def wait_for_card(self, on_applicant: Callable[[Applicant], None], on_error: Callable[[Notice], None]) -> CardWait:
        wait = CardWait(self.reader, on_applicant, on_error)
        with self._lock:
            self._waits.add(wait)
        return wait.start()

    def wait_for_qr(self, on_applicant: Callable[[Applicant], None], on_error: Callable[[Notice], None]) -> QrWait:
        wait = QrWait(self.scanner, on_applicant, on_error)
        with self._lock:
            self._waits.add(wait)
        return wait.start()

    def stop_waiting(self) -> None:
        with self._lock:
            waits = list(self._waits)
        for wait in waits:
            wait.cancel()
