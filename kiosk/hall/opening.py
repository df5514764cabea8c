"""Opening the hall in the background, so the attract screen paints before the devices and platform are up.

:class:`HallOpening` starts :func:`kiosk.hall.compose.open_hall` on a thread and hands out ports at once. A port call
that needs the hall (submitting, printing, waiting for a card) waits for it on the caller's worker thread; calls
the screen makes on the main thread (is a receipt printing? what does the camera see?) answer "not yet"
instead of waiting.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from kiosk.visit.ports import HallError, HallPorts, Rating, StatusLine, SubmissionRequest, SubmitOutcome, TechnicianDesk
from kiosk.visit.session import Applicant

if TYPE_CHECKING:
    from kiosk.hall.compose import Hall

log = logging.getLogger(__name__)

NOT_READY = "终端正在启动，请稍候再试 / the terminal is still starting, please try again in a moment"
OPEN_TIMEOUT = 60.0


class HallOpening:
    def __init__(self, open_hall: Callable[[], Hall], *, demo: bool) -> None:
        self._ready = threading.Event()
        self._hall: Hall | None = None
        self.error: Exception | None = None
        self.hall_did_open: list[Callable[[Hall], None]] = []
        self._generation = 0
        self._lock = threading.Lock()
        forward = _Forward(self)
        self.ports = HallPorts(forward, forward, forward, forward, forward, forward if demo else None, forward)
        self._thread = threading.Thread(target=self._open, args=(open_hall,), name="hall-opening", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _open(self, open_hall: Callable[[], Hall]) -> None:
        try:
            self._hall = open_hall()
        except Exception as exc:
            log.exception("the hall could not be opened")
            self.error = exc
        self._ready.set()
        if self._hall is not None:
            for callback in list(self.hall_did_open):
                callback(self._hall)

    @property
    def hall(self) -> Hall | None:
        return self._hall if self._ready.is_set() else None

    def wait(self, timeout: float = OPEN_TIMEOUT) -> Hall:
        if not self._ready.wait(timeout) or self._hall is None:
            raise HallError(NOT_READY)
        return self._hall

    def next_generation(self) -> int:
        with self._lock:
            self._generation += 1
            return self._generation

    def is_generation(self, generation: int) -> bool:
        with self._lock:
            return generation == self._generation

    def close(self) -> None:
        if self._ready.wait(OPEN_TIMEOUT) and self._hall is not None:
            self._hall.close()


class _Forward:
    """Every port at once, forwarding to the opened hall's ports."""

    def __init__(self, opening: HallOpening) -> None:
        self.opening = opening

    def _ports(self) -> HallPorts:
        return self.opening.wait().ports

    # Matters
    def handle(self, request: SubmissionRequest) -> SubmitOutcome:
        return self._ports().matters.handle(request)

    def rate(self, rating: Rating, applicant: Applicant | None) -> None:
        self._ports().matters.rate(rating, applicant)

    # Identification: the wait starts when the hall is there, unless the screen moved on meanwhile
    def _when_open(self, start: Callable[[HallPorts], None], on_error: Callable[[str], None]) -> None:
        generation = self.opening.next_generation()
        hall = self.opening.hall
        if hall is not None:
            start(hall.ports)
            return

        def later() -> None:
            try:
                ports = self._ports()
            except HallError as exc:
                on_error(exc.message)
                return
            if self.opening.is_generation(generation):
                start(ports)

        threading.Thread(target=later, name="identify-when-open", daemon=True).start()

    def wait_for_card(self, on_applicant: Callable[[Applicant], None], on_error: Callable[[str], None]) -> None:
        self._when_open(lambda ports: ports.identification.wait_for_card(on_applicant, on_error), on_error)

    def wait_for_qr(self, on_applicant: Callable[[Applicant], None], on_error: Callable[[str], None]) -> None:
        self._when_open(lambda ports: ports.identification.wait_for_qr(on_applicant, on_error), on_error)

    def stop_waiting(self) -> None:
        self.opening.next_generation()
        hall = self.opening.hall
        if hall is not None:
            hall.ports.identification.stop_waiting()

    # Receipts
    def print_receipt(self, request: SubmissionRequest, outcome: SubmitOutcome) -> None:
        self._ports().receipts.print_receipt(request, outcome)

    def busy(self) -> bool:
        hall = self.opening.hall
        return hall is not None and hall.ports.receipts.busy()

    # Capture
    def preview(self) -> bytes | None:
        hall = self.opening.hall
        return None if hall is None else hall.ports.capture.preview()

    def capture(self, kind: str) -> bytes:
        return self._ports().capture.capture(kind)

    # Staff call
    def call_staff(self, screen: str) -> bool:
        return self._ports().staff.call_staff(screen)

    # Demo controls
    def place_card(self) -> None:
        demo = self._ports().demo
        if demo is not None:
            demo.place_card()

    def show_qr(self) -> None:
        demo = self._ports().demo
        if demo is not None:
            demo.show_qr()

    # Technician desk
    def _desk(self) -> TechnicianDesk:
        desk = self._ports().technician
        if desk is None:
            raise HallError(NOT_READY)
        return desk

    def report(self) -> list[StatusLine]:
        hall = self.opening.hall
        if hall is None or hall.ports.technician is None:
            return [StatusLine("hall", "offline", NOT_READY)]
        return hall.ports.technician.report()

    def test_print(self) -> str:
        return self._desk().test_print()

    def sync_now(self) -> str:
        return self._desk().sync_now()
