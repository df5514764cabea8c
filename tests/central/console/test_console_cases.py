"""Cases for 审核 staff: a case delivered by a terminal is found by its number and by its masked name, with its
lifecycle; the assisted client's staff accounts are listed read-only. Nothing unmasked ever shows."""

from __future__ import annotations

import requests

from central.console.accounts import Role
from tests.central.conftest import APPLICANT, Terminal
from tests.central.console.support import ConsoleSite


def test_a_case_is_found_by_number_and_by_masked_name(site: ConsoleSite) -> None:
    terminal = Terminal(site.central, "T-CASE", site.enroll("T-CASE"))
    answer = terminal.deliver(terminal.seal())
    assert answer.status_code == 201
    case_no = answer.json()["case_no"]
    masked = terminal.seal().body["summary"]["applicant_masked"]
    supervisor = site.client(Role.SUPERVISOR)
    by_number = supervisor.get(site.url + "/console/cases", params={"q": case_no}, timeout=10).text
    assert case_no in by_number and 'id="lifecycle"' in by_number
    by_name = supervisor.get(site.url + "/console/cases", params={"q": masked}, timeout=10).text
    assert case_no in by_name
    for secret in APPLICANT.values():
        assert secret not in by_number and secret not in by_name
    nothing = supervisor.get(site.url + "/console/cases", params={"q": "王*明"}, timeout=10).text
    assert "没有找到" in nothing
    one = supervisor.get(site.url + f"/console/cases/{case_no}", timeout=10)
    assert one.status_code == 200 and case_no in one.text
    assert supervisor.get(site.url + "/console/cases/SB2026010100000999", timeout=10).status_code == 404


def test_staff_accounts_are_listed_for_hall_managers(sqlite_site: ConsoleSite) -> None:
    site = sqlite_site
    page = site.client(Role.HALL_MANAGER).get(site.url + "/console/staff", timeout=10)
    assert page.status_code == 200 and 'id="staff-list"' in page.text
    assert requests.get(site.url + "/console/staff", allow_redirects=False, timeout=10).status_code == 303
