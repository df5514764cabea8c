"""A hall manager of one hall sees and acts on that hall only: its terminals, its alerts, its notices."""

from __future__ import annotations

import requests

from central.console.accounts import Role
from tests.central.console.support import ConsoleSite, csrf_of, log_in

HERE, THERE = "海淀区政务服务中心", "朝阳区市民服务中心"


def test_a_hall_manager_keeps_to_their_hall(site: ConsoleSite) -> None:
    console = site.console
    now = console.clock.now()
    tokens = {name: site.enroll(name) for name in ("H-1", "T-1")}
    console.fleet.place("H-1", "海淀区", HERE, 0, now)
    console.fleet.place("T-1", "朝阳区", THERE, 0, now)
    call = {"kind": "call_staff", "at": now.isoformat(), "screen": "form"}
    for name, token in tokens.items():
        site.beat(name, token, devices={"printer": {"state": "offline", "reason": "paper out"}}, alerts=[call])
    console.accounts.add("haidian", "haidian manager 2026", Role.HALL_MANAGER, "海淀主管", now, hall=HERE)
    manager = requests.Session()
    assert log_in(manager, site.url, "haidian", "haidian manager 2026").url.endswith("/console/terminals")

    fleet = manager.get(site.url + "/console/terminals", timeout=10).text
    assert 'id="terminal-H-1"' in fleet and "T-1" not in fleet
    assert manager.get(site.url + "/console/terminals/T-1", timeout=10).status_code == 403
    alerts = manager.get(site.url + "/console/alerts/list", timeout=10).text
    assert ">H-1</a>" in alerts and "T-1" not in alerts
    everyone = site.client(Role.ADMIN).get(site.url + "/console/alerts/list", timeout=10).text
    other_call = everyone.split(">T-1</a>")[0].rsplit('id="alert-', 1)[1].split('"')[0]
    refused = manager.post(
        site.url + f"/console/alerts/{other_call}/ack",
        data={"csrf": csrf_of(alerts)},
        allow_redirects=False,
        timeout=10,
    )
    assert refused.status_code == 403
    moved = manager.post(
        site.url + "/console/terminals/H-1",
        data={"csrf": csrf_of(alerts), "region": "朝阳区", "hall": THERE, "maintenance_hours": "0"},
        timeout=10,
    )
    assert moved.status_code == 403

    page = manager.get(site.url + "/console/notices", timeout=10).text
    manager.post(
        site.url + "/console/notices",
        data={
            "csrf": csrf_of(page),
            "title_zh": "本厅停电检修",
            "body_zh": "周六上午暂停自助服务。",
            "hall": THERE,
            "action": "publish",
        },
        timeout=10,
    )
    here = [n["title"]["zh"] for n in site.beat("H-1", tokens["H-1"])["notices"]]
    there = [n["title"]["zh"] for n in site.beat("T-1", tokens["T-1"])["notices"]]
    assert "本厅停电检修" in here and "本厅停电检修" not in there  # written for their own hall, whatever was typed
