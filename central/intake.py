"""The submission intake desk (受理): validate, open the seal, check attachments, store once, number the case.

Used alike by ``POST /submissions``, the batch endpoint and the import of a removable drive, so all three
dedupe the same way. Dedupe is the database's unique constraint on the submission id, permanent: the first
answer is stored with the row and replayed for the same canonical body; another body under the same id is a
conflict. Concurrent first deliveries race on the INSERT; the losers read the winner's row.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from central.attachments import read_content
from central.clock import case_number, iso, utc_now
from central.keys import PlatformKeys
from central.models import SubmissionIn
from central.schema import attachments, submission_attachments, submissions
from offline_cache.protocol import canonical_json, envelope, error_body
from offline_cache.sealing import Opener, SealError

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
    """A body that validated: its id, terminal, canonical bytes and their hash."""

    model: SubmissionIn
    canonical: bytes
    sha256: str


class IntakeDesk:
    """Accepts submissions into the platform's database, exactly once per submission id."""

    def __init__(self, engine: Engine, keys: PlatformKeys) -> None:
        self._engine = engine
        self._opener = Opener(keys.seal)

    def accept(self, raw: object, *, terminal_id: str, idempotency_key: str | None) -> Answer:
        """One submission posted on its own (``POST /submissions``)."""
        checked = self._check(raw, terminal_id)
        if isinstance(checked, Answer):
            return checked
        if idempotency_key is None:
            return _reject(422, "missing_idempotency_key", "Idempotency-Key header is missing")
        if idempotency_key != checked.model.id:
            return _reject(422, "idempotency_key_mismatch", "Idempotency-Key must equal the body's id")
        with self._engine.begin() as conn:
            return self._store(conn, checked)

    def accept_many(self, raws: Sequence[object], *, terminal_id: str) -> list[tuple[str, Answer]]:
        """Many submissions in one database transaction (one disk flush), each answered on its own."""
        results: list[tuple[str, Answer]] = []
        with self._engine.begin() as conn:
            for raw in raws:
                item_id = str(raw.get("id", "")) if isinstance(raw, dict) else ""
                checked = self._check(raw, terminal_id)
                if isinstance(checked, Answer):
                    results.append((item_id, checked))
                    continue
                results.append((checked.model.id, self._store(conn, checked)))
        return results

    def _check(self, raw: object, terminal_id: str) -> _Checked | Answer:
        try:
            model = SubmissionIn.model_validate(raw)
        except ValidationError as exc:
            return _reject(422, "invalid_submission", validation_message(exc))
        if model.terminal_id != terminal_id:
            return _reject(403, "wrong_terminal", f"terminal_id {model.terminal_id!r} is not this terminal")
        canonical = canonical_json(model.model_dump(mode="json"))
        return _Checked(model, canonical, hashlib.sha256(canonical).hexdigest())

    def _existing(self, conn: Connection, checked: _Checked) -> Answer | None:
        row = conn.execute(
            select(submissions.c.body_sha256, submissions.c.response).where(
                submissions.c.id == checked.model.id
            )
        ).first()
        if row is None:
            return None
        if row[0] != checked.sha256:
            log.info("submission %s: same key, different body -> 409", checked.model.id)
            return _reject(
                409, "idempotency_conflict", "this submission id was already used for a different body"
            )
        return Answer(201, json.loads(row[1]), replayed=True)

    def _store(self, conn: Connection, checked: _Checked) -> Answer:
        existing = self._existing(conn, checked)
        if existing is not None:
            return existing
        opened = self._open(conn, checked)
        if isinstance(opened, Answer):
            return opened
        model = checked.model
        now = utc_now()
        received_at = iso(now)
        try:
            with conn.begin_nested():
                inserted = conn.execute(
                    insert(submissions).values(
                        id=model.id,
                        terminal_id=model.terminal_id,
                        service_code=model.service_code,
                        status="accepted",
                        body_sha256=checked.sha256,
                        body=checked.canonical.decode("utf-8"),
                        payload=opened,
                        response="",
                        received_at=received_at,
                        updated_at=received_at,
                    )
                ).inserted_primary_key
                assert inserted is not None
                seq = inserted[0]
                case_no = case_number(int(seq), now)
                body = envelope(
                    "submission_receipt",
                    submission_id=model.id,
                    case_no=case_no,
                    received_at=received_at,
                    status="accepted",
                )
                conn.execute(
                    update(submissions)
                    .where(submissions.c.seq == seq)
                    .values(case_no=case_no, response=json.dumps(body, ensure_ascii=False))
                )
                for position, ref in enumerate(model.attachments):
                    conn.execute(
                        insert(submission_attachments).values(
                            submission_id=model.id,
                            position=position,
                            sha256=ref.sha256,
                            media_type=ref.media_type,
                        )
                    )
        except IntegrityError:
            # Another request stored this id first: answer what it answered.
            winner = self._existing(conn, checked)
            if winner is None:
                raise
            return winner
        log.info("submission %s accepted as case %s", model.id, case_no)
        return Answer(201, body)

    def _open(self, conn: Connection, checked: _Checked) -> bytes | Answer:
        model = checked.model
        try:
            blob = model.sealed.to_blob()
        except ValueError as exc:
            return _reject(422, "invalid_submission", str(exc))
        try:
            payload = self._opener.open_payload(model.id, blob)
        except SealError as exc:
            log.info("submission %s: seal does not open", model.id)
            return _reject(422, "seal_does_not_open", f"sealed payload does not open: {exc}")
        for index, ref in enumerate(model.attachments):
            row = conn.execute(
                select(attachments.c.upload_length, attachments.c.complete).where(
                    attachments.c.sha256 == ref.sha256
                )
            ).first()
            if row is None or not row[1]:
                return _reject(
                    422, "attachment_missing", f"attachment {index} ({ref.sha256}) is not uploaded completely"
                )
            if int(row[0]) != ref.size:
                return _reject(
                    422, "attachment_size", f"attachment {index} is {row[0]} bytes, not {ref.size}"
                )
            try:
                self._opener.open_attachment(model.id, blob, index, read_content(conn, ref.sha256))
            except SealError as exc:
                return _reject(422, "seal_does_not_open", f"attachment {index} does not open: {exc}")
        return payload
