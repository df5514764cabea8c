"""The case list's order and search (kiosk/assisted/case_listing.py): worst first by the moments the stamps
name (the platform's in UTC, the laptop's in the hall's zone), a change seen at once, filters combined."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kiosk.assisted.cases import CaseBook, CaseFilter
from kiosk.assisted.resident import Resident, resident_from_input
from kiosk.assisted.vault import Vault, new_data_key
from kiosk.visit.identity import check_character

ZONE = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 25, 9, 0, tzinfo=ZONE)


def _resident(n: int, name: str = "张桂兰") -> Resident:
    first17 = f"1101011945{(n % 12) + 1:02d}{(n % 27) + 1:02d}{n % 1000:03d}"
    return resident_from_input(name, first17 + check_character(first17), today=T0.date())


@pytest.fixture
def book(tmp_path: Path) -> CaseBook:
    return CaseBook(Vault(tmp_path / "S001", new_data_key()), "S001")


def _sent(book: CaseBook, n: int, at: datetime) -> str:
    case = book.new_case("GLJT-01", "高龄津贴申请", _resident(n), at)
    book.record_submission(case.case_id, f"sub-{n}", f"LS{n:08d}", at)
    return case.case_id


def test_within_a_state_the_newest_change_is_first_whatever_zone_its_stamp_is_in(book: CaseBook) -> None:
    laptop = _sent(book, 1, T0)
    platform = _sent(book, 2, T0)
    book.record_delivery(laptop, "delivered", T0, case_no="CG1")
    book.record_delivery(platform, "delivered", T0, case_no="CG2")
    # 10:30 in the hall (02:30 UTC) is newer than 02:00 UTC, though "2026-11-25T02:…" < "2026-11-25T10:…" as text.
    book.record_platform_state(laptop, "accepted", (T0 + timedelta(minutes=90)).isoformat())
    book.record_platform_state(platform, "accepted", datetime(2026, 11, 25, 2, 0, tzinfo=UTC).isoformat())
    assert [row.case_ref for row in book.rows()] == ["CG1", "CG2"]
    book.record_platform_state(platform, "accepted", datetime(2026, 11, 25, 3, 0, tzinfo=UTC).isoformat())
    book.record_platform_state(platform, "processing", datetime(2026, 11, 25, 3, 0, tzinfo=UTC).isoformat())
    book.record_platform_state(laptop, "processing", (T0 + timedelta(minutes=100)).isoformat())
    assert [row.case_ref for row in book.rows()] == ["CG2", "CG1"]  # 11:00 in the hall after 10:40


def test_unsent_cases_come_oldest_first_and_a_change_moves_a_case_at_once(book: CaseBook) -> None:
    ids = [_sent(book, n, T0 + timedelta(minutes=n)) for n in range(4)]
    draft = book.new_case("GLJT-01", "高龄津贴申请", _resident(9), T0 + timedelta(hours=1))
    assert [row.case_id for row in book.rows()] == [draft.case_id, *ids]  # drafts above, then the oldest unsent
    book.record_delivery(ids[2], "quarantined", T0 + timedelta(hours=2), reason="平台未接收：材料不全")
    assert book.rows()[0].case_id == ids[2]
    assert book.rows()[0].state_label == "需处理"
    book.discard_draft(draft.case_id)
    assert draft.case_id not in {row.case_id for row in book.rows()}
    # A book opened again from the files lists them the same.
    again = CaseBook(book.vault, "S001")
    assert [row.case_id for row in again.rows()] == [row.case_id for row in book.rows()]


def test_filters_combine_and_search_only_masked_text(book: CaseBook) -> None:
    queued = _sent(book, 1, T0)
    other = book.new_case("SBZM-03", "社保缴费证明", _resident(2, "李德福"), T0)
    book.record_submission(other.case_id, "sub-2", "LS00000002", T0)
    book.record_delivery(other.case_id, "delivered", T0, case_no="CG20261125")
    assert [r.case_id for r in book.rows(CaseFilter(text=" 张*兰 "))] == [queued]
    assert [r.case_id for r in book.rows(CaseFilter(text="ls0000000", unsent_only=True))] == [queued]
    assert book.rows(CaseFilter(text="社保", unsent_only=True)) == []
    assert [r.case_id for r in book.rows(CaseFilter(text="已送达", states=frozenset({"delivered"})))] == [other.case_id]
    assert book.rows(CaseFilter(states=frozenset({"delivered"}), unsent_only=True)) == []
    assert book.rows(CaseFilter(text="李德福")) == []  # the full name is nowhere in the list
    listed = book.listing(CaseFilter(text="cg2026"))
    assert [entry.row.case_ref for entry in listed] == ["CG20261125"]
