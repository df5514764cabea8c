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
_BY_TOKENS = select(terminals.c.terminal_id, terminals.c.revoked, terminals.c.token_sha256).where(
    terminals.c.token_sha256.in_(bindparam("token_hashes", expanding=True))
)


#: A heartbeat's one UPDATE, built once (a province sends hundreds a second).
_BEAT = (
    update(terminals)
    .where(terminals.c.terminal_id == bindparam("beat_terminal"))
    .values(last_heartbeat_at=bindparam("beat_at"), last_heartbeat=bindparam("beat_report"))
)


def store_heartbeats(conn: Connection, beats: list[tuple[str, str, list[dict[str, Any]]]], received_at: str) -> None:
    """Write the reports of a batch of beats (terminal, report as JSON, alerts it raised) in ``conn``'s
    transaction: the prebuilt ``UPDATE`` run once for all of them, and a row for each alert raised."""
    if not beats:
        return
    conn.execute(
        _BEAT,
        [{"beat_terminal": tid, "beat_at": received_at, "beat_report": report} for tid, report, _raised in beats],
    )
    raised_rows = [
        {
            "terminal_id": tid,
            "kind": str(alert.get("kind", "unknown"))[:64],
            "detail": json.dumps(alert, ensure_ascii=False),
            "received_at": received_at,
        }
        for tid, _report, raised in beats
        for alert in raised
    ]
    if raised_rows:
        conn.execute(insert(alerts), raised_rows)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def same_secret(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def wrong_terminal(caller: str, claimed: str) -> AuthError:
    """The refusal of a request whose token is ``caller``'s but which says (header or path) it is ``claimed``."""
    return AuthError(403, "wrong_terminal", f"the token belongs to terminal {caller}, not {claimed}")


def authenticate_many(conn: Connection, headers: list[tuple[str | None, str | None]]) -> list[str | AuthError]:
    """For each request's ``Authorization`` header (and the terminal it says it is, if it says), the terminal id
    behind its token or the :class:`AuthError` that refuses it: one statement for all of them."""
    tokens = [
        auth[len("Bearer ") :].strip() if auth and auth.startswith("Bearer ") else None for auth, _claimed in headers
    ]
    digests = sorted({token_hash(token) for token in tokens if token is not None})
    rows = {row[2]: (str(row[0]), bool(row[1])) for row in conn.execute(_BY_TOKENS, {"token_hashes": digests})}
    found: list[str | AuthError] = []
    for token, (_auth, claimed) in zip(tokens, headers, strict=True):
        row = None if token is None else rows.get(token_hash(token))
        if token is None:
            found.append(AuthError(401, "unauthenticated", "Authorization: Bearer <terminal token> is required"))
        elif row is None:
            found.append(AuthError(401, "unknown_token", "this terminal token is not known here; enroll the terminal"))
        elif row[1]:
            found.append(AuthError(403, "terminal_revoked", f"terminal {row[0]} is revoked; ask the platform operator"))
        elif claimed is not None and claimed != row[0]:
            found.append(wrong_terminal(row[0], claimed))
        else:
            found.append(row[0])
    return found


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
        with reading(self.engine) as conn:
            found = authenticate_many(conn, [(authorization, claimed_terminal)])[0]
        if isinstance(found, AuthError):
            raise found
        return found

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
