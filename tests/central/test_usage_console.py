"""使用统计 in the fleet console: a hall manager picks a hall and sees its chart (history, forecast and its
interval, where visits were left, ratings) and downloads its counts and forecast; a technician may not."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import insert

from central.console.accounts import Role
from central.schema import usage_counts
from central.usage.forecasts import refresh_forecasts
from tests.central.console.support import ConsoleSite, log_in, start_site


@pytest.fixture
def site(tmp_path: Path) -> Iterator[ConsoleSite]:
    running = start_site(f"sqlite:///{tmp_path / 'console.db'}")
    try:
        yield running
    finally:
        running.central.stop()


def test_a_hall_manager_sees_the_chart_and_exports_it(site: ConsoleSite) -> None:
    engine = site.console.engine
    today = site.console.clock.now().date()
    rows = []
    for back in range(1, 36):
        day = today - dt.timedelta(days=back)
        if day.weekday() < 5:
            rows += [
                {"hall": "东城大厅", "hour": f"{day}T{h:02d}", "service_code": "", "measure": "visits", "value": 12.0}
                for h in range(9, 17)
            ]
    rows.append(
        {
            "hall": "东城大厅",
            "hour": f"{today - dt.timedelta(days=1)}T10",
            "service_code": "JZZ-04",
            "measure": "abandoned:form:contract",
            "value": 4.0,
        }
    )
    with engine.begin() as conn:
        conn.execute(insert(usage_counts), rows)
    refresh_forecasts(engine, today, 14)

    manager = site.client(Role.HALL_MANAGER)
    page = manager.get(site.url + "/console/usage", timeout=10)
    assert page.status_code == 200
    html = page.text
    assert "使用统计" in html  # in the menu and the title
    assert '<option value="东城大厅" selected>' in html
    assert 'class="history"' in html and 'class="forecast"' in html and 'class="interval"' in html
    assert "JZZ-04 · form:contract" in html
    export = manager.get(site.url + "/console/usage/export.csv", params={"hall": "东城大厅"}, timeout=10)
    assert export.status_code == 200
    table = list(csv.DictReader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert {r["kind"] for r in table} == {"counted", "forecast"}

    technician = site.client(Role.TECHNICIAN)
    assert technician.get(site.url + "/console/usage", timeout=10).status_code == 403


def test_without_usage_the_page_says_so(site: ConsoleSite) -> None:
    html = site.client(Role.ADMIN).get(site.url + "/console/usage", timeout=10).text
    assert "还没有终端发来使用统计" in html


def test_a_hall_manager_given_a_hall_sees_that_hall_only(site: ConsoleSite) -> None:
    engine = site.console.engine
    now = site.console.clock.now()
    day = now.date() - dt.timedelta(days=1)
    with engine.begin() as conn:
        conn.execute(
            insert(usage_counts),
            [
                {"hall": hall, "hour": f"{day}T10", "service_code": "", "measure": "visits", "value": 5.0}
                for hall in ("东城大厅", "西城大厅")
            ],
        )
    site.console.accounts.add("dongcheng1", "a long enough password", Role.HALL_MANAGER, "东城", now, hall="东城大厅")
    manager = requests.Session()
    log_in(manager, site.url, "dongcheng1", "a long enough password")
    html = manager.get(site.url + "/console/usage", params={"hall": "西城大厅"}, timeout=10).text
    assert '<option value="东城大厅" selected>' in html
    assert "西城大厅" not in html
    other = manager.get(site.url + "/console/usage/export.csv", params={"hall": "西城大厅"}, timeout=10)
    assert other.status_code == 403
