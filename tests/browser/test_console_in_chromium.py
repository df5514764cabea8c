"""The console in a real Chromium, as a hall manager, technician and administrator use it: log in, watch a
terminal go offline and come back, answer a staff call the kiosk then hears, publish a notice a terminal picks
up, have a broken catalog refused by its line, and be locked out after five wrong passwords."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from central.catalog_file import SAMPLE_CATALOG
from central.console.accounts import Role
from kiosk.hall.heartbeat import Heartbeat
from offline_cache.courier import PlatformClient, PlatformLink
from tests.browser.console_browser import log_in, wait_for, wait_gone, wait_text
from tests.central.console.support import PASSWORD, ConsoleSite, start_site


@pytest.fixture
def site(tmp_path: Path) -> Iterator[ConsoleSite]:
    running = start_site(f"sqlite:///{tmp_path / 'console.db'}")
    try:
        yield running
    finally:
        running.central.stop()


def _as(driver: WebDriver, site: ConsoleSite, role: Role) -> None:
    log_in(driver, site.url, site.user(role), PASSWORD)
    wait_for(driver, "#counters")


def test_a_terminal_goes_offline_when_its_heartbeats_stop_and_comes_back(chromium: Any, site: ConsoleSite) -> None:
    driver: WebDriver = chromium
    token = site.enroll("HD-001")
    site.beat("HD-001", token)
    _as(driver, site, Role.TECHNICIAN)
    driver.find_element(By.CSS_SELECTOR, ".hall-ok a").click()  # "另有 1 台正常": the whole hall
    wait_for(driver, '#terminal-HD-001[data-state="ok"]')
    assert "运维技术员" in driver.find_element(By.ID, "who").text
    site.console.clock.advance(300)  # five minutes without a beat; the list refreshes itself
    wait_for(driver, '#terminal-HD-001[data-state="offline"]')
    wait_text(driver, ".counter.offline", "1")
    site.beat("HD-001", token)
    wait_for(driver, '#terminal-HD-001[data-state="ok"]')
    driver.find_element(By.LINK_TEXT, "HD-001").click()
    wait_text(driver, "#history", "离线")


def test_a_staff_call_appears_is_acknowledged_and_the_kiosk_hears_it(chromium: Any, site: ConsoleSite) -> None:
    driver: WebDriver = chromium
    token = site.enroll("HD-002")
    site.beat("HD-002", token)
    site.console.fleet.place("HD-002", "海淀区", "海淀区政务服务中心", 0, site.console.clock.now())
    _as(driver, site, Role.HALL_MANAGER)
    driver.find_element(By.LINK_TEXT, "告警").click()
    wait_text(driver, "#open-alerts", "没有待处理的告警")
    kiosk = Heartbeat(
        PlatformClient(PlatformLink(site.url, token, "HD-002")), lambda: {"queue_depth": 0}, interval=3600
    )
    heard = threading.Event()
    kiosk.staff_did_acknowledge.add(lambda _at: heard.set())
    kiosk.start()
    try:
        assert kiosk.call_staff("services", wait=10)  # 呼叫工作人员 pressed at the kiosk
        wait_for(driver, 'tr[data-kind="call_staff"]')  # appears without reloading the page
        row = driver.find_element(By.CSS_SELECTOR, 'tr[data-kind="call_staff"]')
        assert "海淀区政务服务中心" in row.text and "HD-002" in row.text
        row.find_element(By.CSS_SELECTOR, "button.ack").click()
        wait_gone(driver, 'tr[data-kind="call_staff"]')
        wait_text(driver, "#closed-alerts", "hall_manager1")
        kiosk.beat(10)
        assert heard.wait(10) and kiosk.staff_coming()  # the kiosk can now say 工作人员马上到
    finally:
        kiosk.stop()


def test_a_notice_is_previewed_published_and_reaches_the_terminal(chromium: Any, site: ConsoleSite) -> None:
    driver: WebDriver = chromium
    token = site.enroll("HD-003")
    site.beat("HD-003", token)
    _as(driver, site, Role.HALL_MANAGER)
    driver.find_element(By.LINK_TEXT, "政策推送").click()
    driver.find_element(By.ID, "title_zh").send_keys("社保卡换领通知")
    driver.find_element(By.ID, "body_zh").send_keys("第三代社保卡即日起可在本厅换领。")
    driver.find_element(By.ID, "preview").click()
    wait_text(driver, "#notice-preview", "第三代社保卡即日起可在本厅换领。")
    driver.find_element(By.ID, "publish").click()
    wait_text(driver, "#notice-list", "生效中")
    titles = [n["title"]["zh"] for n in site.beat("HD-003", token)["notices"]]
    assert "社保卡换领通知" in titles


def test_a_broken_catalog_is_refused_with_its_line(chromium: Any, site: ConsoleSite) -> None:
    driver: WebDriver = chromium
    _as(driver, site, Role.ADMIN)
    driver.find_element(By.LINK_TEXT, "事项目录").click()
    text = SAMPLE_CATALOG.read_text(encoding="utf-8")
    lines = text.splitlines()
    bad = next(i for i, line in enumerate(lines) if '"code": "GLJT-01"' in line)
    broken = "\n".join(line.replace("GLJT-01", "gljt 01") if i == bad else line for i, line in enumerate(lines))
    area = driver.find_element(By.ID, "text")
    driver.execute_script("arguments[0].value = arguments[1];", area, broken)
    driver.find_element(By.ID, "publish-catalog").click()
    wait_text(driver, "#catalog-problems", f"第 {bad + 1} 行")
    assert "services.0.code" in driver.find_element(By.ID, "catalog-problems").text


def test_five_wrong_passwords_lock_the_account(chromium: Any, site: ConsoleSite) -> None:
    driver: WebDriver = chromium
    for _ in range(4):
        log_in(driver, site.url, "admin1", "wrong password!")
        wait_text(driver, "#login-message", "用户名或密码不对")
    log_in(driver, site.url, "admin1", "wrong password!")
    wait_text(driver, "#login-message", "账号已锁定")
    log_in(driver, site.url, "admin1", PASSWORD)
    wait_text(driver, "#login-message", "账号已锁定")
