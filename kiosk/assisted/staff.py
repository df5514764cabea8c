"""The staff directory of a laptop (工作人员名单) and offline login for every enrolled staff member.

The platform keeps the accounts (``kiosk-central staff add|disable|reset``); while online the laptop pulls
them (``GET /api/v1/staff``, ``kiosk/hall/assisted_sync.py``) and keeps, for each member, the number, name, role,
whether the account is active and the slow password hash (scrypt, ``offline_cache.wire.staff_hash``) — never a
password. So any member of the hall can log in offline, not only the last one, and a wrong password is refused
offline as online.

Rules (``[assisted]`` in the config): ``max_failures`` wrong passwords in a row lock that member for
``lockout``; an offline login is refused once the laptop has not reached the platform for ``offline_days``;
an account disabled at the platform is refused from the next sync on (a member no longer listed, too).

Each member's cases are sealed under a data key of their own (:mod:`kiosk.assisted.vault`), wrapped by a key
derived from their password; a login hands it over in the :class:`StaffSession`. When the platform reset a
password, the cases already on the laptop are still under the old one: :meth:`StaffDirectory.rekey` moves them
to the new password once the member types both.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from kiosk.assisted.vault import Vault, VaultError, new_data_key, unwrap_data_key, wrap_data_key
from kiosk.records.audit import AuditAction, AuditLog
from offline_cache.durable import write_atomic
from offline_cache.wire import staff_hash

Role = Literal["agent", "reviewer"]  # offline_cache.wire.protocol.STAFF_ROLES
#: 代办员 handles cases; 审核 also reviews them.
ROLE_LABELS: dict[str, str] = {"agent": "代办员", "reviewer": "审核"}
RefusalKind = Literal["no_directory", "unknown_or_wrong", "locked", "disabled", "stale", "password_reset"]
_STAFF_NO = re.compile(r"^[A-Za-z0-9._-]{1,32}$")
DIRECTORY_FILE = "directory.json"
LOGINS_FILE = "logins.json"
KEYS_DIR = "keys"


class LoginRefused(Exception):  # noqa: N818 (a refusal the staff member reads, not a programming error)
    """A login refused; ``str(self)`` is the Chinese reason and what to do, ``kind`` says which rule refused."""

    def __init__(self, kind: RefusalKind, message: str) -> None:
        self.kind = kind
        super().__init__(message)


@dataclass(frozen=True)
class StaffRecord:
    """One account as the platform lists it (``GET /api/v1/staff``): a hash, never a password."""

    staff_no: str
    name: str
    role: Role
    password_hash: str
    active: bool = True

    def __post_init__(self) -> None:
        if not _STAFF_NO.match(self.staff_no):
            raise ValueError(f"staff number {self.staff_no!r}: letters, digits, . _ - only (1-32)")
        if self.role not in ROLE_LABELS:
            raise ValueError(f"staff {self.staff_no}: unknown role {self.role!r}")

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]


@dataclass(frozen=True)
class StaffSession:
    """A logged-in staff member: who, in which role, and the data key that opens their vault (memory only)."""

    staff_no: str
    name: str
    role: Role
    data_key: bytes = field(repr=False)

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]

    def vault(self, cases_root: Path) -> Vault:
        """This member's own folder under ``TerminalPaths.assisted_cases``, opened with their key."""
        return Vault(cases_root / self.staff_no, self.data_key)


@dataclass(frozen=True)
class LoginPolicy:
    """From ``[assisted]``: MOSIP's defaults (5 failures, 30 minutes), a week offline at most."""

    max_failures: int = 5
    lockout: timedelta = timedelta(minutes=30)
    offline_days: int = 7


def _read_json(path: Path) -> dict[str, Any]:
    try:
        value = json.loads(path.read_bytes())
    except FileNotFoundError:
        return {}
    except ValueError:
        # A file damaged outside our atomic writes: treated as absent, the next sync writes it again.
        return {}
    return value if isinstance(value, dict) else {}


def _write_json(path: Path, value: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, json.dumps(value, ensure_ascii=False, sort_keys=True).encode())


