"""Helpers for the console tests: the console on a real platform on loopback, one user per role, a logged-in
HTTP client per role, terminals that beat over the real terminal API, and the console's clock to move ages."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import requests
from argon2 import PasswordHasher
from sqlalchemy import insert

from central.clock import iso
from central.console.accounts import Role
from central.console.desk import FleetConsole
from central.runner import RunningCentral, start_central
from central.schema import console_users
from offline_cache.wire.protocol import PATH_HEARTBEAT

PASSWORD = "correct horse battery"
_CHEAP_HASH = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)


@dataclass
class ConsoleSite:
    central: RunningCentral
    console: FleetConsole

    @property
    def url(self) -> str:
        return self.central.url

    def user(self, role: Role) -> str:
        return f"{role.value}1"

    def client(self, role: Role | None) -> requests.Session:
        """A browser-like session logged in as the user of ``role`` (None: not logged in)."""
        session = requests.Session()
        if role is not None:
            answer = log_in(session, self.url, self.user(role), PASSWORD)
            assert answer.status_code == 200 and answer.url.endswith("/console/terminals"), answer.text[:300]
        return session

    def enroll(self, terminal_id: str) -> str:
        return self.central.enroll(terminal_id)

    def beat(self, terminal_id: str, token: str, **report: Any) -> dict[str, Any]:
        body = {"queue_depth": 0, "devices": {"printer": {"state": "ok", "reason": ""}}, **report}
        answer = requests.post(
            self.url + PATH_HEARTBEAT.format(terminal_id=terminal_id),
            json=body,
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        assert answer.status_code == 200, answer.text
        reply: dict[str, Any] = answer.json()
        return reply


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def log_in(session: requests.Session, url: str, username: str, password: str) -> requests.Response:
    form = session.get(url + "/console/login", timeout=10)
    return session.post(
        url + "/console/login",
        data={"username": username, "password": password, "csrf": csrf_of(form.text)},
        timeout=10,
    )


def start_site(db_url: str) -> ConsoleSite:
    central = start_central(db_url)
    app = central._server.config.app
    console = app.state.console
    assert isinstance(console, FleetConsole)
    # The users go in with a cheap argon2id hash made once (a login costs what its hash's parameters say), so
    # each test does not pay four full-cost hashes on shared cores; test_console_login checks the real cost.
    with console.engine.begin() as conn:
        for role in Role:
            conn.execute(
                insert(console_users).values(
                    username=f"{role.value}1",
                    display_name=f"{role.value} 测试",
                    role=role.value,
                    password_hash=_CHEAP_HASH,
                    hall="",
                    failed_logins=0,
                    created_at=iso(console.clock.now()),
                )
            )
    return ConsoleSite(central, console)
