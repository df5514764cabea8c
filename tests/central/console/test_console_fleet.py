"""The terminal list as a hall manager reads it: states from heartbeat age with grace and hysteresis, worst first,
grouped by region and hall, counters; a terminal's history and uptime leave maintenance out."""

from __future__ import annotations

import re

import requests

from central.console.accounts import Role
from central.console.states import State, Thresholds, silence_state
from tests.central.console.support import ConsoleSite, csrf_of


def _state_of(page: str, terminal_id: str) -> str:
    found = re.search(rf'id="terminal-{re.escape(terminal_id)}" data-state="(\w+)"', page)
    assert found, f"{terminal_id} is not on the page"
    return found.group(1)


def _counter(page: str, state: str) -> int:
    found = re.search(rf'data-state="{state}"><b>(\d+)</b>', page)
    assert found
    return int(found.group(1))


def test_a_terminal_goes_late_then_offline_when_it_stops_and_back_when_it_beats(site: ConsoleSite) -> None:
    token = site.enroll("T-1")
    site.beat("T-1", token)
    manager = site.client(Role.HALL_MANAGER)

    def state() -> str:  # the terminal's hall (no region or hall set) shows every terminal of it
        return _state_of(manager.get(site.url + "/console/terminals?region=&hall=", timeout=10).text, "T-1")

    assert state() == "ok"
    site.console.clock.advance(80)  # later than the interval, within the grace period
    assert state() == "ok"
    site.console.clock.advance(20)  # 100 s: past interval + grace
    assert state() == "warning"
    site.console.clock.advance(150)  # 250 s: past three intervals + grace
    assert state() == "offline"
    alerts = manager.get(site.url + "/console/alerts", timeout=10).text
    assert "终端离线" in alerts and "T-1" in alerts
    site.beat("T-1", token)
    assert state() == "ok"
    alerts = manager.get(site.url + "/console/alerts/list", timeout=10).text
    assert 'data-kind="terminal_offline"' not in alerts.split('id="closed-alerts"')[0]
    history = manager.get(site.url + "/console/terminals/T-1", timeout=10).text
    assert re.findall(r'class="badge (\w+)">', history.split('id="history"')[1]) == [
        "ok",
        "offline",
        "warning",
        "ok",
    ]


def test_hysteresis_keeps_a_late_terminal_late_until_a_fresh_beat() -> None:
    t = Thresholds(interval_s=60, grace_s=30)
    assert silence_state(State.OK, 85, t) is State.OK
    assert silence_state(State.WARNING, 85, t) is State.WARNING  # no flapping at the edge
    assert silence_state(State.WARNING, 30, t) is State.OK
    assert silence_state(State.OFFLINE, 85, t) is State.OFFLINE
    assert silence_state(State.OFFLINE, 10, t) is State.OK
    assert silence_state(None, None, t) is State.OFFLINE


def test_worst_first_by_hall_with_devices_paper_and_counters(sqlite_site: ConsoleSite) -> None:
    site = sqlite_site
    tokens = {name: site.enroll(name) for name in ("A-OK", "B-PAPER", "C-CAMERA", "D-NEVER")}
    site.beat("A-OK", tokens["A-OK"], app_version="1.4.0")
    site.beat("B-PAPER", tokens["B-PAPER"], devices={"printer": {"state": "degraded", "reason": "paper near end"}})
    site.beat("C-CAMERA", tokens["C-CAMERA"], devices={"camera": {"state": "offline", "reason": "unplugged"}})
    tech = site.client(Role.TECHNICIAN)
    page = tech.get(site.url + "/console/terminals/C-CAMERA", timeout=10).text
    tech.post(
        site.url + "/console/terminals/C-CAMERA",
        data={"csrf": csrf_of(page), "region": "海淀区", "hall": "政务服务中心", "maintenance_hours": "0"},
        timeout=10,
    )
    page = tech.get(site.url + "/console/terminals", timeout=10).text
    assert _state_of(page, "D-NEVER") == "offline"
    assert _state_of(page, "C-CAMERA") == "error"
    assert _state_of(page, "B-PAPER") == "warning"
    assert 'id="terminal-A-OK"' not in page  # a province's list shows the terminals that need someone
    assert "另有 1 台正常" in page
    # Worst first: the hall with an offline terminal, then the hall with an error; in a hall, worst first.
    assert page.index("D-NEVER") < page.index("B-PAPER") < page.index("C-CAMERA")
    whole_hall = tech.get(site.url + "/console/terminals?region=&hall=", timeout=10).text
    assert _state_of(whole_hall, "A-OK") == "ok" and "海淀区" not in whole_hall.split("<main>")[1]
    assert "海淀区 · 政务服务中心" in page and "纸张不足" in page
    assert (_counter(page, "offline"), _counter(page, "error"), _counter(page, "warning"), _counter(page, "ok")) == (
        1,
        1,
        1,
        1,
    )


def test_maintenance_is_shown_and_left_out_of_uptime(site: ConsoleSite) -> None:
    token = site.enroll("T-M")
    site.beat("T-M", token)
    admin = site.client(Role.ADMIN)
    site.console.clock.advance(3600)
    page = admin.get(site.url + "/console/terminals/T-M", timeout=10).text  # offline for most of the hour
    admin.post(
        site.url + "/console/terminals/T-M",
        data={"csrf": csrf_of(page), "region": "", "hall": "", "maintenance_hours": "2"},
        timeout=10,
    )
    site.console.clock.advance(3600)
    page = admin.get(site.url + "/console/terminals/T-M", timeout=10).text
    assert 'id="state">维护中' in page
    uptime = re.search(r'id="uptime">([\d.]+)%', page)
    assert uptime is not None
    # Offline counts from when the beat was lost (3 intervals + grace: 210 s after it), not from when someone
    # looked; then maintenance, not counted: up 210 s of 3600 s.
    assert float(uptime.group(1)) == round(210 / 3600 * 100, 2)


def test_a_bad_maintenance_value_is_refused_readably(sqlite_site: ConsoleSite) -> None:
    site = sqlite_site
    site.enroll("T-X")
    admin = site.client(Role.ADMIN)
    page = admin.get(site.url + "/console/terminals/T-X", timeout=10).text
    answer = admin.post(
        site.url + "/console/terminals/T-X",
        data={"csrf": csrf_of(page), "maintenance_hours": "lots"},
        timeout=10,
    )
    assert answer.status_code == 422 and "维护时长" in answer.text
    assert requests.get(site.url + "/console/terminals/T-X", timeout=10).url.endswith("/console/login")
