"""Every console route with every role and with none: the right role gets the page, a wrong one 403, nobody is
sent to log in; every form is refused without its CSRF token; a terminal's token opens no console page and a
console session opens nothing of the terminal API."""

from __future__ import annotations

import re

import pytest
import requests
from fastapi.routing import APIRoute

from central.console.accounts import Role
from central.console.pages import PAGES
from offline_cache.wire.protocol import PATH_CATALOG, PATH_HEARTBEAT
from tests.central.console.support import ConsoleSite, csrf_of

A, M, T, S = Role.ADMIN, Role.HALL_MANAGER, Role.TECHNICIAN, Role.SUPERVISOR
EVERYONE = frozenset(Role)
PUBLIC = None

#: Who may use each console route: written here by hand, so a page that lets in the wrong role fails.
EXPECTED: dict[tuple[str, str], frozenset[Role] | None] = {
    ("GET", "/console"): PUBLIC,
    ("GET", "/console/"): PUBLIC,
    ("GET", "/console/login"): PUBLIC,
    ("POST", "/console/login"): PUBLIC,
    ("GET", "/console/lang"): PUBLIC,
    ("POST", "/console/logout"): EVERYONE,
    ("GET", "/console/terminals"): EVERYONE,
    ("GET", "/console/terminals/list"): EVERYONE,
    ("GET", "/console/terminals/{terminal_id}"): EVERYONE,
    ("POST", "/console/terminals/{terminal_id}"): frozenset({M, T, A}),
    ("GET", "/console/alerts"): frozenset({M, T, A}),
    ("GET", "/console/alerts/list"): frozenset({M, T, A}),
    ("POST", "/console/alerts/{seq}/ack"): frozenset({M, T, A}),
    ("GET", "/console/notices"): frozenset({M, A}),
    ("POST", "/console/notices"): frozenset({M, A}),
    ("POST", "/console/notices/{seq}/withdraw"): frozenset({M, A}),
    ("GET", "/console/catalog"): frozenset({A, S}),
    ("POST", "/console/catalog"): frozenset({A}),
    ("GET", "/console/cases"): frozenset({S, A}),
    ("GET", "/console/cases/{case_no}"): frozenset({S, A}),
    ("GET", "/console/staff"): frozenset({M, S, A}),
    ("GET", "/console/usage"): frozenset({M, S, A}),
    ("GET", "/console/usage/export.csv"): frozenset({M, S, A}),
    ("GET", "/console/users"): frozenset({A}),
    ("POST", "/console/users"): frozenset({A}),
}


def _console_routes() -> set[tuple[str, str]]:
    """Every route of every registered console page (central.console.pages.PAGES)."""
    found = set()
    for page in PAGES:
        for route in page.router.routes:
            if isinstance(route, APIRoute):
                found |= {(method, route.path) for method in route.methods or () if method != "HEAD"}
    return found


def _concrete(path: str) -> str:
    return path.replace("{terminal_id}", "T-SEC").replace("{seq}", "1").replace("{case_no}", "SB2026112500000001")


def test_every_console_route_is_in_the_table() -> None:
    assert _console_routes() == set(EXPECTED)


def test_every_route_with_every_role_and_none(sqlite_site: ConsoleSite) -> None:
    site = sqlite_site
    site.enroll("T-SEC")
    clients = {role: site.client(role) for role in Role}
    tokens = {role: csrf_of(clients[role].get(site.url + "/console/terminals", timeout=10).text) for role in Role}
    for (method, path), allowed in sorted(EXPECTED.items()):
        if allowed is PUBLIC:
            continue
        url = site.url + _concrete(path)
        anonymous = requests.request(method, url, allow_redirects=False, timeout=10)
        if method == "GET":
            assert anonymous.status_code == 303 and anonymous.headers["location"] == "/console/login", (method, path)
        else:
            assert anonymous.status_code == 401, (method, path, anonymous.status_code)
        for role in Role:
            if path == "/console/logout":
                continue
            data = {"csrf": tokens[role]} if method == "POST" else None
            answer = clients[role].request(method, url, data=data, allow_redirects=False, timeout=10)
            if role in allowed:
                assert answer.status_code not in (401, 403), (method, path, role, answer.status_code)
                assert answer.status_code < 500
            else:
                assert answer.status_code == 403, (method, path, role, answer.status_code)
                assert "你的角色不能打开此页" in answer.text


def test_forms_without_their_csrf_token_are_refused(sqlite_site: ConsoleSite) -> None:
    site = sqlite_site
    site.enroll("T-SEC")
    admin = site.client(Role.ADMIN)
    for (method, path), allowed in EXPECTED.items():
        if method != "POST" or allowed is PUBLIC:
            continue
        for data in ({}, {"csrf": "forged"}):
            answer = admin.post(site.url + _concrete(path), data=data, allow_redirects=False, timeout=10)
            assert answer.status_code == 403, (path, data, answer.status_code)
    # The place of the terminal did not change, no notice was made, no user added.
    page = admin.get(site.url + "/console/notices", timeout=10).text
    assert 'id="notice-1"' not in page
    # The login form has its own token: a cross-site post without it is refused too.
    answer = requests.post(site.url + "/console/login", data={"username": "admin1", "password": "x"}, timeout=10)
    assert answer.status_code == 403


def test_a_terminal_token_opens_no_console_page_and_a_session_no_terminal_api(sqlite_site: ConsoleSite) -> None:
    site = sqlite_site
    token = site.enroll("T-SEC")
    bearer = {"Authorization": f"Bearer {token}", "X-Terminal-Id": "T-SEC"}
    for (method, path), allowed in EXPECTED.items():
        if allowed is PUBLIC or method != "GET":
            continue
        answer = requests.get(site.url + _concrete(path), headers=bearer, allow_redirects=False, timeout=10)
        assert answer.status_code == 303 and answer.headers["location"] == "/console/login", path
    admin = site.client(Role.ADMIN)
    cookie = admin.cookies.get("console_session")
    assert cookie
    for method, path in (("GET", PATH_CATALOG), ("POST", PATH_HEARTBEAT.format(terminal_id="T-SEC"))):
        # The cookie sent as the browser sends it, and as a bearer token.
        for headers in ({"Cookie": f"console_session={cookie}"}, {"Authorization": f"Bearer {cookie}"}):
            answer = requests.request(method, site.url + path, headers=headers, json={}, timeout=10)
            assert answer.status_code == 401, (method, path, answer.status_code)
            assert answer.json()["error"]["code"] in ("unauthenticated", "unknown_token")


@pytest.mark.parametrize("path", ["/console/terminals", "/console/alerts"])
def test_pages_forbid_framing_and_keep_the_session_cookie_from_scripts(sqlite_site: ConsoleSite, path: str) -> None:
    site = sqlite_site
    session = requests.Session()
    form = session.get(site.url + "/console/login", timeout=10)
    answer = session.post(
        site.url + "/console/login",
        data={"username": "admin1", "password": "correct horse battery", "csrf": csrf_of(form.text)},
        allow_redirects=False,
        timeout=10,
    )
    cookie = answer.headers["set-cookie"]
    assert "HttpOnly" in cookie and re.search("SameSite=strict", cookie, re.IGNORECASE)
    page = session.get(site.url + path, timeout=10)
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
