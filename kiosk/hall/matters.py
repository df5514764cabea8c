"""Handling a matter (办件): a case goes into the sealed outbox, a query asks, a queue ticket is issued.

Once :meth:`OutboxMatters.handle` returns, a case is durably saved: it reaches the platform exactly once, now or
when the network returns. If the platform accepts it within a few seconds the citizen gets the case number
(受理编号) at once; otherwise a provisional number and the promise that the result follows by SMS.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime

from kiosk.hall.queries import QueryDesk
from kiosk.records.ratings import RatingBook
from kiosk.records.tickets import TicketRoll
from kiosk.visit.identity import mask_name
from kiosk.visit.ports import Rating, SubmissionRequest, SubmitOutcome, Terminal
from kiosk.visit.session import Applicant
from offline_cache.models import NewAttachment, OutboxWriteError
from offline_cache.store import Outbox
from offline_cache.wire.protocol import SubmissionSummary

_MEDIA_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}


#: The characters of a provisional number: no 0/O and no 1/I, which a person reading the slip aloud (or staff
#: typing it) cannot tell apart; 32 of them, so each stands for five bits.
PROVISIONAL_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
#: Eight characters: the last 40 bits of the UUIDv7 submission id (its random part).
PROVISIONAL_LENGTH = 8


def provisional_number(submission_id: str) -> str:
    """A number the citizen can quote at the counter before the case number exists (临时编号): ``LS`` and eight
    characters of :data:`PROVISIONAL_ALPHABET`, from the random end of the submission id."""
    bits = int(submission_id.replace("-", "")[-10:], 16)
    chars = []
    for _ in range(PROVISIONAL_LENGTH):
        bits, index = divmod(bits, len(PROVISIONAL_ALPHABET))
        chars.append(PROVISIONAL_ALPHABET[index])
    return "LS" + "".join(reversed(chars))


def payload_for(request: SubmissionRequest, terminal: Terminal, now: datetime) -> tuple[bytes, list[NewAttachment]]:
    """The sealed part of a submission: everything the department needs, nothing kept in clear."""
    applicant = request.applicant
    attachments: list[NewAttachment] = []
    answers: dict[str, object] = {}
    for key, answer in request.answers.items():
        if answer.file is not None:
            media_type = _MEDIA_TYPES.get(answer.file.suffix.lower(), "application/octet-stream")
            attachments.append(NewAttachment(answer.file.read_bytes(), media_type))
            answers[key] = {"attachment": len(attachments) - 1, "media_type": media_type}
        else:
            answers[key] = answer.value
    body = {
        "service_code": request.service.code,
        "service_name": request.service.name.zh,
        "terminal_id": terminal.terminal_id,
        "region_code": terminal.region_code,
        "channel": terminal.channel,
        "submitted_at": now.isoformat(),
        "applicant": None
        if applicant is None
        else {
            "name": applicant.name,
            "id_number": applicant.id_number,
            "gender": applicant.gender,
            "birth_date": applicant.birth_date.isoformat() if applicant.birth_date else None,
            "address": applicant.address,
            "identified_by": applicant.source,
        },
        "answers": answers,
    }
    return json.dumps(body, ensure_ascii=False, sort_keys=True).encode(), attachments


class OutboxMatters:
    """The :class:`kiosk.visit.ports.Matters` port over the outbox, the sync engine, the query desk and tickets."""

    def __init__(
        self,
        outbox: Outbox,
        terminal: Terminal,
        *,
        trigger_sync: Callable[[], None],
        queries: QueryDesk,
        tickets: TicketRoll,
        ratings: RatingBook,
        wait_for_case: float = 4.0,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        expected_wait: Callable[[int], int | None] = lambda _waiting: None,
    ) -> None:
        #: 预计等候 in minutes for a ticket with so many people ahead; None without a forecast.
        self.expected_wait = expected_wait
        self.outbox = outbox
        self.terminal = terminal
        self.trigger_sync = trigger_sync
        self.queries = queries
        self.tickets = tickets
        self.ratings = ratings
        self.wait_for_case = wait_for_case
        self.now = now

    def handle(self, request: SubmissionRequest) -> SubmitOutcome:
        outcome = request.service.outcome
        if outcome == "ticket":
            counter = request.answers["counter"].value if "counter" in request.answers else "A"
            ticket = self.tickets.issue(counter)
            minutes = self.expected_wait(ticket.waiting)
            return SubmitOutcome("ticket", case_no=ticket.number, waiting=ticket.waiting, expected_wait_minutes=minutes)
        if outcome == "query":
            rows = self.queries.ask(request)
            if rows is None:
                return SubmitOutcome("query_offline")
            return SubmitOutcome("query", case_no=self.queries.reference(request), rows=rows)
        return self._submit_case(request)

    def _submit_case(self, request: SubmissionRequest) -> SubmitOutcome:
        now = self.now()
        payload, attachments = payload_for(request, self.terminal, now)
        applicant = request.applicant
        summary = SubmissionSummary(
            service_code=request.service.code,
            service_name=request.service.name.zh,
            applicant_masked=mask_name(applicant.name) if applicant else "",
            created_at=now.isoformat(),
        )
        try:
            submission_id = self.outbox.put(payload, summary, attachments)
        except OutboxWriteError as exc:
            return SubmitOutcome("failed", reason=str(exc))
        self.trigger_sync()
        deadline = time.monotonic() + self.wait_for_case
        while time.monotonic() < deadline:
            item = self.outbox.item(submission_id)
            if item.state == "sent" and item.case_no:
                return SubmitOutcome("accepted", case_no=item.case_no)
            if item.state in ("retry", "quarantined"):
                break
            time.sleep(0.05)
        return SubmitOutcome("queued", case_no=provisional_number(submission_id))

    def rate(self, rating: Rating, applicant: Applicant | None) -> None:
        self.ratings.record(rating, self.terminal, applicant)
