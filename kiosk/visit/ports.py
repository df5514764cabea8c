"""The hall's machinery as a screen sees it: small ports the shell calls, implemented over the devices and the
outbox by the adapters of :mod:`kiosk.hall`. Every call may block (card reads, printing, HTTP), so the shell
makes them on a worker thread; results come back as values or typed errors with a message a person can read and
hear. The values that cross from the visit to the hall live here too."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from kiosk.visit.catalog import Service
from kiosk.visit.session import Answer, Applicant
from kiosk.visit.strings import Texts

#: The channel a terminal reports for its cases and ratings (好差评's 渠道).
CHANNEL = "self_service_terminal"


@dataclass(frozen=True)
class SubmissionRequest:
    """What the person asked for, ready to hand to the outbox (case), the query service or the ticket queue."""

    service: Service
    applicant: Applicant | None
    answers: dict[str, Answer]


@dataclass(frozen=True)
class SubmitOutcome:
    """How the submission went: ``accepted`` (case number now), ``queued`` (provisional number), ``query``,
    ``ticket`` or ``failed`` (reason)."""

    kind: str
    case_no: str = ""
    reason: str = ""
    rows: tuple[tuple[str, str], ...] = ()
    waiting: int = 0
    #: 预计等候 for a queue ticket, in minutes, from the people ahead and the hall's forecast; None: no forecast.
    expected_wait_minutes: int | None = None


@dataclass(frozen=True)
class Rating:
    """One 好差评 rating: five levels, never pre-selected; a reason only for the two lowest."""

    level: int
    reason: str
    case_no: str
    service_code: str


@dataclass(frozen=True)
class Terminal:
    terminal_id: str
    region_code: str
    channel: str = CHANNEL


@dataclass(frozen=True)
class StatusLine:
    name: str
    state: str  # ok | degraded | offline
    reason: str
    #: How many are waiting (the outbox's line); 0 for a device.
    count: int = 0


@dataclass(frozen=True)
class Notice:
    """A sentence for the citizen, named by its key in the strings catalog (:mod:`kiosk.visit.strings`) with its
    fields: the hall says *what* happened, the visit says it in the visit's language, on screen and aloud."""

    key: str
    fields: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, key: str, **fields: object) -> Notice:
        return cls(key, tuple((name, str(value)) for name, value in fields.items()))

    def text(self, texts: Texts) -> str:
        return texts(self.key, **dict(self.fields))


class HallError(Exception):
    """Something a citizen meets (no card read, printer out of paper): ``notice`` is shown and spoken in the
    visit's language; ``message`` is the same sentence in Chinese, for the log."""

    def __init__(self, notice: Notice | str, *, state: str = "failed") -> None:
        self.notice = notice if isinstance(notice, Notice) else Notice(notice)
        self.message = self.notice.text(Texts())
        super().__init__(self.message)
        self.state = state


class Matters(Protocol):
    """Submits a matter (case, query, ticket) and records ratings; never loses a saved submission."""

    def handle(self, request: SubmissionRequest) -> SubmitOutcome: ...

    def rate(self, rating: Rating, applicant: Applicant | None) -> None: ...


class Wait(Protocol):
    """One device wait (a card, a QR code, the camera's picture), started when a step is entered: it owns its
    stop, reports a device failure once, and reports nothing after :meth:`cancel` (the step was left)."""

    def cancel(self) -> None: ...


class Identification(Protocol):
    """Waits for an ID card on the reader (or a QR code) and reports who it is."""

    def wait_for_card(self, on_applicant: Callable[[Applicant], None], on_error: Callable[[Notice], None]) -> Wait: ...

    def wait_for_qr(self, on_applicant: Callable[[Applicant], None], on_error: Callable[[Notice], None]) -> Wait: ...

    def stop_waiting(self) -> None:
        """Cancel every wait still running (the window is going away)."""
        ...


class Receipts(Protocol):
    """Prints the receipt for a finished matter; raises :class:`HallError` (``state`` = paper_out | failed)."""

    def print_receipt(self, request: SubmissionRequest, outcome: SubmitOutcome) -> None: ...

    def busy(self) -> bool: ...


class Capture(Protocol):
    """Takes a document scan or a photo; raises :class:`HallError` with what to fix ("请把材料放平")."""

    def preview(self) -> bytes | None: ...

    def watch_preview(self, on_frame: Callable[[bytes], None]) -> Wait:
        """The camera's picture, a few times a second on the wait's own thread, until cancelled."""
        ...

    def capture(self, kind: str) -> bytes: ...


class StaffCall(Protocol):
    def call_staff(self, screen: str) -> bool:
        """Alert the hall; True when the alert reached the platform now (else it is queued)."""
        ...

    def staff_coming(self) -> bool:
        """Whether the hall's staff acknowledged the last call in the fleet console (工作人员马上到); no I/O."""
        ...


class DemoControls(Protocol):
    """Only in demo mode: put a sample card on the simulated reader, show a sample QR, run out of paper."""

    def place_card(self) -> None: ...

    def show_qr(self) -> None: ...


class TechnicianDesk(Protocol):
    """What technician mode shows and does: every device's state and why, the queue, a test of each device,
    sync, and the hall's settings (validated, written to the config file, applied in place). What it says is a
    :class:`Notice`, shown in the session's language."""

    def report(self) -> list[StatusLine]: ...

    def test_print(self) -> Notice: ...

    def test_card(self, timeout: float = 10.0) -> Notice:
        """Wait for a card and read it; the answer shows it masked."""
        ...

    def device_tested(self, device: str, ok: bool) -> None:
        """Record a test the panel ran itself (the voice, the camera) in the audit log."""

    def camera_view(self) -> tuple[bytes, tuple[tuple[int, int], ...]] | None:
        """The camera's latest picture (JPEG) and the corners of a QR code in it (empty: none seen)."""
        ...

    def sync_now(self) -> Notice: ...

    def scan_enrolment(self) -> Notice | None:
        """An enrolment code in the camera's picture, checked and written (None: none seen yet);
        :class:`HallError` when one was seen and nothing was written."""
        ...

    def pin_entered(self, ok: bool, locked_seconds: int = 0) -> None:
        """Record a try of the technician's PIN, right or wrong, in the audit log."""

    def settings(self) -> dict[str, object]:
        """The current value of each setting the panel offers, by dotted config key."""
        ...

    def plugged_in(self) -> dict[str, list[str]]:
        """The connections each device (``id_reader``, ``printer``, ``camera``) could use now."""
        ...

    def configure(self, changes: Mapping[str, object]) -> Notice:
        """Validate, write and apply; :class:`HallError` and nothing written when a value cannot be used."""
        ...


#: Handwritten strokes: each stroke the points a finger passed through, in the writing pad's pixels.
Strokes = tuple[tuple[tuple[int, int], ...], ...]


class Handwriting(Protocol):
    """Recognise a handwritten character (手写): strokes in, the characters they may be out, best first."""

    def recognise(self, strokes: Strokes, size: int, count: int = 10) -> list[str]:
        """``size``: the side of the square pad the strokes were written on. An empty list: nothing likely."""
        ...

    def unavailable(self) -> str:
        """Why handwriting cannot be recognised on this terminal (no engine, no model), or "" when it can."""
        ...


@dataclass(frozen=True)
class HallPorts:
    """Everything the shell needs from the hall, in one value made at start-up."""

    matters: Matters
    identification: Identification
    receipts: Receipts
    capture: Capture
    staff: StaffCall
    demo: DemoControls | None = None
    technician: TechnicianDesk | None = None
    handwriting: Handwriting | None = None
