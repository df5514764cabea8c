"""The staff member's client: logging in on a shared laptop, offline, and what each member may see."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from kiosk.assisted.staff import StaffRecord
from kiosk.assisted.vault import Vault, VaultError
from kiosk.hall.compose import Hall
from offline_cache.wire.staff_hash import hash_password
from tests.ui.assisted_client_support import Clocks, laptop, log_in, open_window
from tests.ui.conftest import settle
from ui.assisted.showcase import DEMO_STAFF, fill_cases


def test_a_member_logs_in_offline_and_sees_their_own_cases(qtbot: QtBot, tmp_path: Path, demo_hall: Hall) -> None:
    clocks = Clocks()
    window = open_window(qtbot, laptop(tmp_path, demo_hall, clocks))
    assert window.stack.currentWidget() is window.login_screen
    log_in(window, 0)
    settle()
    assert window.stack.currentWidget() is window.case_list
    assert "李代办" in window.case_list.who.text()
    assert window.case_list.count_label.text() == "0 / 0 件"


def test_wrong_passwords_are_refused_readably_and_the_fifth_locks(
    qtbot: QtBot, tmp_path: Path, demo_hall: Hall
) -> None:
    window = open_window(qtbot, laptop(tmp_path, demo_hall, Clocks()))
    screen = window.login_screen
    for _ in range(4):
        screen.staff_no.setText("A001")
        screen.password.setText("not-it")
        screen.button.click()
        assert screen.refusal.isVisible()
        assert "工号或密码不正确" in screen.refusal.text()
    screen.password.setText("not-it")
    screen.button.click()
    assert "锁定" in screen.refusal.text()
    log_in(window, 0)  # the right password, but locked now
    assert window.session is None
    assert "锁定" in screen.refusal.text()


def test_an_offline_login_past_the_limit_is_refused_with_what_to_do(
    qtbot: QtBot, tmp_path: Path, demo_hall: Hall
) -> None:
    window = open_window(qtbot, laptop(tmp_path, demo_hall, Clocks(), contacted_days_ago=9))
    log_in(window, 0)
    assert window.session is None
    assert "离线登录期限" in window.login_screen.refusal.text()
    assert "同步" in window.login_screen.refusal.text()


def test_a_disabled_account_is_refused(qtbot: QtBot, tmp_path: Path, demo_hall: Hall) -> None:
    clocks = Clocks()
    desk = laptop(tmp_path, demo_hall, clocks)
    staff = DEMO_STAFF[1]
    records = [r for r in desk.directory.records() if r.staff_no != staff.staff_no]
    records.append(StaffRecord(staff.staff_no, staff.name, "agent", hash_password(staff.password), active=False))
    desk.directory.replace(records, clocks.now)
    window = open_window(qtbot, desk)
    log_in(window, 1)
    assert window.session is None
    assert "已停用" in window.login_screen.refusal.text()


@pytest.mark.parametrize("search", ["", "张*兰"])
def test_b_cannot_see_or_open_a_cases(qtbot: QtBot, tmp_path: Path, demo_hall: Hall, search: str) -> None:
    desk = laptop(tmp_path, demo_hall, Clocks())
    window = open_window(qtbot, desk)
    log_in(window, 0)
    assert window.book is not None
    fill_cases(window.book, desk.catalog, desk.clock())
    window.show_list()
    a_cases = [row.case_id for row in window.case_list.model.rows()]
    assert len(a_cases) == 14
    window.case_list.logout_button.click()
    assert window.session is None
    assert window.case_list.model.rowCount() == 0

    b_session = log_in(window, 1)
    assert b_session is not None
    settle()
    window.case_list.search.setText(search)
    assert window.case_list.model.rowCount() == 0
    assert window.case_list.count_label.text() == "0 / 0 件"
    assert window.open_case(a_cases[0]) is None
    assert "只能打开自己的案件" in window.case_list.detail.text()
    # Nor through the files: B's key opens none of A's.
    a_folder = Vault(desk.cases_root / DEMO_STAFF[0].staff_no, b_session.data_key)
    names = a_folder.names("case-")
    assert names
    with pytest.raises(VaultError):
        a_folder.read(names[0])
