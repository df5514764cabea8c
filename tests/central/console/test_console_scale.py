"""What keeps a province's heartbeats cheap, as a user of the console and a terminal notice it: beats that change
nothing leave no history and raise nothing; a notice or catalog published by another worker reaches the very
next beat; the terminal list comes a page at a time, with counters for the whole fleet, a hall filter and a
search."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import requests
from sqlalchemy import insert, select

from central.clock import iso
from central.console.accounts import Role
from central.console.catalogs import CatalogShelf
from central.console.fleet_list import PAGE_SIZE
from central.console.notices import NoticeBoard, NoticeDraft
from central.schema import console_terminals, terminals
from central.terminals import token_hash
from offline_cache.wire.protocol import PATH_CATALOG
from tests.central.console.support import ConsoleSite


def _history(site: ConsoleSite, terminal_id: str) -> list[str]:
    page = site.client(Role.ADMIN).get(site.url + f"/console/terminals/{terminal_id}", timeout=10).text
    return re.findall(r'class="badge (\w+)">', page.split('id="history"')[1])


def _titles(reply: dict[str, Any]) -> list[str]:
    return [notice["title"]["zh"] for notice in reply["notices"]]


def test_beats_that_change_nothing_leave_one_line_of_history_and_no_alert(sqlite_site: ConsoleSite) -> None:
    site = sqlite_site
    token = site.enroll("T-QUIET")
    for _ in range(5):
        site.beat("T-QUIET", token)
    assert _history(site, "T-QUIET") == ["ok"]
    paper_out = {"printer": {"state": "offline", "reason": "paper out"}}
    for _ in range(3):
        site.beat("T-QUIET", token, devices=paper_out)
    site.beat("T-QUIET", token)
    assert _history(site, "T-QUIET") == ["ok", "error", "ok"]
    closed = site.client(Role.ADMIN).get(site.url + "/console/alerts", timeout=10).text.split('id="closed-alerts"')[1]
    assert closed.count('id="closed-') == 1 and "缺纸" in closed  # raised once over three beats, cleared once


def test_a_notice_and_a_catalog_from_another_worker_reach_the_next_beat(site: ConsoleSite) -> None:
    token = site.enroll("T-NEWS")
    assert "社保卡换发通知" not in _titles(site.beat("T-NEWS", token))
    # Written straight into the database, as another worker would: this worker has nothing in memory of it.
    board = NoticeBoard(site.console.engine)
    now = site.console.clock.now()
    draft = NoticeDraft("社保卡换发通知", "", "请携带身份证", "", "", "", now - timedelta(minutes=1), None)
    seq = board.publish(draft, "admin1", now)
    assert "社保卡换发通知" in _titles(site.beat("T-NEWS", token))
    board.withdraw(seq, site.console.clock.now())
    assert "社保卡换发通知" not in _titles(site.beat("T-NEWS", token))

    catalog = site.central.url + PATH_CATALOG
    before = requests.get(catalog, headers={"Authorization": f"Bearer {token}"}, timeout=10).headers["ETag"]
    text = requests.get(catalog, headers={"Authorization": f"Bearer {token}"}, timeout=10).text
    changed = re.sub(r'"version"\s*:\s*"[^"]*"', '"version": "2026.12-other-worker"', text, count=1)
    CatalogShelf(site.console.engine).publish(changed, "admin1", site.console.clock.now())
    after = requests.get(catalog, headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert after.headers["ETag"] != before and "2026.12-other-worker" in after.text


def _enroll_many(site: ConsoleSite, count: int, hall_of: Any) -> None:
    """Terminals straight into the database, placed, last seen long ago (so offline at the first look)."""
    now = site.console.clock.now()
    long_ago = iso(now - timedelta(hours=2))
    with site.console.engine.begin() as conn:
        conn.execute(
            insert(terminals),
            [
                {
                    "terminal_id": f"P{n:04d}",
                    "token_sha256": token_hash(f"t{n}"),
                    "revoked": False,
                    "enrolled_at": long_ago,
                }
                for n in range(count)
            ],
        )
        conn.execute(
            insert(console_terminals),
            [
                {
                    "terminal_id": f"P{n:04d}",
                    "region": "济南",
                    "hall": hall_of(n),
                    "state": "ok",
                    "state_since": long_ago,
                    "last_seen_at": long_ago if n % 2 else iso(now),
                }
                for n in range(count)
            ],
        )


def test_the_terminal_list_comes_a_page_at_a_time_with_counters_for_all(sqlite_site: ConsoleSite) -> None:
    site = sqlite_site
    _enroll_many(site, 260, lambda n: f"第{n // 20 + 1}大厅")  # 130 silent for two hours, 130 seen just now
    admin = site.client(Role.ADMIN)
    first = admin.get(site.url + "/console/terminals", timeout=30).text
    counters = dict(re.findall(r'data-state="(\w+)"><b>(\d+)</b>', first))
    assert counters["offline"] == "130" and counters["ok"] == "130"
    rows = re.findall(r'id="terminal-(P\d+)" data-state="(\w+)"', first)
    assert len(rows) == PAGE_SIZE and {state for _id, state in rows} == {"offline"}
    assert "第 1 / 2 页" in first and 'rel="next"' in first
    second = admin.get(site.url + "/console/terminals?page=2", timeout=30).text
    assert len(re.findall(r'id="terminal-P\d+"', second)) == 30
    assert 'rel="prev"' in second and 'rel="next"' not in second
    hall = admin.get(site.url + "/console/terminals", params={"region": "济南", "hall": "第2大厅"}, timeout=30).text
    assert len(re.findall(r'id="terminal-P\d+"', hall)) == 20  # a hall chosen: all of it, ok ones too
    found = admin.get(site.url + "/console/terminals", params={"q": "P0042"}, timeout=30).text
    assert re.findall(r'id="terminal-(P\d+)"', found) == ["P0042"]
    nothing = admin.get(site.url + "/console/terminals", params={"q": "没有这台"}, timeout=30).text
    assert "没有符合条件的终端" in nothing
    with site.console.engine.connect() as conn:  # the look recorded what silence did, once each
        offline = conn.execute(select(console_terminals.c.terminal_id).where(console_terminals.c.state == "offline"))
        assert len(offline.all()) == 130
    alerts = admin.get(site.url + "/console/alerts", timeout=30).text.split('id="closed-alerts"')[0]
    assert alerts.count("终端离线") == 130  # one alert each, raised by the look
