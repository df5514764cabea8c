"""The submission intake desk (受理): validate, open the seal, check attachments, store once, number the case.

Used alike by ``POST /submissions``, the batch endpoint and the import of a removable drive, so all three
dedupe the same way. Dedupe is the database's unique constraint on (terminal id, submission id), permanent:
the first answer is stored with the row and replayed for the same canonical body; another body under the same
key is a conflict. Concurrent first deliveries race on the INSERT; the losers read the winner's row.

An id is its terminal's: the same id from another terminal never replaces, nor is it answered with, the first
terminal's record. A seal made by a current terminal binds its terminal id, so another terminal's copy of a
body does not open (422) and stores nothing. A seal from before the binding proves no terminal, but the
kiosk's payload names its terminal (``terminal_id``): a payload naming another terminal is refused (422
``payload_of_another_terminal``). An id another terminal already holds is refused (409 ``conflict``) unless
the payload names the caller: then it is the caller's own submission, stored under the caller's key, so a
copy that another terminal got stored first (before these checks) never blocks the true terminal.

An assisted case (帮办代办) is checked before it is stored (its 委托, ``central.staff.screening``); a laptop's
回交/回访 (``"kind": "case_event"``) is stored as a submission without a case number of its own and answered
with the number of the case it belongs to. A terminal's usage batch (service ``_usage``, counts for the usage
rollup) is stored without a case number and answered with the reserved code in its place (the outbox and a
drive's receipt file need a value there): it is never a case.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Connection, Engine, bindparam, func, insert, select, text
from sqlalchemy.exc import IntegrityError

from central.attachments import read_content
from central.clock import case_number, iso, utc_now
from central.db import reading
from central.keys import PlatformKeys
from central.models import SubmissionIn
from central.schema import attachments, submission_attachments, submissions
from central.staff.screening import CaseEventIn, Refusal, Screened, StaffIntake
from offline_cache.wire.protocol import (
    MAX_SUBMISSION_BYTES,
    USAGE_SERVICE_CODE,
    canonical_json,
    envelope,
    error_body,
    load_json,
)
from offline_cache.wire.sealing import Opener, SealError

log = logging.getLogger("central.intake")


@dataclass(frozen=True)
class Answer:
    """One answer to one submission: HTTP status and JSON body; ``replayed``: the first answer again."""

    status: int
    body: dict[str, Any]
    replayed: bool = False


def _reject(status: int, code: str, message: str) -> Answer:
    return Answer(status, error_body(code, message))


def validation_message(exc: ValidationError) -> str:
    """A pydantic error as one line a technician can act on (field path and what is wrong, no values)."""
    parts = []
    for err in exc.errors(include_url=False, include_input=False):
        where = ".".join(str(p) for p in err["loc"]) or "body"
        parts.append(f"{where}: {err['msg']}")
    return "; ".join(parts[:5]) + (f" (+{len(parts) - 5} more)" if len(parts) > 5 else "")


@dataclass(frozen=True)
class _Checked:
    """A body that validated: its id, terminal, canonical bytes and their hash, and what opening its seal
    gave (the payload, or the refusal to send if the id turns out to be new)."""

    model: SubmissionIn
    canonical: bytes
    sha256: str
    opened: bytes | Answer = b""
    #: An assisted case or a laptop's 回交/回访, as checked (``None``: a kiosk's own submission).
    screened: Screened | None = None


# Built once: passing parameters at execute time keeps SQLAlchemy's per-call work (and the batch) fast.
_FIND = select(submissions.c.id, submissions.c.terminal_id, submissions.c.body_sha256, submissions.c.response).where(
    submissions.c.id.in_(bindparam("ids", expanding=True))
)
_INSERT = insert(submissions)
#: ``n`` numbers from the rows' sequence, which every instance draws from (PostgreSQL).
_NEXT_SEQS = text("SELECT nextval(pg_get_serial_sequence('submissions', 'seq')) FROM generate_series(1, :n)")
_LAST_SEQ = select(func.coalesce(func.max(submissions.c.seq), 0))
_LINK = insert(submission_attachments)
#: The key of a row in ``submissions``: (terminal id, submission id).
_Key = tuple[str, str]
#: What ``_FIND`` gives per stored key: its body's hash and its first answer.
_Stored = dict[_Key, tuple[str, str]]

_ATTACHMENT = select(attachments.c.upload_length, attachments.c.complete).where(
    attachments.c.sha256 == bindparam("sha256")
)


class IntakeDesk:
    """Accepts submissions into the platform's database, exactly once per submission id."""

    def __init__(
        self,
        engine: Engine,
        keys: PlatformKeys,
        *,
        max_submission_bytes: int = MAX_SUBMISSION_BYTES,
        catalog: Callable[[], bytes] | None = None,
    ) -> None:
        self._engine = engine
        self._opener = Opener(keys.seal)
        self._max_bytes = max_submission_bytes
        self._staff = StaffIntake(engine, catalog)

    def accept(self, raw: object, *, terminal_id: str, idempotency_key: str | None) -> Answer:
        """One submission posted on its own (``POST /submissions``)."""
        checked = self._check(raw, terminal_id)
        if isinstance(checked, Answer):
            return checked
        if idempotency_key is None:
            return _reject(422, "missing_idempotency_key", "Idempotency-Key header is missing")
        if idempotency_key != checked.model.id:
            return _reject(422, "idempotency_key_mismatch", "Idempotency-Key must equal the body's id")
        opened = self._open_all([checked])
        with self._engine.begin() as conn:
            return self._store_all(conn, opened)[0]

    def accept_many(self, raws: Sequence[object], *, terminal_id: str) -> list[tuple[str, Answer]]:
        """Many submissions in one database transaction (one disk flush), each answered on its own."""
        checked = [self._check(raw, terminal_id) for raw in raws]
        answers: list[Answer | None] = [c if isinstance(c, Answer) else None for c in checked]
        valid = self._open_all([c for c in checked if isinstance(c, _Checked)])
        if valid:
            with self._engine.begin() as conn:
                stored = iter(self._store_all(conn, valid))
                answers = [a if a is not None else next(stored) for a in answers]
        ids = [
            c.model.id if isinstance(c, _Checked) else str(raw.get("id", "")) if isinstance(raw, dict) else ""
            for c, raw in zip(checked, raws, strict=True)
        ]
        return [(i, a) for i, a in zip(ids, answers, strict=True) if a is not None]

    def _check(self, raw: object, terminal_id: str) -> _Checked | Answer:
        try:
            model = raw if isinstance(raw, SubmissionIn) else SubmissionIn.model_validate(raw)
        except ValidationError as exc:
            return _reject(422, "invalid_submission", validation_message(exc))
        if model.terminal_id != terminal_id:
            return _reject(403, "wrong_terminal", f"terminal_id {model.terminal_id!r} is not this terminal")
        canonical = canonical_json(model.model_dump(mode="json"))
        if len(canonical) > self._max_bytes:
            # A batch item is answered as if posted alone, where the body limit would have refused it.
            return _reject(413, "too_large", f"a submission may be at most {self._max_bytes} bytes")
        return _Checked(model, canonical, hashlib.sha256(canonical).hexdigest())

    @staticmethod
    def _compare(checked: _Checked, body_sha256: str, response: str) -> Answer:
        if body_sha256 != checked.sha256:
            log.info("submission %s: same key, different body -> 409", checked.model.id)
            return _reject(409, "idempotency_conflict", "this submission id was already used for a different body")
        return Answer(201, json.loads(response), replayed=True)

    @staticmethod
    def _decide(item: _Checked, stored: _Stored) -> Answer | None:
        """The answer for ``item`` given the stored rows of its id, or None: store it."""
        key = (item.model.terminal_id, item.model.id)
        if key in stored:
            return IntakeDesk._compare(item, *stored[key])
        held_elsewhere = any(submission_id == item.model.id for _, submission_id in stored)
        if held_elsewhere and not (
            isinstance(item.opened, bytes) and _named_terminal(item.opened) == item.model.terminal_id
        ):
            # Not this terminal's id: neither the other record nor its answer is any business of the caller.
            log.info("submission %s: id of another terminal, from %s -> 409", item.model.id, item.model.terminal_id)
            return _reject(409, "conflict", "this submission id belongs to another terminal's submission")
        if isinstance(item.opened, Answer):
            return item.opened
        return None

    @staticmethod
    def _find(conn: Connection, ids: list[str]) -> _Stored:
        return {(row[1], row[0]): (row[2], row[3]) for row in conn.execute(_FIND, {"ids": ids})}

    def _store_all(self, conn: Connection, items: list[_Checked]) -> list[Answer]:
        """Store what is new in one go; answer what exists from the stored first answer."""
        stored = self._find(conn, [c.model.id for c in items])
        answers: list[Answer | None] = [None] * len(items)
        fresh: list[tuple[int, _Checked, bytes]] = []
        later: list[int] = []  # repeats inside this batch, answered once the first copy is stored
        taken: set[_Key] = set()
        for index, item in enumerate(items):
            key = (item.model.terminal_id, item.model.id)
            if key not in stored and key in taken:
                later.append(index)
                continue
            answers[index] = self._decide(item, stored)
            if answers[index] is None:
                assert isinstance(item.opened, bytes)
                taken.add(key)
                fresh.append((index, item, item.opened))
        if fresh:
            try:
                with conn.begin_nested():
                    for (index, _, _), answer in zip(fresh, self._insert(conn, fresh), strict=True):
                        answers[index] = answer
            except IntegrityError:
                # Another request stored one of these keys first: settle them one at a time.
                later.extend(index for index, _, _ in fresh)
        for index in sorted(later):
            answers[index] = self._store_one(conn, items[index])
        return [a for a in answers if a is not None]

    def _store_one(self, conn: Connection, item: _Checked) -> Answer:
        answer = self._decide(item, self._find(conn, [item.model.id]))
        if answer is not None:
            return answer
        assert isinstance(item.opened, bytes)
        try:
            with conn.begin_nested():
                return self._insert(conn, [(0, item, item.opened)])[0]
        except IntegrityError:
            stored = self._find(conn, [item.model.id])
            if (item.model.terminal_id, item.model.id) not in stored:
                raise
            answer = self._decide(item, stored)
            assert answer is not None
            return answer

    def _insert(self, conn: Connection, fresh: list[tuple[int, _Checked, bytes]]) -> list[Answer]:
        """Each row written once, whole: its number drawn first, so its case number and its first answer are in
        the ``INSERT`` (writing them by an ``UPDATE`` after it cost PostgreSQL a second version of every row)."""
        now = utc_now()
        received_at = iso(now)
        rows: list[dict[str, Any]] = []
        answers: list[Answer] = []
        links: list[dict[str, Any]] = []
        cases: list[str] = []
        for seq, (_, item, payload) in zip(_row_numbers(conn, len(fresh)), fresh, strict=True):
            terminal_id, submission_id = item.model.terminal_id, item.model.id
            event = item.screened if isinstance(item.screened, CaseEventIn) else None
            usage = item.model.service_code == USAGE_SERVICE_CODE  # counts, not a case: no number of its own
            case_no = event.case_no if event else USAGE_SERVICE_CODE if usage else case_number(seq, now)
            extra = {"case_submission_id": event.case_submission_id, "event": event.event} if event else {}
            body = envelope(
                "submission_receipt",
                submission_id=submission_id,
                case_no=case_no,
                received_at=received_at,
                status="accepted",
                **extra,
            )
            rows.append(
                {
                    "seq": seq,
                    "id": submission_id,
                    "terminal_id": terminal_id,
                    "service_code": item.model.service_code,
                    "status": "case_event" if event else "accepted",
                    "case_no": None if event or usage else case_no,  # an event's row has no number of its own
                    "body_sha256": item.sha256,
                    "body": item.canonical.decode("utf-8"),
                    "payload": payload,
                    "response": json.dumps(body, ensure_ascii=False),
                    "received_at": received_at,
                    "updated_at": received_at,
                }
            )
            links.extend(
                {
                    "terminal_id": terminal_id,
                    "submission_id": submission_id,
                    "position": pos,
                    "sha256": ref.sha256,
                    "media_type": ref.media_type,
                }
                for pos, ref in enumerate(item.model.attachments)
            )
            answers.append(Answer(201, body))
            cases.append(case_no)
        conn.execute(_INSERT, rows)
        for row, case_no, (_, item, _) in zip(rows, cases, fresh, strict=True):
            if item.screened is not None:
                self._staff.record(conn, row["terminal_id"], row["id"], case_no, item.screened)
        if links:
            conn.execute(_LINK, links)
        # One line for the rows stored together (a line a submission was ≈ 4 % of the intake's time in a drain);
        # each row holds its case number.
        terminals = ", ".join(sorted({str(row["terminal_id"]) for row in rows}))
        log.info("%d submission(s) from %s accepted: %s … %s", len(rows), terminals, cases[0], cases[-1])
        return answers

    def _open_all(self, items: list[_Checked]) -> list[_Checked]:
        """Open every seal and check every attachment before the write transaction.

        On SQLite the write transaction holds the database's one write lock; opening a hundred seals inside it
        kept attachment uploads waiting (and sleeping in SQLite's busy handler). A complete attachment never
        changes (content-addressed), so what is checked here still holds when the rows are written.
        """
        if not items:
            return []
        with reading(self._engine) as conn:
            return [
                self._screen(conn, replace(item, opened=_own(item.model, self._open(conn, item)))) for item in items
            ]

    def _screen(self, conn: Connection, item: _Checked) -> _Checked:
        """An assisted case's 委托 and a 回交/回访's case, checked before anything is stored."""
        if not isinstance(item.opened, bytes):
            return item
        made_at = datetime.fromisoformat(item.model.created_at)
        screened = self._staff.screen(conn, item.opened, item.model.service_code, made_at)
        if isinstance(screened, Refusal):
            log.info("submission %s: assisted handling refused (%s)", item.model.id, screened.code)
            return replace(item, opened=_reject(screened.status, screened.code, screened.message))
        return replace(item, screened=screened)

    def _open(self, conn: Connection, checked: _Checked) -> bytes | Answer:
        model = checked.model
        try:
            blob = model.sealed.to_blob()
        except ValueError as exc:
            return _reject(422, "invalid_submission", str(exc))
        try:
            # The data key is unwrapped once (one X25519) for the payload and every attachment.
            # The token's terminal (``_check`` made sure the body names it): a seal bound to another terminal
            # does not open. An unbound seal (queued before terminals bound theirs) ignores it.
            key = self._opener.data_key(model.id, blob, terminal_id=model.terminal_id)
            payload = self._opener.open_payload(model.id, blob, key, terminal_id=model.terminal_id)
        except SealError as exc:
            log.info("submission %s: seal does not open", model.id)
            return _reject(422, "seal_does_not_open", f"sealed payload does not open: {exc}")
        for index, ref in enumerate(model.attachments):
            row = conn.execute(_ATTACHMENT, {"sha256": ref.sha256}).first()
            if row is None or not row[1]:
                return _reject(
                    422, "attachment_missing", f"attachment {index} ({ref.sha256}) is not uploaded completely"
                )
            if int(row[0]) != ref.size:
                return _reject(422, "attachment_size", f"attachment {index} is {row[0]} bytes, not {ref.size}")
            try:
                content = read_content(conn, ref.sha256)
                self._opener.open_attachment(model.id, blob, index, content, key, terminal_id=model.terminal_id)
            except SealError as exc:
                return _reject(422, "seal_does_not_open", f"attachment {index} does not open: {exc}")
        return payload


