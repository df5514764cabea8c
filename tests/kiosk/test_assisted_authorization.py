"""Must-show 3 on the laptop: a 须本人到场 service refuses proxy handling; a 委托 that does not cover the matter,
has expired or names someone else is refused, saying why; one 委托 covers several cases of the same resident."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kiosk.assisted.authorization import (
    AuthorizationForm,
    AuthorizationRefused,
    ConsentImage,
    attach_authorization,
    authorizations_of,
    build_authorization,
    check_in_person,
    summary_for_slip,
)
from kiosk.assisted.cases import CaseBook
from kiosk.assisted.resident import Resident, resident_from_input
from kiosk.assisted.vault import Vault, new_data_key
from kiosk.visit.identity import check_character
from offline_cache.wire.authorization import AuthorizationError

ZONE = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=ZONE)
SIGNATURE = b"\x89PNG the resident's signature"
PAPER = b"\xff\xd8\xff the signed paper authorization"


def _id(first17: str) -> str:
    return first17 + check_character(first17)


RESIDENT = resident_from_input("张桂兰", _id("52240119450101032"), "13900000001", today=NOW.date())
OTHER = resident_from_input("王建国", _id("52240119470303031"), "13900000002", today=NOW.date())


def _form(
    matters: tuple[str, ...] = ("GLJT-01", "YLRZ-02"), until: date | None = date(2026, 12, 31)
) -> AuthorizationForm:
    return AuthorizationForm(
        agent_name="李代办",
        agent_id_number=_id("52240119800505041"),
        agent_phone="13800000003",
        relationship="帮办代办员",
        matters=matters,
        valid_from=date(2026, 11, 25),
        valid_until=until,
        images=(ConsentImage("signature", SIGNATURE), ConsentImage("paper_photo", PAPER, "image/jpeg")),
        agent_staff_no="S001",
    )


@pytest.fixture
def book(tmp_path: Path) -> CaseBook:
    return CaseBook(Vault(tmp_path / "S001", new_data_key()), "S001")


def _case(book: CaseBook, code: str = "GLJT-01", resident: Resident = RESIDENT) -> str:
    return book.new_case(code, "高龄津贴申请", resident, NOW).case_id


def test_a_service_for_the_resident_in_person_refuses_proxy_handling(book: CaseBook) -> None:
    with pytest.raises(AuthorizationRefused, match="须本人到场"):
        check_in_person("JZZ-04", proxy_allowed=False)
    check_in_person("GLJT-01", proxy_allowed=True)
    case_id = _case(book, "JZZ-04")
    with pytest.raises(AuthorizationRefused, match="须本人到场办理，不能由他人代办"):
        attach_authorization(book, case_id, _form(("JZZ-04",)), proxy_allowed=False, now=NOW)
    assert book.case(case_id).authorization is None
    assert book.case(case_id).attachments == ()


def test_an_authorization_that_does_not_cover_the_matter_is_refused(book: CaseBook) -> None:
    case_id = _case(book, "SBZM-03")
    with pytest.raises(AuthorizationRefused, match="委托书未包含事项 SBZM-03"):
        attach_authorization(book, case_id, _form(), proxy_allowed=True, now=NOW)


def test_an_expired_authorization_is_refused(book: CaseBook) -> None:
    case_id = _case(book)
    later = datetime(2027, 1, 2, 9, 0, tzinfo=ZONE)
    with pytest.raises(AuthorizationRefused, match="委托书已过期（有效期至 2026-12-31）"):
        attach_authorization(book, case_id, _form(), proxy_allowed=True, now=later)
    # Until the matter is closed: no end date.
    attach_authorization(book, case_id, _form(until=None), proxy_allowed=True, now=later)


def test_sweeping_matters_and_bad_id_numbers_are_refused_as_the_platform_would() -> None:
    with pytest.raises(AuthorizationError, match="全权委托"):
        build_authorization(RESIDENT, _form(("全权",)))
    good = _form().agent_id_number
    bad = replace(_form(), agent_id_number=good[:-1] + ("0" if good[-1] != "0" else "1"))
    with pytest.raises(AuthorizationError, match="GB 11643"):
        build_authorization(RESIDENT, bad)
    no_consent = replace(_form(), images=())
    with pytest.raises(AuthorizationError, match="同意"):
        build_authorization(RESIDENT, no_consent)


def test_the_authorization_travels_with_the_case_and_covers_several_cases(book: CaseBook) -> None:
    first = _case(book, "GLJT-01")
    auth = attach_authorization(book, first, _form(), proxy_allowed=True, now=NOW)
    case = book.case(first)
    assert case.authorization == auth.to_json()
    assert [a.role for a in case.attachments] == ["signature", "authorization_photo"]
    # The 委托 names its images by sha256; the images themselves are the case's sealed attachments.
    named = {c["sha256"] for c in case.authorization["consent"]}
    held = {hashlib.sha256(book.attachment(a)).hexdigest() for a in case.attachments}
    assert named == held
    # The same resident's second matter reuses it; another resident does not see it.
    second = _case(book, "YLRZ-02")
    found = authorizations_of(book, RESIDENT, NOW.date())
    assert [a.authorization_id for a in found] == [auth.authorization_id]
    attach_authorization(book, second, _form(), proxy_allowed=True, now=NOW, reuse=found[0])
    assert (book.case(second).authorization or {}).get("authorization_id") == auth.authorization_id
    assert authorizations_of(book, OTHER, NOW.date()) == []
    # A 委托 given for one resident cannot serve another's case.
    third = _case(book, "GLJT-01", OTHER)
    with pytest.raises(AuthorizationRefused, match="委托人不是本案的办事人"):
        attach_authorization(book, third, _form(), proxy_allowed=True, now=NOW, reuse=auth)


def test_the_slip_sums_the_authorization_up_masked(book: CaseBook) -> None:
    case_id = _case(book)
    attach_authorization(book, case_id, _form(), proxy_allowed=True, now=NOW)
    titles = {"GLJT-01": "高龄津贴申请", "YLRZ-02": "养老金资格认证"}
    text = summary_for_slip(book.case(case_id).authorization, titles)
    assert text == (
        "张*兰 委托 李*办（帮办代办员）办理 高龄津贴申请、养老金资格认证，至 2026-12-31；"
        "屏幕签名、纸质委托书照片；不可转委托"
    )
    assert RESIDENT.id_number not in text
    assert "办理 GLJT-01、YLRZ-02，" in summary_for_slip(book.case(case_id).authorization)  # no titles: the codes
    assert summary_for_slip(None, None, "张*兰") == "办事人本人在场办理（张*兰），无委托"
    assert summary_for_slip({"version": 1}).startswith("委托书无法读取：")
