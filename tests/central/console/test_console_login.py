"""Logging in: a wrong password is told plainly, five in a row lock the account (even the right password then),
and logging out ends the session in the database."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import requests
from sqlalchemy import select

from central.console.accounts import Role
from central.schema import console_users
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


def test_passwords_are_kept_as_full_cost_argon2id_hashes(sqlite_site: ConsoleSite) -> None:
    site = sqlite_site
    site.console.accounts.add(
        "supervisor2", "a long passphrase 2026", Role.SUPERVISOR, "审核乙", site.console.clock.now()
    )
    with site.console.engine.connect() as conn:
        stored = conn.execute(
            select(console_users.c.password_hash).where(console_users.c.username == "supervisor2")
        ).scalar_one()
    assert stored.startswith("$argon2id$") and "m=65536,t=3" in stored
    assert "a long passphrase" not in stored
    assert log_in(requests.Session(), site.url, "supervisor2", "a long passphrase 2026").url.endswith("/terminals")


def test_wrong_passwords_sent_at_once_still_lock_at_the_fifth(site: ConsoleSite) -> None:
    def wrong(_: int) -> int:
        return log_in(requests.Session(), site.url, "admin1", "guess guess guess").status_code

    with ThreadPoolExecutor(5) as pool:
        answers = list(pool.map(wrong, range(5)))
    assert sorted(answers) == [401, 401, 401, 401, 423]
    assert log_in(requests.Session(), site.url, "admin1", PASSWORD).status_code == 423
