"""Case status look-ups (办件查询) and ratings (好差评), each rating stored once per idempotency key."""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import IntegrityError

from central.clock import iso, utc_now
from central.db import reading
from central.intake import Answer
from central.models import RatingIn
from central.schema import ratings, submissions
from offline_cache.wire.protocol import canonical_json, envelope, error_body

log = logging.getLogger("central.records")


@dataclass(frozen=True)
class CaseRecords:
    """Read side of cases, and the ratings citizens give them."""

    engine: Engine

    def case_status(self, case_no: str) -> dict[str, Any] | None:
        with reading(self.engine) as conn:
            row = conn.execute(
                select(submissions.c.service_code, submissions.c.status, submissions.c.updated_at).where(
                    submissions.c.case_no == case_no
                )
            ).first()
        if row is None:
            return None
        return envelope("case_status", case_no=case_no, service_code=row[0], status=row[1], updated_at=row[2])

    def rate(self, rating: RatingIn, key: str) -> Answer:
        canonical = canonical_json(rating.model_dump(mode="json"))
        digest = hashlib.sha256(canonical).hexdigest()
        with self.engine.begin() as conn:
            existing = self._existing(conn, key, digest, rating.terminal_id)
            if existing is not None:
                return existing
            received_at = iso(utc_now())
            body = envelope("rating_receipt", rating_id=key, case_no=rating.case_no, received_at=received_at)
            try:
                with conn.begin_nested():
                    conn.execute(
                        insert(ratings).values(
                            id=key,
                            case_no=rating.case_no,
                            service_code=rating.service_code,
                            level=rating.level,
                            terminal_id=rating.terminal_id,
                            body_sha256=digest,
                            body=canonical.decode("utf-8"),
                            response=json.dumps(body, ensure_ascii=False),
                            received_at=received_at,
                        )
                    )
            except IntegrityError:
                winner = self._existing(conn, key, digest, rating.terminal_id)
                if winner is None:
                    raise
                return winner
        log.info("rating %s for case %s stored", key, rating.case_no)
        return Answer(201, body)

    @staticmethod
    def _existing(conn: Any, key: str, digest: str, terminal_id: str) -> Answer | None:
        """The answer a stored rating under ``key`` gives: the caller's own (replay or conflict), or another
        terminal's (a key is unique per terminal, but a rating names no more than its terminal, so the first
        terminal to use a key keeps it)."""
        found = {
            row[2]: (row[0], row[1])
            for row in conn.execute(
                select(ratings.c.body_sha256, ratings.c.response, ratings.c.terminal_id).where(ratings.c.id == key)
            )
        }
        if not found:
            return None
        if terminal_id not in found:
            # A key is its terminal's: another terminal's rating is neither replaced nor replayed to the caller.
            return Answer(409, error_body("conflict", "this rating key belongs to another terminal's rating"))
        body_sha256, response = found[terminal_id]
        if body_sha256 != digest:
            return Answer(
                409, error_body("idempotency_conflict", "this rating key was already used for another body")
            )
        return Answer(201, json.loads(response), replayed=True)
