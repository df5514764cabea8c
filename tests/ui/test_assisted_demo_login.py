"""``kiosk run --mode assisted --demo``: the demo platform has staff accounts, the login screen names one, and
after 同步工作人员名单 that member logs in through the window."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from kiosk.hall.compose import Hall
from kiosk.hall.embedded import DEMO_STAFF
from ui.assisted.compose import DEMO_LOGIN, assisted_desk
from ui.assisted.window import AssistedWindow


def test_the_demo_names_a_member_who_can_log_in(qtbot: QtBot, demo_hall: Hall) -> None:
    window = AssistedWindow(assisted_desk(demo_hall))
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    login = window.login_screen
    staff_no, _name, _role, password = DEMO_STAFF[0]
    assert staff_no in DEMO_LOGIN and password in DEMO_LOGIN
    hint = login.findChild(type(login.notice), "login-demo-hint")
    assert hint is not None and hint.text() == DEMO_LOGIN
    login.pull_button.click()
    qtbot.waitUntil(lambda: login.pull_note.property("role") == "ok", timeout=20_000)
    login.staff_no.setText(staff_no)
    login.password.setText(password)
    login.button.click()
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.case_list, timeout=20_000)  # else: refusal
    assert "李代办" in window.case_list.who.text()
