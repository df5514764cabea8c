"""Console users (控制台用户) and their sessions: argon2id hashes, a lock after repeated failures, sessions and
CSRF tokens in the database (any worker answers any request).

A session cookie holds 32 random bytes; the database keeps only its SHA-256, so a leaked table opens nothing.
"""

from __future__ import annotations

import contextlib
import enum
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from central.clock import iso
from central.db import reading
from central.schema import console_sessions, console_users

#: Wrong passwords in a row before the account locks, and for how long.
MAX_FAILURES = 5
LOCK_FOR = timedelta(minutes=15)
SESSION_FOR = timedelta(hours=10)
MIN_PASSWORD = 10


class Role(enum.StrEnum):
    """What a platform user does: 大厅主管, 运维技术员, 审核, 管理员."""

    HALL_MANAGER = "hall_manager"
    TECHNICIAN = "technician"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


ROLE_NAMES = {
    Role.HALL_MANAGER: ("大厅主管", "Hall manager"),
    Role.TECHNICIAN: ("运维技术员", "Technician"),
    Role.SUPERVISOR: ("审核", "Supervisor"),
    Role.ADMIN: ("管理员", "Administrator"),
}


class AccountError(Exception):
    """A user cannot be made as asked; the message says why."""


class LoginOutcome(enum.Enum):
    OK = "ok"
    WRONG = "wrong"
    LOCKED = "locked"


@dataclass(frozen=True)
class User:
    username: str
    display_name: str
    role: Role
    #: A hall manager's hall: they see and act on that hall's terminals, alerts and notices only ("" for all).
    hall: str = ""

    def sees(self, hall: str) -> bool:
        return not self.hall or self.role is not Role.HALL_MANAGER or hall == self.hall


@dataclass(frozen=True)
class Session:
    user: User
    csrf_token: str


_hasher = PasswordHasher()  # argon2id, the library's current recommended cost
#: Verified against when the user does not exist, so a wrong name costs the same time as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def _sha(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Accounts:
    engine: Engine

    def add(
        self, username: str, password: str, role: Role, display_name: str, now: datetime, *, hall: str = ""
    ) -> User:
        if not 1 <= len(username) <= 64 or not username.isprintable() or " " in username:
            raise AccountError("用户名须为 1-64 个字符，不含空格 (username: 1-64 characters, no spaces)")
        if len(password) < MIN_PASSWORD:
            raise AccountError(
                f"密码至少 {MIN_PASSWORD} 个字符 (the password needs at least {MIN_PASSWORD} characters)"
            )
        row = {
            "username": username,
            "display_name": display_name or username,
            "role": role.value,
            "hall": hall.strip()[:128],
            "password_hash": _hasher.hash(password),
            "failed_logins": 0,
            "locked_until": None,
            "created_at": iso(now),
        }
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(console_users).values(**row))
        except IntegrityError as exc:
            raise AccountError(f"用户 {username} 已存在 (user {username} exists)") from exc
        return User(username, display_name or username, role, hall.strip()[:128])

    def count(self) -> int:
        with reading(self.engine) as conn:
            return len(conn.execute(select(console_users.c.username)).all())

    def log_in(self, username: str, password: str, now: datetime) -> tuple[LoginOutcome, str | None]:
        """Check a password; on success a new session's cookie value. Five wrong in a row lock the account."""
        with reading(self.engine) as conn:
            row = conn.execute(select(console_users).where(console_users.c.username == username)).first()
        if row is None:
            with contextlib.suppress(VerificationError):
                _hasher.verify(_DUMMY_HASH, password)
            return LoginOutcome.WRONG, None
        if row.locked_until is not None and row.locked_until > iso(now):
            return LoginOutcome.LOCKED, None
        try:
            _hasher.verify(row.password_hash, password)
        except (VerificationError, InvalidHashError):
            # Counted in the database (the row is locked by the update), so wrong passwords sent to several
            # workers at once still lock the account at the fifth.
            mine = console_users.c.username == username
            with self.engine.begin() as conn:
                conn.execute(update(console_users).where(mine).values(failed_logins=console_users.c.failed_logins + 1))
                failures = int(conn.execute(select(console_users.c.failed_logins).where(mine)).scalar_one())
                locked = failures >= MAX_FAILURES
                if locked:
                    conn.execute(
                        update(console_users).where(mine).values(failed_logins=0, locked_until=iso(now + LOCK_FOR))
                    )
            return (LoginOutcome.LOCKED if locked else LoginOutcome.WRONG), None
        token = secrets.token_urlsafe(32)
        with self.engine.begin() as conn:
            conn.execute(
                update(console_users)
                .where(console_users.c.username == username)
                .values(failed_logins=0, locked_until=None)
            )
            conn.execute(
                insert(console_sessions).values(
                    token_sha256=_sha(token),
                    username=username,
                    csrf_token=secrets.token_urlsafe(32),
                    created_at=iso(now),
                    expires_at=iso(now + SESSION_FOR),
                )
            )
        return LoginOutcome.OK, token

    def session(self, token: str | None, now: datetime) -> Session | None:
        if not token:
            return None
        query = (
            select(console_sessions.c.csrf_token, console_sessions.c.expires_at, console_users)
            .join(console_users, console_users.c.username == console_sessions.c.username)
            .where(console_sessions.c.token_sha256 == _sha(token))
        )
        with reading(self.engine) as conn:
            row = conn.execute(query).first()
        if row is None or row.expires_at <= iso(now):
            return None
        try:
            role = Role(row.role)
        except ValueError:
            return None
        return Session(User(row.username, row.display_name, role, row.hall or ""), row.csrf_token)

    def log_out(self, token: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(console_sessions).where(console_sessions.c.token_sha256 == _sha(token)))

    def users(self) -> list[User]:
        with reading(self.engine) as conn:
            rows = conn.execute(select(console_users).order_by(console_users.c.username)).all()
        return [
            User(r.username, r.display_name, Role(r.role), r.hall or "")
            for r in rows
            if r.role in Role._value2member_map_
        ]
