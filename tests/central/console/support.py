"""Helpers for the console tests: the console on a real platform on loopback, one user per role, a logged-in
HTTP client per role, terminals that beat over the real terminal API, and the console's clock to move ages."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import requests

from central.console.accounts import Role
from central.console.desk import FleetConsole
from central.runner import RunningCentral, start_central
from offline_cache.wire.protocol import PATH_HEARTBEAT

PASSWORD = "correct horse battery"


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
    for role in Role:
        console.accounts.add(f"{role.value}1", PASSWORD, role, f"{role.value} 测试", console.clock.now())
    return ConsoleSite(central, console)