class StaffDirectory:
    """The laptop's staff directory in ``folder`` (``TerminalPaths.assisted_staff``).

    ``verify_password(password, stored_hash) -> bool`` is the platform's hash check
    (``offline_cache.wire.staff_hash.verify_password``, the default).
    """

    def __init__(
        self,
        folder: Path,
        verify_password: Callable[[str, str], bool] = staff_hash.verify_password,
        policy: LoginPolicy | None = None,
        audit: AuditLog | None = None,
    ) -> None:
        self.folder = folder
        self.verify_password = verify_password
        self.policy = policy or LoginPolicy()
        #: The terminal's audit log (审计日志): every login, refusal, lock and logout is written to it.
        self.audit = audit
        folder.mkdir(parents=True, exist_ok=True)

    # -- what the last sync brought ----------------------------------------------------------------------

    def records(self) -> list[StaffRecord]:
        raw = _read_json(self.folder / DIRECTORY_FILE).get("staff") or []
        out = []
        for item in raw:
            try:
                out.append(
                    StaffRecord(
                        str(item["staff_no"]),
                        str(item["name"]),
                        item["role"],
                        str(item["password_hash"]),
                        bool(item.get("active", True)),
                    )
                )
            except (KeyError, TypeError, ValueError):
                continue
        return out

    def record(self, staff_no: str) -> StaffRecord | None:
        return next((r for r in self.records() if r.staff_no == staff_no), None)

    @property
    def contacted_at(self) -> datetime | None:
        """When the laptop last reached the platform (any sync exchange that answered)."""
        value = _read_json(self.folder / DIRECTORY_FILE).get("contacted_at")
        return datetime.fromisoformat(value) if isinstance(value, str) else None

    def replace(self, records: Sequence[StaffRecord], contacted_at: datetime) -> None:
        """The platform's whole list, as pulled: members gone from it or disabled are refused from now on."""
        staff = [
            {
                "staff_no": r.staff_no,
                "name": r.name,
                "role": r.role,
                "password_hash": r.password_hash,
                "active": r.active,
            }
            for r in records
        ]
        _write_json(self.folder / DIRECTORY_FILE, {"contacted_at": contacted_at.isoformat(), "staff": staff})

    def note_contact(self, contacted_at: datetime) -> None:
        """The platform answered (a case sync without a staff pull): the offline-login clock starts again."""
        current = _read_json(self.folder / DIRECTORY_FILE)
        if current:
            _write_json(self.folder / DIRECTORY_FILE, {**current, "contacted_at": contacted_at.isoformat()})

    # -- logging in ----------------------------------------------------------------------------------------

    def _logins(self) -> dict[str, Any]:
        return _read_json(self.folder / LOGINS_FILE)

    def _set_login_state(self, staff_no: str, failures: int, locked_until: datetime | None) -> None:
        logins = self._logins()
        logins[staff_no] = {
            "failures": failures,
            "locked_until": locked_until.isoformat() if locked_until else None,
        }
        _write_json(self.folder / LOGINS_FILE, logins)

    def locked_until(self, staff_no: str, now: datetime) -> datetime | None:
        state = self._logins().get(staff_no) or {}
        until = state.get("locked_until")
        if not isinstance(until, str):
            return None
        moment = datetime.fromisoformat(until)
        return moment if moment > now else None

    def _check_may_try(self, staff_no: str, now: datetime) -> StaffRecord:
        contacted = self.contacted_at
        record = self.record(staff_no)
        if contacted is None:
            raise LoginRefused("no_directory", "本机还没有工作人员名单：请先联网，同步一次后再登录")
        if record is None:
            raise LoginRefused("unknown_or_wrong", "工号或密码不正确")
        if not record.active:
            raise LoginRefused("disabled", "此账号已停用，不能登录：请联系大厅管理员")
        until = self.locked_until(staff_no, now)
        if until is not None:
            at = until.astimezone(now.tzinfo).strftime("%H:%M")
            raise LoginRefused("locked", f"密码连续输错 {self.policy.max_failures} 次，账号已锁定，请于 {at} 后再试")
        if now - contacted > timedelta(days=self.policy.offline_days):
            days = (now - contacted).days
            raise LoginRefused(
                "stale",
                f"本机已 {days} 天未连接平台，超过离线登录期限（{self.policy.offline_days} 天）：请联网同步后再登录",
            )
        return record

    def _record(self, action: AuditAction, staff_no: str, detail: dict[str, Any] | None = None) -> None:
        if self.audit is None:
            return
        # What was typed as a staff number is written only if it is one of the directory's (a phone or ID
        # number typed into the field by mistake must never reach the log).
        who = staff_no if self.record(staff_no) is not None else "unknown"
        self.audit.record(action, who, detail=detail)

    def login(self, staff_no: str, password: str, now: datetime) -> StaffSession:
        """Log ``staff_no`` in offline or online alike; :class:`LoginRefused` says why not (also written to the
        audit log, as is a success)."""
        try:
            session = self._login(staff_no.strip(), password, now)
        except LoginRefused as refused:
            self._record(AuditAction.STAFF_LOGIN, staff_no.strip(), {"ok": False, "refused": refused.kind})
            raise
        self._record(AuditAction.STAFF_LOGIN, session.staff_no, {"ok": True})
        return session

    def logout(self, session: StaffSession, *, idle: bool = False) -> None:
        """The member logged out (or the idle lock closed the session): written to the audit log, whose head is
        signed then. The caller drops the session (and its key) from memory."""
        self._record(AuditAction.STAFF_LOGOUT, session.staff_no, {"idle_lock": True} if idle else None)

    def _login(self, staff_no: str, password: str, now: datetime) -> StaffSession:
        """``now`` is an aware datetime (the hall's clock). A wrong password counts towards the lock; a right one
        clears the count. The first login of a member on this laptop makes their data key."""
        record = self._check_may_try(staff_no, now)
        if not self.verify_password(password, record.password_hash):
            failures = int((self._logins().get(staff_no) or {}).get("failures") or 0) + 1
            if failures >= self.policy.max_failures:
                self._set_login_state(staff_no, 0, now + self.policy.lockout)
                self._record(AuditAction.STAFF_LOCKOUT, staff_no)
                minutes = int(self.policy.lockout.total_seconds() // 60)
                raise LoginRefused("locked", f"密码连续输错 {failures} 次，账号已锁定 {minutes} 分钟")
            self._set_login_state(staff_no, failures, None)
            left = self.policy.max_failures - failures
            raise LoginRefused("unknown_or_wrong", f"工号或密码不正确（再错 {left} 次将锁定账号）")
        if staff_no in self._logins():
            self._set_login_state(staff_no, 0, None)
        return StaffSession(record.staff_no, record.name, record.role, self._data_key(staff_no, password))

    def _key_path(self, staff_no: str) -> Path:
        return self.folder / KEYS_DIR / f"{staff_no}.key"

    def _data_key(self, staff_no: str, password: str) -> bytes:
        path = self._key_path(staff_no)
        if not path.exists():
            key = new_data_key()
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(path, wrap_data_key(staff_no, password, key))
            return key
        try:
            return unwrap_data_key(staff_no, password, path.read_bytes())
        except VaultError:
            raise LoginRefused(
                "password_reset",
                "密码已在平台重置，本机上您此前的案件仍由旧密码加密：请输入旧密码一次，转为新密码",
            ) from None

    def rekey(self, staff_no: str, old_password: str, new_password: str, now: datetime) -> StaffSession:
        """After a reset at the platform: the new password must pass the directory's hash, the old one must open
        the member's key; the key is then wrapped under the new password (the cases stay as they are)."""
        record = self._check_may_try(staff_no, now)
        if not self.verify_password(new_password, record.password_hash):
            raise LoginRefused("unknown_or_wrong", "新密码不正确")
        path = self._key_path(staff_no)
        try:
            key = unwrap_data_key(staff_no, old_password, path.read_bytes())
        except (VaultError, FileNotFoundError):
            raise LoginRefused("unknown_or_wrong", "旧密码不正确") from None
        write_atomic(path, wrap_data_key(staff_no, new_password, key))
        return StaffSession(record.staff_no, record.name, record.role, key)
