"""Notices reach the terminals of their region and hall in the next heartbeat's answer, and leave when withdrawn;
a catalog is checked as the terminal checks it (errors by line), published with a version and fetched by ETag."""

from __future__ import annotations

import json
import re

import requests

from central.catalog_file import SAMPLE_CATALOG
from central.console.accounts import Role
from offline_cache.wire.protocol import PATH_CATALOG
from tests.central.console.support import ConsoleSite, csrf_of


def _titles(reply: dict[str, object]) -> list[str]:
    notices = reply["notices"]
    assert isinstance(notices, list)
    return [n["title"]["zh"] for n in notices]


def test_a_notice_is_previewed_published_targeted_and_withdrawn(site: ConsoleSite) -> None:
    here, there = site.enroll("N-1"), site.enroll("N-2")
    site.beat("N-1", here)
    site.beat("N-2", there)
    site.console.fleet.place("N-1", "海淀区", "政务服务中心", 0, site.console.clock.now())
    manager = site.client(Role.HALL_MANAGER)
    page = manager.get(site.url + "/console/notices", timeout=10).text
    fields = {
        "csrf": csrf_of(page),
        "title_zh": "医保年度缴费开始",
        "title_en": "Annual health insurance payments open",
        "body_zh": "请于12月31日前完成缴费。",
        "body_en": "",
        "region": "海淀区",
        "hall": "",
    }
    preview = manager.post(site.url + "/console/notices", data={**fields, "action": "preview"}, timeout=10)
    assert 'id="notice-preview"' in preview.text and "请于12月31日前完成缴费。" in preview.text
    assert "医保年度缴费开始" not in _titles(site.beat("N-1", here))  # a preview publishes nothing
    published = manager.post(site.url + "/console/notices", data={**fields, "action": "publish"}, timeout=10)
    assert "生效中" in published.text
    assert "医保年度缴费开始" in _titles(site.beat("N-1", here))
    assert "医保年度缴费开始" not in _titles(site.beat("N-2", there))  # another region
    seq = re.findall(r'id="notice-(\d+)"', published.text)[0]
    manager.post(site.url + f"/console/notices/{seq}/withdraw", data={"csrf": csrf_of(published.text)}, timeout=10)
    assert "医保年度缴费开始" not in _titles(site.beat("N-1", here))


def test_a_scheduled_notice_waits_for_its_time(sqlite_site: ConsoleSite) -> None:
    site = sqlite_site
    token = site.enroll("N-3")
    admin = site.client(Role.ADMIN)
    page = admin.get(site.url + "/console/notices", timeout=10).text
    admin.post(
        site.url + "/console/notices",
        data={
            "csrf": csrf_of(page),
            "title_zh": "春节开放时间",
            "body_zh": "初一至初三闭厅。",
            "action": "publish",
            "starts_at": "2099-01-01T09:00",
        },
        timeout=10,
    )
    assert "春节开放时间" not in _titles(site.beat("N-3", token))
    assert "待生效" in admin.get(site.url + "/console/notices", timeout=10).text


def test_a_notice_without_chinese_is_refused_readably(sqlite_site: ConsoleSite) -> None:
    site = sqlite_site
    admin = site.client(Role.ADMIN)
    page = admin.get(site.url + "/console/notices", timeout=10).text
    answer = admin.post(
        site.url + "/console/notices",
        data={"csrf": csrf_of(page), "title_zh": "", "body_zh": "", "title_en": "Only English", "action": "publish"},
        timeout=10,
    )
    assert answer.status_code == 422 and "标题和正文（中文）必填" in answer.text


def test_a_broken_catalog_is_refused_with_its_line_and_a_good_one_is_fetched_by_etag(site: ConsoleSite) -> None:
    token = site.enroll("C-1")
    bearer = {"Authorization": f"Bearer {token}"}
    before = requests.get(site.url + PATH_CATALOG, headers=bearer, timeout=10)
    admin = site.client(Role.ADMIN)
    page = admin.get(site.url + "/console/catalog", timeout=10).text
    catalog = json.loads(SAMPLE_CATALOG.read_text(encoding="utf-8"))
    catalog["version"] = "2026.12-console"
    text = json.dumps(catalog, ensure_ascii=False, indent=2)
    lines = text.splitlines()
    bad_line = next(i for i, line in enumerate(lines) if '"identification"' in line)
    broken = "\n".join(
        line.replace('"id_card"', '"fingerprint"') if i == bad_line else line for i, line in enumerate(lines)
    )
    refused = admin.post(site.url + "/console/catalog", data={"csrf": csrf_of(page), "text": broken}, timeout=10)
    assert refused.status_code == 422
    assert f"第 {bad_line + 1} 行" in refused.text and "identification" in refused.text
    not_json = admin.post(
        site.url + "/console/catalog",
        data={"csrf": csrf_of(page), "text": '{\n  "version": "x",\n  oops\n}'},
        timeout=10,
    )
    assert not_json.status_code == 422 and "第 3 行" in not_json.text
    assert requests.get(site.url + PATH_CATALOG, headers=bearer, timeout=10).headers["ETag"] == before.headers["ETag"]
    published = admin.post(site.url + "/console/catalog", data={"csrf": csrf_of(page), "text": text}, timeout=10)
    assert "已发布版本 2026.12-console" in published.text
    fetched = requests.get(site.url + PATH_CATALOG, headers=bearer, timeout=10)
    assert fetched.json()["version"] == "2026.12-console"
    assert fetched.headers["ETag"] != before.headers["ETag"]
    again = requests.get(
        site.url + PATH_CATALOG, headers={**bearer, "If-None-Match": fetched.headers["ETag"]}, timeout=10
    )
    assert again.status_code == 304
    same_version = admin.post(site.url + "/console/catalog", data={"csrf": csrf_of(page), "text": text}, timeout=10)
    assert same_version.status_code == 422 and "已发布过" in same_version.text
