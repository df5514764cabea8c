"""Alerts as the hall sees them: a staff call from a real kiosk heartbeat appears with hall and terminal, is
acknowledged, and the kiosk hears 工作人员马上到; paper out, a device offline and a stuck queue clear themselves."""

from __future__ import annotations

import re
import threading

from central.console.accounts import Role
from kiosk.hall.heartbeat import Heartbeat
from offline_cache.courier import PlatformClient, PlatformLink
from tests.central.console.support import ConsoleSite, csrf_of


def _open_kinds(html: str) -> list[str]:
    return re.findall(r'data-kind="(\w+)"', html.split('id="closed-alerts"', maxsplit=1)[0])


def test_a_staff_call_appears_is_acknowledged_and_the_kiosk_hears_it(site: ConsoleSite) -> None:
    token = site.enroll("K-7")
    site.beat("K-7", token)
    manager = site.client(Role.HALL_MANAGER)
    page = manager.get(site.url + "/console/terminals/K-7", timeout=10).text
    manager.post(
        site.url + "/console/terminals/K-7",
        data={"csrf": csrf_of(page), "region": "朝阳区", "hall": "市民中心", "maintenance_hours": "0"},
        timeout=10,
    )
    heartbeat = Heartbeat(
        PlatformClient(PlatformLink(site.url, token, "K-7")), lambda: {"queue_depth": 0}, interval=3600
    )
    heard = threading.Event()
    heartbeat.staff_did_acknowledge.add(lambda _at: heard.set())
    heartbeat.start()
    try:
        assert heartbeat.call_staff("form", wait=10)
        listing = manager.get(site.url + "/console/alerts/list", timeout=10).text
        assert _open_kinds(listing) == ["call_staff"]
        assert "朝阳区 · 市民中心 · " in listing and ">K-7</a>" in listing
        assert not heartbeat.staff_coming()
        seq = re.search(r'id="alert-(\d+)" data-kind="call_staff"', listing)
        assert seq is not None
        answer = manager.post(
            site.url + f"/console/alerts/{seq.group(1)}/ack", data={"csrf": csrf_of(listing)}, timeout=10
        )
        assert answer.status_code == 200
        assert _open_kinds(answer.text) == []
        assert "manager" not in answer.text or "hall_manager1" in answer.text
        assert heartbeat.beat(10)
        assert heard.wait(10) and heartbeat.staff_coming()
    finally:
        heartbeat.stop()


def test_device_alerts_clear_themselves_when_the_cause_goes_away(site: ConsoleSite) -> None:
    token = site.enroll("K-8")
    site.beat(
        "K-8",
        token,
        devices={
            "printer": {"state": "offline", "reason": "paper out"},
            "camera": {"state": "offline", "reason": "gone"},
        },
        queue_depth=12,
        oldest_unsent_s=7200,
    )
    tech = site.client(Role.TECHNICIAN)
    kinds = _open_kinds(tech.get(site.url + "/console/alerts/list", timeout=10).text)
    assert sorted(kinds) == ["device_offline", "paper_out", "queue_stuck"]
    site.beat("K-8", token, devices={"printer": {"state": "ok", "reason": ""}, "camera": {"state": "offline"}})
    page = tech.get(site.url + "/console/alerts/list", timeout=10).text
    assert _open_kinds(page) == ["device_offline"]
    assert page.count("自动解除") == 2
    site.beat("K-8", token)
    assert _open_kinds(tech.get(site.url + "/console/alerts/list", timeout=10).text) == []


def test_the_same_staff_call_sent_twice_is_one_alert(sqlite_site: ConsoleSite) -> None:
    site = sqlite_site
    token = site.enroll("K-9")
    call = {"kind": "call_staff", "at": "2026-11-25T10:00:00+00:00", "screen": "services"}
    site.beat("K-9", token, alerts=[call])
    reply = site.beat("K-9", token, alerts=[call])
    assert reply["staff_calls"] == [{"at": call["at"], "state": "open"}]
    admin = site.client(Role.ADMIN)
    assert _open_kinds(admin.get(site.url + "/console/alerts/list", timeout=10).text) == ["call_staff"]
