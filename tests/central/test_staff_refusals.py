"""What the platform refuses in assisted handling, each with the protocol's error envelope and nothing stored:
a 须本人到场 service, a matter the 委托 does not name, a 委托 expired or not yet valid on the day the case was
made, a malformed 委托, an unknown staff member, a 回交 of a case the platform does not hold; and hostile
queries of the case list (bad staff numbers, cursors, huge limits)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest

from central.staff.accounts import StaffBook
from offline_cache.wire.id_check import mod11_2
from offline_cache.wire.protocol import PATH_CASES, PROTOCOL
from tests.central.staff_helpers import (
    ALLOWED,
    IN_PERSON,
    OTHER,
    PRINCIPAL,
    Laptop,
    assisted_central,
    authorization,
    engine,
    laptop,
    staff,
)

__all__ = ["assisted_central", "engine", "laptop", "staff"]
#: The resident's ID number with a check character that does not fit it.
WRONG_CHECK = PRINCIPAL["id_number"][:17] + ("1" if PRINCIPAL["id_number"][17] != "1" else "2")


def _refused(laptop: Laptop, body: dict[str, Any], code: str, rows: Any) -> str:
    answer = laptop.post(body)
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert answer.json()["protocol"] == PROTOCOL and error["code"] == code
    assert rows("submissions", "id = :i", i=body["id"]) == 0
    assert rows("staff_cases", "submission_id = :i", i=body["id"]) == 0
    return str(error["message"])


def test_an_in_person_service_is_refused_even_when_the_authorization_names_it(
    laptop: Laptop, staff: StaffBook, rows: Any
) -> None:
    message = _refused(laptop, laptop.case(IN_PERSON, authorization([IN_PERSON])), "authorization_invalid", rows)
    assert "须本人到场" in message


def test_an_escaped_key_does_not_slip_past_the_check(laptop: Laptop, staff: StaffBook, rows: Any) -> None:
    disguised = laptop.case(IN_PERSON, authorization([IN_PERSON]), disguise=True)
    assert "须本人到场" in _refused(laptop, disguised, "authorization_invalid", rows)


def test_an_authorization_of_another_resident_is_refused(laptop: Laptop, staff: StaffBook, rows: Any) -> None:
    someone_else = {**PRINCIPAL, "name": "刘大爷", "id_number": "11010119500303456" + mod11_2("11010119500303456")}
    other = laptop.case(ALLOWED, authorization(principal=someone_else))
    assert "不是本件的申请人" in _refused(laptop, other, "authorization_invalid", rows)


def test_a_matter_the_authorization_does_not_name_is_refused(laptop: Laptop, staff: StaffBook, rows: Any) -> None:
    message = _refused(laptop, laptop.case(OTHER, authorization([ALLOWED])), "authorization_invalid", rows)
    assert "未包含" in message and OTHER in message


def test_expired_and_not_yet_valid_authorizations_are_refused(laptop: Laptop, staff: StaffBook, rows: Any) -> None:
    expired = authorization(valid_from="2026-10-01", valid_until="2026-11-20")
    assert "已过期" in _refused(laptop, laptop.case(ALLOWED, expired), "authorization_invalid", rows)
    early = authorization(valid_from="2026-11-26", valid_until="2026-12-31")
    assert "尚未生效" in _refused(laptop, laptop.case(ALLOWED, early), "authorization_invalid", rows)
    # judged on the day the case was made (offline for days), in China's time: 23:30 UTC on the 19th is the 20th
    made_in_time = laptop.case(ALLOWED, expired, created_at="2026-11-19T23:30:00+00:00")
    assert laptop.post(made_in_time).status_code == 201
    until_closed = authorization(valid_from="2026-01-01", valid_until="until_closed")
    assert laptop.post(laptop.case(ALLOWED, until_closed)).status_code == 201


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"matters": ["全权"]}, "全权"),
        ({"matters": []}, "具体委托事项"),
        ({"principal": {**PRINCIPAL, "id_number": WRONG_CHECK}}, "身份证号"),
        ({"consent": []}, "同意"),
        ({"consent": [{"kind": "signature", "sha256": "not-a-hash"}]}, "sha256"),
        ({"valid_until": "2026-02-30"}, "日期"),
        ({"authorization_id": "x"}, "UUID"),
        ({"surprise": 1}, "不认识"),
        ({"relationship": "关" * 500}, "过长"),
    ],
)
def test_a_malformed_authorization_is_refused_with_what_is_wrong(
    laptop: Laptop, staff: StaffBook, rows: Any, change: dict[str, Any], says: str
) -> None:
    message = _refused(laptop, laptop.case(ALLOWED, authorization(**change)), "authorization_invalid", rows)
    assert says in message


def test_unknown_staff_and_bad_blocks_are_refused(laptop: Laptop, staff: StaffBook, rows: Any) -> None:
    _refused(laptop, laptop.case(ALLOWED, authorization(), staff_no="S404"), "unknown_staff", rows)
    _refused(laptop, laptop.case(ALLOWED, authorization(), mode="partial"), "invalid_assisted", rows)
    _refused(laptop, laptop.case(ALLOWED, "everything"), "authorization_invalid", rows)  # type: ignore[arg-type]
    bad_block = laptop.seal_payload({"kind": "case", "assisted": ["S001"]})
    _refused(laptop, bad_block, "invalid_assisted", rows)


def test_a_case_event_must_name_a_case_of_its_staff_member(laptop: Laptop, staff: StaffBook, rows: Any) -> None:
    _refused(laptop, laptop.event("0192f0e0-0000-7000-8000-000000000000"), "unknown_case", rows)
    case = laptop.case(ALLOWED, authorization())
    assert laptop.post(case).status_code == 201
    _refused(laptop, laptop.event(case["id"], staff_no="S003"), "unknown_case", rows)
    _refused(laptop, laptop.event(case["id"], event="concluded"), "invalid_case_event", rows)
    event_fields = {"kind": "case_event", "event": "handed_back", "case_submission_id": case["id"], "staff_no": "S001"}
    _refused(laptop, laptop.seal_payload({**event_fields, "at": "after lunch"}), "invalid_case_event", rows)


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"staff": "S001/../x"},
        {"staff": "S001", "limit": "100000000"},
        {"staff": "S001", "limit": "0"},
        {"staff": "S001", "limit": "-5"},
        {"staff": "S001", "limit": "ten"},
        {"staff": "S001", "since": "yesterday"},
        {"staff": "S001", "cursor": "%%%not-a-cursor"},
        {"staff": "S001", "cursor": "WyJhIl0"},  # base64 of ["a"]: not one the platform gave
        {"staff": "S001", "cursor": "A" * 5000},
    ],
)
def test_hostile_case_queries_get_the_error_envelope(laptop: Laptop, staff: StaffBook, query: dict[str, str]) -> None:
    answer = laptop.session.get(f"{laptop.url(PATH_CASES)}?{urlencode(query)}", headers=laptop.headers, timeout=30)
    assert answer.status_code == 422, answer.text
    assert answer.json()["protocol"] == PROTOCOL
    assert answer.json()["error"]["code"] == "invalid_query"


def test_the_case_list_needs_a_token(laptop: Laptop, staff: StaffBook) -> None:
    answer = laptop.session.get(f"{laptop.url(PATH_CASES)}?staff=S001", timeout=30)
    assert answer.status_code == 401 and answer.json()["protocol"] == PROTOCOL
