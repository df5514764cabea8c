"""Logging in on a shared laptop with the platform away: any enrolled member, never a wrong password, a lock
after five wrong ones, no login after too long offline, a disabled account refused after the next sync, and one
member's files closed to another."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kiosk.assisted.cases import CaseBook
from kiosk.assisted.resident import resident_from_input
from kiosk.assisted.staff import LoginPolicy, LoginRefused, StaffDirectory, StaffRecord
from kiosk.assisted.vault import Vault, VaultError
from kiosk.paths import TerminalPaths
from kiosk.records.audit import AuditLog
from tests.kiosk.assisted_support import hash_password, verify_password

ZONE = ZoneInfo("Asia/Shanghai")
SYNCED = datetime(2026, 11, 20, 9, 0, tzinfo=ZONE)


def _records(active_b: bool = True) -> list[StaffRecord]:
    return [
        StaffRecord("S001", "李代办", "agent", hash_password("li-2026!")),
        StaffRecord("S002", "王审核", "reviewer", hash_password("wang-2026!"), active=active_b),
        StaffRecord("S003", "赵代办", "agent", hash_password("zhao-2026!")),
    ]


@pytest.fixture
def paths(data_dir: Path) -> TerminalPaths:
    return TerminalPaths(data_dir / "terminal").ensure()


@pytest.fixture
def directory(paths: TerminalPaths) -> StaffDirectory:
    directory = StaffDirectory(paths.assisted_staff, verify_password, LoginPolicy(offline_days=7))
    directory.replace(_records(), SYNCED)
    return directory


def test_every_enrolled_member_logs_in_offline_not_only_the_last(directory: StaffDirectory) -> None:
    day = SYNCED + timedelta(days=2)
    for staff_no, password, role_label in (
        ("S001", "li-2026!", "代办员"),
        ("S002", "wang-2026!", "审核"),
        ("S003", "zhao-2026!", "代办员"),
        ("S001", "li-2026!", "代办员"),
    ):
        session = directory.login(staff_no, password, day)
        assert session.staff_no == staff_no
        assert session.role_label == role_label
    # The same member gets the same key back each time (their cases open again).
    first = directory.login("S001", "li-2026!", day).data_key
    assert directory.login("S001", "li-2026!", day + timedelta(hours=1)).data_key == first


def test_a_wrong_password_is_refused_offline(directory: StaffDirectory) -> None:
    with pytest.raises(LoginRefused) as refused:
        directory.login("S001", "anything", SYNCED + timedelta(hours=1))
    assert refused.value.kind == "unknown_or_wrong"
    assert "工号或密码不正确" in str(refused.value)
    with pytest.raises(LoginRefused, match="工号或密码不正确"):
        directory.login("S999", "li-2026!", SYNCED + timedelta(hours=1))


def test_five_wrong_passwords_lock_for_the_configured_time(directory: StaffDirectory) -> None:
    now = SYNCED + timedelta(hours=1)
    for attempt in range(1, 5):
        with pytest.raises(LoginRefused) as refused:
            directory.login("S001", "wrong", now)
        assert refused.value.kind == "unknown_or_wrong"
        assert f"再错 {5 - attempt} 次" in str(refused.value)
    with pytest.raises(LoginRefused) as locked:
        directory.login("S001", "wrong", now)
    assert locked.value.kind == "locked"
    # Locked: even the right password is refused, with the time to come back.
    with pytest.raises(LoginRefused) as still:
        directory.login("S001", "li-2026!", now + timedelta(minutes=29))
    assert still.value.kind == "locked"
    assert "10:30" in str(still.value)
    # Another member is not affected.
    assert directory.login("S003", "zhao-2026!", now).name == "赵代办"
    # After the lock time the right password works and the count starts again.
    assert directory.login("S001", "li-2026!", now + timedelta(minutes=31)).staff_no == "S001"
    with pytest.raises(LoginRefused) as again:
        directory.login("S001", "wrong", now + timedelta(minutes=32))
    assert "再错 4 次" in str(again.value)


def test_the_lock_survives_a_restart(paths: TerminalPaths, directory: StaffDirectory) -> None:
    now = SYNCED + timedelta(hours=1)
    for _ in range(5):
        with pytest.raises(LoginRefused):
            directory.login("S002", "wrong", now)
    reopened = StaffDirectory(paths.assisted_staff, verify_password)
    with pytest.raises(LoginRefused) as refused:
        reopened.login("S002", "wang-2026!", now + timedelta(minutes=1))
    assert refused.value.kind == "locked"


def test_an_offline_login_older_than_the_limit_is_refused(directory: StaffDirectory) -> None:
    assert directory.login("S001", "li-2026!", SYNCED + timedelta(days=6, hours=23)).staff_no == "S001"
    with pytest.raises(LoginRefused) as refused:
        directory.login("S001", "li-2026!", SYNCED + timedelta(days=8))
    assert refused.value.kind == "stale"
    assert "8 天未连接平台" in str(refused.value)
    # Contact with the platform (a sync) opens offline login again.
    directory.note_contact(SYNCED + timedelta(days=8, minutes=5))
    assert directory.login("S001", "li-2026!", SYNCED + timedelta(days=8, minutes=6)).staff_no == "S001"


def test_a_laptop_never_synced_says_to_sync_first(paths: TerminalPaths) -> None:
    fresh = StaffDirectory(paths.assisted / "other-staff", verify_password)
    with pytest.raises(LoginRefused) as refused:
        fresh.login("S001", "li-2026!", SYNCED)
    assert refused.value.kind == "no_directory"


def test_a_disabled_account_is_refused_after_the_next_sync(directory: StaffDirectory) -> None:
    assert directory.login("S002", "wang-2026!", SYNCED + timedelta(hours=1)).staff_no == "S002"
    directory.replace(_records(active_b=False), SYNCED + timedelta(hours=2))
    with pytest.raises(LoginRefused) as refused:
        directory.login("S002", "wang-2026!", SYNCED + timedelta(hours=3))
    assert refused.value.kind == "disabled"
    assert "停用" in str(refused.value)
    # Removed from the platform's list altogether: refused as unknown.
    directory.replace(_records()[:1], SYNCED + timedelta(hours=4))
    with pytest.raises(LoginRefused):
        directory.login("S003", "zhao-2026!", SYNCED + timedelta(hours=5))


def test_staff_b_cannot_see_or_open_staff_a_cases(paths: TerminalPaths, directory: StaffDirectory) -> None:
    now = SYNCED + timedelta(hours=1)
    alice = directory.login("S001", "li-2026!", now)
    book_a = CaseBook(alice.vault(paths.assisted_cases), "S001")
    resident = resident_from_input("张三丰", "110101194001011234", "13800138000", today=now.date())
    case = book_a.new_case("GLJT-01", "高龄津贴申请", resident, now)
    book_a.add_attachment(case.case_id, b"\x89PNG signature of the resident", "image/png", "signature", now)

    bob = directory.login("S003", "zhao-2026!", now)
    # B's case list has none of A's cases.
    assert CaseBook(bob.vault(paths.assisted_cases), "S003").rows() == []
    # A's files copied into B's folder do not open with B's key, and are not shown as cases.
    a_folder = paths.assisted_cases / "S001"
    b_vault = bob.vault(paths.assisted_cases)
    for file in a_folder.iterdir():
        (b_vault.folder / file.name).write_bytes(file.read_bytes())
    book_b = CaseBook(b_vault, "S003")
    assert book_b.rows() == []
    assert book_b.unreadable
    # B opening A's folder with B's key reads nothing.
    intruder = Vault(a_folder, bob.data_key)
    for name in intruder.names():
        with pytest.raises(VaultError):
            intruder.read(name)
    # A still reads A's case.
    assert [row.resident_masked for row in CaseBook(alice.vault(paths.assisted_cases), "S001").rows()] == ["张*丰"]


def test_a_password_reset_at_the_platform_keeps_the_cases_after_one_rekey(
    paths: TerminalPaths, directory: StaffDirectory
) -> None:
    now = SYNCED + timedelta(hours=1)
    alice = directory.login("S001", "li-2026!", now)
    book = CaseBook(alice.vault(paths.assisted_cases), "S001")
    resident = resident_from_input("张三丰", "110101194001011234", today=now.date())
    book.new_case("GLJT-01", "高龄津贴申请", resident, now)
    records = _records()
    records[0] = StaffRecord("S001", "李代办", "agent", hash_password("new-pass-1"))
    directory.replace(records, now + timedelta(hours=1))
    with pytest.raises(LoginRefused) as refused:
        directory.login("S001", "new-pass-1", now + timedelta(hours=2))
    assert refused.value.kind == "password_reset"
    session = directory.rekey("S001", "li-2026!", "new-pass-1", now + timedelta(hours=2))
    assert len(CaseBook(session.vault(paths.assisted_cases), "S001")) == 1
    assert directory.login("S001", "new-pass-1", now + timedelta(hours=3)).data_key == alice.data_key


def test_logins_refusals_locks_logouts_and_cases_are_in_the_audit_log(paths: TerminalPaths) -> None:
    log = AuditLog(paths.audit, paths.audit_key, "LAPTOP-audit")
    try:
        directory = StaffDirectory(paths.assisted_staff, verify_password, LoginPolicy(max_failures=5), audit=log)
        directory.replace(_records(), SYNCED)
        now = SYNCED + timedelta(hours=1)
        session = directory.login("S001", "li-2026!", now)
        book = CaseBook(session.vault(paths.assisted_cases), "S001", audit=log)
        resident = resident_from_input("张三丰", "110101194001011234", today=now.date())
        book.new_case("GLJT-01", "高龄津贴申请", resident, now)
        directory.logout(session, idle=True)
        for _ in range(6):
            with pytest.raises(LoginRefused):
                directory.login("S003", "wrong", now)
        # A phone number typed into the staff number field is refused and logged as "unknown", never in clear.
        with pytest.raises(LoginRefused):
            directory.login("13800138000", "li-2026!", now)
        entries = [json.loads(entry) for entry in log.entries()]
    finally:
        log.close()
    actions = [(e["who"], e["action"], e.get("detail")) for e in entries]
    assert actions[0] == ("S001", "staff.login", {"ok": True})
    assert actions[1][:2] == ("S001", "case.created")
    assert actions[2] == ("S001", "staff.logout", {"idle_lock": True})
    assert actions[3] == ("S003", "staff.login", {"ok": False, "refused": "unknown_or_wrong"})
    assert [a for a in actions if a[1] == "staff.lockout"] == [("S003", "staff.lockout", None)]
    assert actions[-2] == ("S003", "staff.login", {"ok": False, "refused": "locked"})
    assert actions[-1] == ("unknown", "staff.login", {"ok": False, "refused": "unknown_or_wrong"})
    text = b"".join(log_entry for log_entry in (json.dumps(e, ensure_ascii=False).encode() for e in entries))
    assert "张三丰".encode() not in text
    assert b"110101194001011234" not in text
