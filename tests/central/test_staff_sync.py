"""A laptop's staff sync (GET /api/v1/staff) against the real platform: the hall's accounts come with hashes that
verify the staff members' passwords offline, a disabled account is flagged, another hall's staff are not listed,
and the accounts are managed with ``kiosk-central staff`` (passwords from standard input, never argv)."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import Engine, insert

from central.cli import main as central_main
from central.runner import RunningCentral
from central.schema import console_terminals
from central.staff.accounts import StaffBook
from offline_cache.wire.protocol import PATH_STAFF, PROTOCOL
from offline_cache.wire.staff_hash import verify_password
from tests.central.staff_helpers import PASSWORDS, Laptop, assisted_central, engine, laptop, staff

__all__ = ["assisted_central", "engine", "laptop", "staff"]


def _staff(laptop: Laptop) -> dict[str, dict[str, object]]:
    answer = laptop.session.get(laptop.url(PATH_STAFF), headers=laptop.headers, timeout=30)
    assert answer.status_code == 200
    body = answer.json()
    assert body["protocol"] == PROTOCOL and body["kind"] == "staff_list"
    return {item["staff_no"]: item for item in body["staff"]}


def test_staff_sync_gives_hashes_that_verify_each_password(laptop: Laptop, staff: StaffBook) -> None:
    listed = _staff(laptop)
    assert set(listed) == {"S001", "S002", "S003"}
    assert listed["S002"]["role"] == "reviewer" and listed["S001"]["role"] == "agent"
    for staff_no, password in PASSWORDS.items():
        stored = str(listed[staff_no]["password_hash"])
        assert stored.startswith("scrypt$16384$8$1$")
        assert verify_password(password, stored)
        assert not verify_password(password + "x", stored)
    assert "li-daiban-2026" not in str(listed)


def test_a_disabled_account_is_flagged_and_a_reset_changes_the_hash(laptop: Laptop, staff: StaffBook) -> None:
    before = _staff(laptop)
    staff.disable("S003")
    staff.reset("S001", "a-new-password-9")
    after = _staff(laptop)
    assert after["S003"]["disabled"] is True and before["S003"]["disabled"] is False
    assert str(after["S003"]["updated_at"]) > str(before["S003"]["updated_at"])
    assert verify_password("a-new-password-9", str(after["S001"]["password_hash"]))
    assert not verify_password(PASSWORDS["S001"], str(after["S001"]["password_hash"]))


def test_only_the_terminals_hall_is_listed(laptop: Laptop, engine: Engine, staff: StaffBook) -> None:
    staff.add("H201", "钱代办", "agent", "qian-daiban-2026", hall="城关镇便民服务中心")
    assert "H201" not in _staff(laptop)
    with engine.begin() as conn:
        conn.execute(
            insert(console_terminals).values(
                terminal_id=laptop.terminal_id, region="", hall="城关镇便民服务中心", state="ok", state_since="x"
            )
        )
    assert set(_staff(laptop)) == {"H201"}


def test_without_a_token_there_is_no_staff_list(assisted_central: RunningCentral, staff: StaffBook) -> None:
    import requests

    answer = requests.get(assisted_central.url + PATH_STAFF, timeout=30)
    assert answer.status_code == 401
    assert answer.json()["error"]["code"]
    assert "scrypt" not in answer.text


def test_staff_commands_read_the_password_from_stdin(
    db_url: str, laptop: Laptop, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("sun-daiban-2026\n"))
    assert central_main(["staff", "add", "S010", "--name", "孙代办", "--role", "agent", "--db", db_url]) == 0
    assert verify_password("sun-daiban-2026", str(_staff(laptop)["S010"]["password_hash"]))
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert central_main(["staff", "reset", "S010", "--db", db_url]) == 1
    assert "口令至少" in capsys.readouterr().err
    assert central_main(["staff", "disable", "S999", "--db", db_url]) == 1
    assert "S999" in capsys.readouterr().err
    assert central_main(["staff", "disable", "S010", "--db", db_url]) == 0
    assert central_main(["staff", "list", "--db", db_url]) == 0
    out = capsys.readouterr().out
    assert "孙代办" in out and "已停用" in out and "scrypt" not in out
    with pytest.raises(SystemExit):
        central_main(["staff", "add", "S011", "--name", "x", "--role", "boss", "--db", db_url])