def _row_numbers(conn: Connection, n: int) -> list[int]:
    """``n`` row numbers (``seq``) for new submissions, in order, before their rows are written: PostgreSQL's
    sequence; on SQLite the numbers after the last row (this transaction holds the file's one write lock)."""
    if conn.dialect.name == "postgresql":
        return sorted(int(seq) for seq in conn.execute(_NEXT_SEQS, {"n": n}).scalars())
    last = int(conn.execute(_LAST_SEQ).scalar_one())
    return list(range(last + 1, last + 1 + n))


def _named_terminal(payload: bytes) -> str | None:
    """The ``terminal_id`` a kiosk's payload names (a JSON object), or None when it names none."""
    if b'"terminal_id"' not in payload:
        return None
    try:
        document = load_json(payload)
    except ValueError:
        return None
    named = document.get("terminal_id") if isinstance(document, dict) else None
    return named if isinstance(named, str) else None


def _own(model: SubmissionIn, opened: bytes | Answer) -> bytes | Answer:
    """An opened payload that names another terminal is refused: a copy of that terminal's seal from before
    the binding (a bound seal of another terminal does not open at all)."""
    if isinstance(opened, bytes):
        named = _named_terminal(opened)
        if named is not None and named != model.terminal_id:
            log.info("submission %s: payload of another terminal, from %s", model.id, model.terminal_id)
            return _reject(422, "payload_of_another_terminal", "the sealed payload names another terminal")
    return opened
