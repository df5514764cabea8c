"""Terminals known to the platform (终端): enrollment, tokens kept only as hashes, revocation, heartbeats.

Tokens are 32 random bytes, so a plain SHA-256 is enough to keep a database leak from yielding usable
tokens (a slow hash protects guessable secrets; these are not guessable).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from central.clock import iso, utc_now
from central.db import reading
from central.schema import alerts, terminals


class AuthError(Exception):
    """A request's credentials do not let it in: ``status`` is 401 (unknown) or 403 (revoked)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


# Built once: every request authenticates, and building the statement cost more than running it.
_BY_TOKEN = select(terminals.c.terminal_id, terminals.c.revoked).where(
    terminals.c.token_sha256 == bindparam("token_sha256")
)


#: A heartbeat's one UPDATE, built once (a province sends hundreds a second).
_BEAT = (
    update(terminals)
    .where(terminals.c.terminal_id == bindparam("beat_terminal"))
    .values(last_heartbeat_at=bindparam("beat_at"), last_heartbeat=bindparam("beat_report"))
)


def store_heartbeat(
    conn: Connection, terminal_id: str, report_json: str, raised: list[dict[str, Any]], received_at: str
) -> None:
    """Write a beat's report (and each alert it raised) in ``conn``'s transaction: one prebuilt ``UPDATE``."""
    conn.execute(_BEAT, {"beat_terminal": terminal_id, "beat_at": received_at, "beat_report": report_json})
    for alert in raised:
        conn.execute(
            insert(alerts).values(
                terminal_id=terminal_id,
                kind=str(alert.get("kind", "unknown"))[:64],
                detail=json.dumps(alert, ensure_ascii=False),
                received_at=received_at,
            )
        )


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def same_secret(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


@dataclass(frozen=True)
class TerminalRegistry:
    """The platform's list of enrolled terminals, in the shared database."""

    engine: Engine

    def enroll(self, terminal_id: str) -> str:
        """A fresh token for ``terminal_id`` (re-enrolling replaces the old token and lifts a revocation)."""
        token = secrets.token_urlsafe(32)
        digest = token_hash(token)
        now = iso(utc_now())
        with self.engine.begin() as conn:
            moved = conn.execute(
                update(terminals)
                .where(terminals.c.terminal_id == terminal_id)
                .values(token_sha256=digest, revoked=False, enrolled_at=now)
            ).rowcount
            if moved == 0:
                try:
                    with conn.begin_nested():
                        conn.execute(
                            insert(terminals).values(
                                terminal_id=terminal_id, token_sha256=digest, revoked=False, enrolled_at=now
                            )
                        )
                except IntegrityError:
                    conn.execute(
                        update(terminals)
                        .where(terminals.c.terminal_id == terminal_id)
                        .values(token_sha256=digest, revoked=False, enrolled_at=now)
                    )
        return token

    def revoke(self, terminal_id: str) -> bool:
        with self.engine.begin() as conn:
            return bool(
                conn.execute(
                    update(terminals).where(terminals.c.terminal_id == terminal_id).values(revoked=True)
                ).rowcount
            )

    def authenticate(self, authorization: str | None, claimed_terminal: str | None = None) -> str:
        """The terminal id behind an ``Authorization: Bearer`` header, or :class:`AuthError`."""
        if not authorization or not authorization.startswith("Bearer "):
            raise AuthError(401, "unauthenticated", "Authorization: Bearer <terminal token> is required")
        token = authorization[len("Bearer ") :].strip()
        with reading(self.engine) as conn:
            row = conn.execute(_BY_TOKEN, {"token_sha256": token_hash(token)}).first()
        if row is None:
            raise AuthError(401, "unknown_token", "this terminal token is not known here; enroll the terminal")
        if row[1]:
            raise AuthError(403, "terminal_revoked", f"terminal {row[0]} is revoked; ask the platform operator")
        if claimed_terminal is not None and claimed_terminal != row[0]:
            raise AuthError(403, "wrong_terminal", f"the token belongs to terminal {row[0]}, not {claimed_terminal}")
        return str(row[0])

    def record_heartbeat(self, terminal_id: str, report: dict[str, Any], raised: list[dict[str, Any]]) -> str:
        """Keep the last report of a terminal and every alert it raised; returns the time received.

        The console, when there is one, stores the beat in its own transaction instead (``store_heartbeat``)."""
        now = iso(utc_now())
        with self.engine.begin() as conn:
            if not raised and conn.dialect.name == "postgresql":
                # A lost last report is sent again at the next beat, so this commit need not wait for the
                # disk (PostgreSQL still keeps it consistent); a beat that raises alerts waits as usual.
                conn.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")
            store_heartbeat(conn, terminal_id, orjson.dumps(report).decode("utf-8"), raised, now)
        return now

    def last_heartbeat(self, terminal_id: str) -> dict[str, Any] | None:
        with reading(self.engine) as conn:
            row = conn.execute(select(terminals.c.last_heartbeat).where(terminals.c.terminal_id == terminal_id)).first()
        return None if row is None or row[0] is None else dict(json.loads(row[0]))

    def alerts_of(self, terminal_id: str) -> list[dict[str, Any]]:
        with reading(self.engine) as conn:
            rows = conn.execute(
                select(alerts.c.detail).where(alerts.c.terminal_id == terminal_id).order_by(alerts.c.seq)
            )
            return [dict(json.loads(row[0])) for row in rows]
