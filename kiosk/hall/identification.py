"""Identifying the citizen: the ID card on the reader (一证通办) or a QR code on the camera.

Only a card *placed* while the identify screen listens counts: a card someone left on the reader never
identifies the next person. The reader watches from the first identify screen on; screens only listen.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Protocol

from devices.idcard.card import IdCard
from devices.idcard.errors import IdCardError
from devices.idcard.reader import IdCardReader
from kiosk.visit.session import Applicant

log = logging.getLogger(__name__)

NO_READER = "身份证读卡器暂时不能使用，请呼叫工作人员 / the ID card reader is not available, please call staff"
NO_CAMERA = "摄像头暂时不能使用，请改用身份证 / the camera is not available, please use your ID card"


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


class ReaderIdentification:
    """The :class:`kiosk.visit.ports.Identification` port over an ID card reader and an optional QR scanner."""

    def __init__(self, reader: IdCardReader | None, scanner: QrScanner | None = None) -> None:
        self.reader = reader
        self.scanner = scanner
        self._lock = threading.Lock()
        self._on_card: Callable[[IdCard], None] | None = None
        self._on_fail: Callable[[IdCardError], None] | None = None
        self._qr_stop = threading.Event()

    def wait_for_card(self, on_applicant: Callable[[Applicant], None], on_error: Callable[[str], None]) -> None:
        self.stop_waiting()
        if self.reader is None or not self.reader.health.usable:
            reason = self.reader.health.reason if self.reader is not None else ""
            log.warning("identify: no usable reader (%s)", reason)
            on_error(NO_READER)
            if self.reader is None:
                return

        def arrived(card: IdCard) -> None:
            on_applicant(applicant_from_card(card))

        def failed(error: IdCardError) -> None:
            on_error(error.message)

        with self._lock:
            self._on_card, self._on_fail = arrived, failed
        assert self.reader is not None
        self.reader.card_did_arrive.connect(arrived)
        self.reader.card_did_fail.connect(failed)
        self.reader.start_watching()

    def wait_for_qr(self, on_applicant: Callable[[Applicant], None], on_error: Callable[[str], None]) -> None:
        self.stop_waiting()
        scanner = self.scanner
        if scanner is None:
            on_error(NO_CAMERA)
            return
        self._qr_stop.clear()
        stop = self._qr_stop

        def loop() -> None:
            while not stop.is_set():
                try:
                    text = scanner.scan_qr_text(0.5)
                except Exception as exc:  # noqa: BLE001 - a camera fault is told to the person, not raised
                    log.warning("identify: QR scan failed: %s", exc)
                    on_error(NO_CAMERA)
                    return
                if text and not stop.is_set():
                    on_applicant(applicant_from_qr(text))
                    return

        threading.Thread(target=loop, name="identify-qr", daemon=True).start()

    def stop_waiting(self) -> None:
        self._qr_stop.set()
        with self._lock:
            on_card, on_fail = self._on_card, self._on_fail
            self._on_card = self._on_fail = None
        if self.reader is not None and on_card is not None and on_fail is not None:
            # The reader keeps watching (stopping it would wait for a command in flight on the caller's
            # thread, which is the UI's); only this visit stops listening.
            self.reader.card_did_arrive.disconnect(on_card)
            self.reader.card_did_fail.disconnect(on_fail)
