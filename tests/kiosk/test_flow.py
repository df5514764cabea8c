"""The citizen's path as a pure state machine: no Qt, the catalog decides the steps."""

from __future__ import annotations

from datetime import date

import pytest

from kiosk.hall.catalog_store import bundled_catalog
from kiosk.visit.flow import CitizenFlow
from kiosk.visit.ports import SubmitOutcome
from kiosk.visit.session import Applicant
from kiosk.visit.showcase import SAMPLE_APPLICANT, showcase
from kiosk.visit.strings import Texts


def new_flow(language: str = "zh_CN") -> CitizenFlow:
    return CitizenFlow(bundled_catalog(), "示范大厅", texts=Texts(language), today=lambda: date(2026, 11, 22))


def test_the_card_answers_what_it_knows_and_is_never_asked_again() -> None:
    flow = new_flow()
    flow.start()
    flow.choose_service("GLJT-01")
    assert flow.step == "identify"
    flow.identified(SAMPLE_APPLICANT)
    asked = [f.key for f in flow.form_fields()]
    assert asked == ["phone", "payout", "lives_alone", "signature"]
    assert flow.session.answers["age"].value == "85"
    assert flow.session.answers["id_number"].prefilled


def test_too_young_for_the_allowance_is_told_why_and_stays_on_identify() -> None:
    flow = new_flow()
    flow.start()
    flow.choose_service("GLJT-01")
    flow.identified(Applicant("王小明", "110101198503120017", birth_date=date(1985, 3, 12)))
    assert flow.step == "identify"
    assert "80" in flow.screen.prompt


def test_a_wrong_phone_number_is_shown_and_spoken_and_nothing_is_stored() -> None:
    flow = new_flow()
    flow.start()
    flow.choose_service("GLJT-01")
    flow.identified(SAMPLE_APPLICANT)
    assert not flow.answer("12345")
    assert flow.step == "form"
    view = flow.screen.view
    assert getattr(view, "error", None) == flow.screen.prompt
    assert "11" in flow.screen.prompt
    assert "phone" not in flow.session.answers


def test_review_speaks_numbers_masked_only() -> None:
    flow = new_flow()
    flow.start()
    flow.choose_service("GLJT-01")
    flow.identified(SAMPLE_APPLICANT)
    for raw in ("13812345678", "sscard", "no", "signature.png"):
        assert flow.answer(raw)
    assert flow.step == "review"
    prompt = flow.screen.prompt
    assert "13812345678" not in prompt and "138****5678" in prompt
    assert SAMPLE_APPLICANT.id_number not in prompt
    assert SAMPLE_APPLICANT.name not in prompt


def test_back_walks_the_steps_in_reverse_and_start_over_forgets() -> None:
    flow = new_flow()
    flow.start()
    flow.choose_service("GLJT-01")
    flow.identified(SAMPLE_APPLICANT)
    flow.answer("13812345678")
    assert flow.screen.view.label == "领取方式"  # type: ignore[union-attr]
    flow.back()
    assert flow.screen.view.label == "联系电话"  # type: ignore[union-attr]
    flow.back()
    assert flow.step == "identify"
    flow.back()
    assert flow.step == "services"
    flow.choose_service("GLJT-01")
    flow.identified(SAMPLE_APPLICANT)
    flow.start_over()
    assert flow.step == "services"
    assert flow.session.answers == {}
    assert flow.session.applicant is None


def test_ticket_needs_no_identification() -> None:
    flow = new_flow()
    flow.start()
    flow.choose_service("PDQH-06")
    assert flow.step == "form"
    assert flow.answer("C")
    assert flow.step == "review"


def test_elder_mode_shows_at_most_six_tiles_a_page() -> None:
    flow = new_flow()
    flow.tiles_per_page = 4
    flow.start()
    view = flow.screen.view
    assert len(view.tiles) == 4 and view.pages == 2  # type: ignore[union-attr]
    assert view.tiles[0].code == "GLJT-01"  # type: ignore[union-attr]  # the most used first
    flow.show_page(1)
    assert len(flow.screen.view.tiles) == 2  # type: ignore[union-attr]


@pytest.mark.parametrize("level", [5, 4, 3])
def test_a_good_rating_is_final_at_once(level: int) -> None:
    flow = new_flow()
    flow.start()
    flow.choose_service("PDQH-06")
    flow.answer("A")
    flow.confirm()
    flow.submitted(SubmitOutcome("ticket", case_no="A001"))
    flow.to_rating()
    rating = flow.choose_rating(level)
    assert rating is not None and rating.level == level and rating.case_no == "A001"
    assert flow.step == "thanks"


def test_a_low_rating_may_say_why_and_nothing_is_preselected() -> None:
    flow = new_flow()
    flow.start()
    flow.choose_service("PDQH-06")
    flow.answer("A")
    flow.confirm()
    flow.submitted(SubmitOutcome("ticket", case_no="A001"))
    flow.to_rating()
    assert flow.screen.view.level is None  # type: ignore[union-attr]
    assert flow.choose_rating(1) is None
    assert flow.screen.view.asking_reason  # type: ignore[union-attr]
    rating = flow.submit_rating("等待时间长")
    assert (rating.level, rating.reason) == (1, "等待时间长")
    flow.to_rating()
    assert flow.step == "thanks"  # one rating per visit


def test_every_showcased_screen_has_a_spoken_prompt_in_both_languages() -> None:
    for language in ("zh_CN", "en"):
        for step in showcase():
            flow = new_flow(language)
            step.drive(flow)
            assert flow.screen.prompt.strip(), step.label
