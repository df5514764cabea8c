"""Opening the hall in the background, so the attract screen paints before the devices and platform are up.

:class:`HallOpening` starts :func:`kiosk.hall.compose.open_hall` on a thread and hands out ports at once. A port call
that needs the hall (submitting, printing, waiting for a card) waits for it on the caller's worker thread; calls
the screen makes on the main thread (is a receipt printing? what does the camera see?) answer "not yet"
instead of waiting.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from kiosk.hall.handwriting import open_handwriting
from kiosk.hall.notices import STARTING
from kiosk.visit.ports import (
    HallError,
    HallPorts,
    Notice,
    Rating,
    StatusLine,
    SubmissionRequest,
    SubmitOutcome,
    TechnicianDesk,
    Wait,
)
from kiosk.visit.session import Applicant
from kiosk.visit.strings import Texts
from offline_cache.sqlite_versions import SchemaTooNewError

if TYPE_CHECKING:
    from kiosk.hall.compose import Hall

log = logging.getLogger(__name__)

OPEN_TIMEOUT = 60.0


class HallOpening:
    def __init__(self, open_hall: Callable[[], Hall], *, demo: bool) -> None:
        self._ready = threading.Event()
        self._hall: Hall | None = None
        self.error: Exception | None = None
        self.hall_did_open: list[Callable[[Hall], None]] = []
        self._pending: weakref.WeakSet[_PendingWait] = weakref.WeakSet()
        self._lock = threading.Lock()
        forward = _Forward(self)
        self.ports = HallPorts(
            forward, forward, forward, forward, forward, forward if demo else None, forward, open_handwriting()
        )
        self._thread = threading.Thread(target=self._open, args=(open_hall,), name="hall-opening", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _open(self, open_hall: Callable[[], Hall]) -> None:
        try:
            self._hall = open_hall()
        except (SchemaTooNewError, OSError) as exc:
            # Known and explained in one line: a newer release's files, a data folder that cannot be written.
            log.error("the hall could not be opened: %s", exc)
            self.error = exc
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
            raise HallError(STARTING)
        return self._hall

    def track(self, wait: _PendingWait) -> None:
        with self._lock:
            self._pending.add(wait)

    def cancel_pending(self) -> None:
        """Cancel the waits asked for before the hall was open (the window is going away)."""
        with self._lock:
            pending = list(self._pending)
        for wait in pending:
            wait.cancel()

    def close(self) -> None:
        if self._ready.wait(OPEN_TIMEOUT) and self._hall is not None:
            self._hall.close()


class _PendingWait:
    """A wait asked for before the hall was open: the real one starts when the hall is, unless cancelled first."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cancelled = False
        self._inner: Wait | None = None

    @property
    def cancelled(self) -> bool:
        return self._cancelled

    def begin(self, start: Callable[[], Wait]) -> None:
        with self._lock:
            if not self._cancelled:
                self._inner = start()

    def cancel(self) -> None:
        with self._lock:
            self._cancelled = True
            inner, self._inner = self._inner, None
        if inner is not None:
            inner.cancel()


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

    # Identification: the wait starts when the hall is there, unless it was cancelled meanwhile
    def _when_open(self, start: Callable[[HallPorts], Wait], on_error: Callable[[Notice], None]) -> Wait:
        hall = self.opening.hall
        if hall is not None:
            return start(hall.ports)
        pending = _PendingWait()
        self.opening.track(pending)

        def later() -> None:
            try:
                ports = self._ports()
            except HallError as exc:
                if not pending.cancelled:
                    on_error(exc.notice)
                return
            pending.begin(lambda: start(ports))

        threading.Thread(target=later, name="identify-when-open", daemon=True).start()
        return pending

    def wait_for_card(self, on_applicant: Callable[[Applicant], None], on_error: Callable[[Notice], None]) -> Wait:
        return self._when_open(lambda ports: ports.identification.wait_for_card(on_applicant, on_error), on_error)

    def wait_for_qr(self, on_applicant: Callable[[Applicant], None], on_error: Callable[[Notice], None]) -> Wait:
        return self._when_open(lambda ports: ports.identification.wait_for_qr(on_applicant, on_error), on_error)

    def stop_waiting(self) -> None:
        self.opening.cancel_pending()
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

    def watch_preview(self, on_frame: Callable[[bytes], None]) -> Wait:
        return self._when_open(lambda ports: ports.capture.watch_preview(on_frame), lambda _message: None)

    def capture(self, kind: str) -> bytes:
        return self._ports().capture.capture(kind)

    # Staff call
    def call_staff(self, screen: str) -> bool:
        return self._ports().staff.call_staff(screen)

    def staff_coming(self) -> bool:
        hall = self.opening.hall
        return hall is not None and hall.ports.staff.staff_coming()

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
            raise HallError(STARTING)
        return desk

    def report(self) -> list[StatusLine]:
        hall = self.opening.hall
        if hall is None or hall.ports.technician is None:
            error = self.opening.error
            reason = f"{type(error).__name__}: {error}" if error is not None else STARTING.text(Texts())
            return [StatusLine("hall", "offline", reason)]
        return hall.ports.technician.report()

    def test_print(self) -> Notice:
        return self._desk().test_print()

    def test_card(self, timeout: float = 10.0) -> Notice:
        return self._desk().test_card(timeout)

    def device_tested(self, device: str, ok: bool) -> None:
        self._desk().device_tested(device, ok)

    def camera_view(self) -> tuple[bytes, tuple[tuple[int, int], ...]] | None:
        return self._desk().camera_view()

    def sync_now(self) -> Notice:
        return self._desk().sync_now()

    def scan_enrolment(self) -> Notice | None:
        return self._desk().scan_enrolment()

    def settings(self) -> dict[str, object]:
        return self._desk().settings()

    def plugged_in(self) -> dict[str, list[str]]:
        return self._desk().plugged_in()

    def configure(self, changes: Mapping[str, object]) -> Notice:
        return self._desk().configure(changes)

    def pin_entered(self, ok: bool, locked_seconds: int = 0) -> None:
        self._desk().pin_entered(ok, locked_seconds)
