"""Every console page as Chromium draws it, at 1366×768 and on a phone (390×844), over a small province of
terminals in every state. The pictures go to ``$CONSOLE_SCREENSHOTS`` (docs/images/console for the docs) or a
temporary folder; the test checks each page is drawn with its content and no horizontal scrolling."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from central.catalog_file import SAMPLE_CATALOG
from central.console.notices import NoticeDraft
from tests.browser.console_browser import log_in, wait_for
from tests.central.conftest import Terminal
from tests.central.console.support import PASSWORD, ConsoleSite, start_site

OK_PRINTER = {"printer": {"state": "ok", "reason": ""}, "idcard": {"state": "ok", "reason": ""}}


def _province(site: ConsoleSite) -> None:
    """Eight terminals in three halls of two districts, in every state, with alerts and notices."""
    now = site.console.clock.now()
    places = {
        "HD-01": ("海淀区", "海淀区政务服务中心"),
        "HD-02": ("海淀区", "海淀区政务服务中心"),
        "HD-03": ("海淀区", "海淀区政务服务中心"),
        "HD-11": ("海淀区", "学院路街道便民服务中心"),
        "HD-12": ("海淀区", "学院路街道便民服务中心"),
        "CY-01": ("朝阳区", "朝阳区市民服务中心"),
        "CY-02": ("朝阳区", "朝阳区市民服务中心"),
        "CY-03": ("朝阳区", "朝阳区市民服务中心"),
    }
    tokens = {name: site.enroll(name) for name in places}
    for name, (region, hall) in places.items():
        site.console.fleet.place(name, region, hall, 0, now)
    base = {
        "app_version": "0.1.1",
        "catalog_version": "2026.11",
        "disk_free_mb": 18250,
        "last_sync_at": now.isoformat(),
    }
    site.beat("HD-03", tokens["HD-03"], devices=OK_PRINTER, **base)  # goes silent below
    site.console.clock.advance(400)
    for name in ("HD-01", "HD-11", "CY-01", "CY-03"):
        site.beat(name, tokens[name], devices=OK_PRINTER, queue_depth=0, **base)
    site.beat(
        "HD-02",
        tokens["HD-02"],
        devices={"printer": {"state": "degraded", "reason": "paper near end (纸将尽)"}, "idcard": {"state": "ok"}},
        queue_depth=3,
        oldest_unsent_s=95,
        **base,
    )
    site.beat(
        "HD-12",
        tokens["HD-12"],
        devices={
            "printer": {"state": "offline", "reason": "paper out (缺纸)"},
            "camera": {"state": "offline", "reason": "not found"},
        },
        queue_depth=240,
        oldest_unsent_s=4000,
        alerts=[{"kind": "call_staff", "at": now.isoformat(), "screen": "form"}],
        **base,
    )
    site.console.fleet.place("CY-02", "朝阳区", "朝阳区市民服务中心", 4, site.console.clock.now())
    kiosk = Terminal(site.central, "CY-01", tokens["CY-01"])
    assert kiosk.deliver(kiosk.seal()).status_code == 201
    site.console.notices.publish(
        NoticeDraft(
            "医保年度缴费开始",
            "Health insurance payments open",
            "请于12月31日前完成2027年度城乡居民医保缴费。",
            "Pay for 2027 by 31 December.",
            "",
            "",
            now,
            None,
        ),
        "admin1",
        now,
    )
    site.console.notices.publish(
        NoticeDraft(
            "春节办公时间", "Spring Festival hours", "除夕至初三闭厅，初四起正常办公。", "", "朝阳区", "", now, None
        ),
        "hall_manager1",
        now,
    )


@pytest.fixture
def province(tmp_path: Path) -> Iterator[ConsoleSite]:
    site = start_site(f"sqlite:///{tmp_path / 'console.db'}")
    try:
        _province(site)
        yield site
    finally:
        site.central.stop()


def _out(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("CONSOLE_SCREENSHOTS", str(tmp_path / "shots")))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _shoot(driver: WebDriver, folder: Path, name: str) -> None:
    wide = driver.execute_script("return document.documentElement.scrollWidth > window.innerWidth + 1")
    assert not wide, f"{name}: the page scrolls sideways"
    assert driver.save_screenshot(str(folder / f"{name}.png"))


@pytest.mark.slow
def test_screenshots_of_every_page(chromium: Any, province: ConsoleSite, tmp_path: Path) -> None:
    driver: WebDriver = chromium
    site = province
    folder = _out(tmp_path)
    driver.set_window_size(1366, 768)
    driver.delete_all_cookies()
    driver.get(site.url + "/console/login")
    wait_for(driver, "#log-in")
    _shoot(driver, folder, "01-login")
    log_in(driver, site.url, "admin1", PASSWORD)
    wait_for(driver, "#counters")
    _shoot(driver, folder, "02-terminals")
    driver.get(site.url + "/console/terminals/HD-12")
    wait_for(driver, "#history")
    _shoot(driver, folder, "03-terminal")
    driver.get(site.url + "/console/alerts")
    wait_for(driver, 'tr[data-kind="call_staff"]')
    _shoot(driver, folder, "04-alerts")
    driver.get(site.url + "/console/notices")
    driver.find_element(By.ID, "title_zh").send_keys("社保卡换领通知")
    driver.find_element(By.ID, "title_en").send_keys("New social security cards")
    driver.find_element(By.ID, "body_zh").send_keys("第三代社保卡即日起可在本厅自助换领。")
    driver.find_element(By.ID, "body_en").send_keys("Third-generation cards can be renewed here from today.")
    driver.find_element(By.ID, "preview").click()
    wait_for(driver, "#notice-preview")
    _shoot(driver, folder, "05-notices-preview")
    driver.get(site.url + "/console/catalog")
    text = json.dumps(
        {**json.loads(SAMPLE_CATALOG.read_text(encoding="utf-8")), "version": ""}, ensure_ascii=False, indent=2
    )
    driver.execute_script("arguments[0].value = arguments[1];", driver.find_element(By.ID, "text"), text)
    driver.find_element(By.ID, "publish-catalog").click()
    wait_for(driver, "#catalog-problems")
    _shoot(driver, folder, "06-catalog-refused")
    driver.get(site.url + "/console/users")
    wait_for(driver, "#user-list")
    _shoot(driver, folder, "07-users")
    driver.get(site.url + "/console/cases?q=" + quote("张*丰"))
    wait_for(driver, "#lifecycle")
    _shoot(driver, folder, "11-cases")
    driver.get(site.url + "/console/staff")
    wait_for(driver, "#staff-list")
    _shoot(driver, folder, "12-staff")
    driver.get(site.url + "/console/terminals?region=" + quote("朝阳区") + "&hall=" + quote("朝阳区市民服务中心"))
    wait_for(driver, "#terminal-CY-01")
    _shoot(driver, folder, "13-one-hall")
    driver.get(site.url + "/console/lang?to=en&back=/console/terminals")
    wait_for(driver, "#counters")
    assert "Terminals" in driver.page_source
    _shoot(driver, folder, "08-terminals-english")
    driver.get(site.url + "/console/lang?to=zh&back=/console/terminals")
    driver.set_window_size(390, 844)
    try:
        driver.get(site.url + "/console/terminals")
        wait_for(driver, "#counters")
        _shoot(driver, folder, "09-phone-terminals")
        driver.get(site.url + "/console/alerts")
        wait_for(driver, 'tr[data-kind="call_staff"]')
        _shoot(driver, folder, "10-phone-alerts")
    finally:
        driver.set_window_size(1366, 768)
