"""Staff accounts of a hall (工作人员账号): number, name, role, disabled flag and the scrypt hash of the password.

The password itself is never stored or sent: :func:`offline_cache.wire.staff_hash.hash_password` makes the
hash here, ``GET /api/v1/staff`` hands it to the hall's laptops, which check it offline. ``updated_at`` moves
on every change, so a laptop can tell a newer list from an older one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from central.clock import iso, utc_now
from central.db import reading
from central.schema import console_terminals, staff_accounts
from offline_cache.wire.protocol import STAFF_ROLES
from offline_cache.wire.staff_hash import hash_password, verify_password

STAFF_NO = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
ROLE_LABELS = {"agent": "代办员", "reviewer": "审核"}
MAX_NAME_CHARS = 64
MAX_HALL_CHARS = 128
MIN_PASSWORD_CHARS = 8


class StaffError(ValueError):
    """A staff command that cannot be done; ``str(self)`` says why (Chinese first)."""


@dataclass(frozen=True)
class StaffAccount:
    staff_no: str
    hall: str
    name: str
    role: str
    disabled: bool
    password_hash: str
    updated_at: str

    def to_wire(self) -> dict[str, Any]:
        """The account as ``GET /api/v1/staff`` lists it."""
        return {
            "staff_no": self.staff_no,
            "name": self.name,
            "role": self.role,
            "disabled": self.disabled,
            "password_hash": self.password_hash,
            "updated_at": self.updated_at,
        }


def check_staff_no(staff_no: str) -> str:
    if not STAFF_NO.match(staff_no):
        raise StaffError(f"工号不正确：应为 1–32 位字母、数字、- 或 _ (staff number {staff_no[:40]!r} is not valid)")
    return staff_no


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_CHARS:
        raise StaffError(f"口令至少 {MIN_PASSWORD_CHARS} 个字符 (password too short)")
    if len(password) > 1024:
        raise StaffError("口令过长 (password too long)")
    return password


def terminal_hall(conn: Connection, terminal_id: str) -> str:
    """The hall a terminal stands in (the console's record of it); ``""`` when none is set."""
    row = conn.execute(select(console_terminals.c.hall).where(console_terminals.c.terminal_id == terminal_id)).first()
    return str(row[0]) if row is not None and row[0] else ""


def _account(row: Any) -> StaffAccount:
    return StaffAccount(
        row.staff_no, row.hall, row.name, row.role, bool(row.disabled), row.password_hash, row.updated_at
    )


class StaffBook:
    """The platform's staff accounts."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(self, staff_no: str, name: str, role: str, password: str, *, hall: str = "") -> StaffAccount:
        check_staff_no(staff_no)
        name = name.strip()
        if not name or len(name) > MAX_NAME_CHARS:
            raise StaffError(f"姓名不能为空，最多 {MAX_NAME_CHARS} 个字符 (name is empty or too long)")
        if role not in STAFF_ROLES:
            raise StaffError(f"角色应为 agent（代办员）或 reviewer（审核），而不是 {role!r}")
        if len(hall) > MAX_HALL_CHARS:
            raise StaffError("大厅名称过长 (hall name too long)")
        now = iso(utc_now())
        values = {
            "staff_no": staff_no,
            "hall": hall,
            "name": name,
            "role": role,
            "disabled": False,
            "password_hash": hash_password(check_password(password)),
            "created_at": now,
            "updated_at": now,
        }
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(staff_accounts).values(**values))
        except IntegrityError:
            raise StaffError(f"工号 {staff_no} 已存在 (staff number already exists)") from None
        return self._require(staff_no)

    def _change(self, staff_no: str, **values: Any) -> StaffAccount:
        check_staff_no(staff_no)
        with self.engine.begin() as conn:
            done = conn.execute(
                update(staff_accounts)
                .where(staff_accounts.c.staff_no == staff_no)
                .values(updated_at=iso(utc_now()), **values)
            ).rowcount
        if not done:
            raise StaffError(f"没有工号为 {staff_no} 的工作人员 (no such staff number)")
        return self._require(staff_no)

    def disable(self, staff_no: str) -> StaffAccount:
        return self._change(staff_no, disabled=True)

    def enable(self, staff_no: str) -> StaffAccount:
        return self._change(staff_no, disabled=False)

    def reset(self, staff_no: str, password: str) -> StaffAccount:
        return self._change(staff_no, password_hash=hash_password(check_password(password)))

    def get(self, staff_no: str) -> StaffAccount | None:
        with reading(self.engine) as conn:
            row = conn.execute(select(staff_accounts).where(staff_accounts.c.staff_no == staff_no)).first()
        return None if row is None else _account(row)

    def _require(self, staff_no: str) -> StaffAccount:
        found = self.get(staff_no)
        if found is None:
            raise StaffError(f"没有工号为 {staff_no} 的工作人员 (no such staff number)")
        return found

    def accounts(self, hall: str | None = None) -> list[StaffAccount]:
        """Every account (of ``hall`` when given), by staff number."""
        query = select(staff_accounts).order_by(staff_accounts.c.staff_no)
        if hall is not None:
            query = query.where(staff_accounts.c.hall == hall)
        with reading(self.engine) as conn:
            return [_account(row) for row in conn.execute(query)]

    def for_terminal(self, terminal_id: str) -> tuple[str, list[StaffAccount]]:
        """The hall of ``terminal_id`` and its accounts, disabled ones included (``GET /api/v1/staff``)."""
        with reading(self.engine) as conn:
            hall = terminal_hall(conn, terminal_id)
        return hall, self.accounts(hall)

    def login(self, staff_no: str, password: str, *, role: str | None = None) -> StaffAccount:
        """The account when ``password`` is its own and it is active (and of ``role`` when given)."""
        account = self.get(staff_no) if STAFF_NO.match(staff_no) else None
        if account is None or not verify_password(password, account.password_hash):
            raise StaffError("工号或口令不正确 (staff number or password is wrong)")
        if account.disabled:
            raise StaffError(f"工号 {staff_no} 已停用 (account disabled)")
        if role is not None and account.role != role:
            raise StaffError(f"工号 {staff_no} 不是{ROLE_LABELS.get(role, role)}，不能做这件事 (needs role {role})")
        return account
