"""Logging in: a wrong password is told plainly, five in a row lock the account (even the right password then),
and logging out ends the session in the database."""

from __future__ import annotations

import requests

from central.console.accounts import Role
from tests.central.console.support import PASSWORD, ConsoleSite, csrf_of, log_in


def test_five_wrong_passwords_lock_the_account(sqlite_site: ConsoleSite) -> None:
    site = sqlite_site
    browser = requests.Session()
    for _ in range(4):
        answer = log_in(browser, site.url, "technician1", "not the password")
        assert answer.status_code == 401 and "用户名或密码不对" in answer.text
    answer = log_in(browser, site.url, "technician1", "not the password")
    assert answer.status_code == 423 and "账号已锁定" in answer.text
    answer = log_in(browser, site.url, "technician1", PASSWORD)
    assert answer.status_code == 423
    site.console.clock.advance(16 * 60)
    answer = log_in(browser, site.url, "technician1", PASSWORD)
    assert answer.url.endswith("/console/terminals")


def test_an_unknown_user_is_told_the_same_as_a_wrong_password(sqlite_site: ConsoleSite) -> None:
    answer = log_in(requests.Session(), sqlite_site.url, "nobody", "whatever it is")
    assert answer.status_code == 401 and "用户名或密码不对" in answer.text


def test_logging_out_ends_the_session(sqlite_site: ConsoleSite) -> None:
    site = sqlite_site
    admin = site.client(Role.ADMIN)
    stolen = admin.cookies.get("console_session")
    page = admin.get(site.url + "/console/terminals", timeout=10).text
    admin.post(site.url + "/console/logout", data={"csrf": csrf_of(page)}, timeout=10)
    replay = requests.get(
        site.url + "/console/terminals", cookies={"console_session": stolen or ""}, allow_redirects=False, timeout=10
    )
    assert replay.status_code == 303


def test_english_is_available(sqlite_site: ConsoleSite) -> None:
    site = sqlite_site
    admin = site.client(Role.ADMIN)
    page = admin.get(site.url + "/console/lang?to=en&back=/console/terminals", timeout=10).text
    assert "Terminals" in page and "终端总览" not in page
