"""The review and the steps an 80-year-old meets: 修改 comes back to the review, 银行卡 asks for the account,
the date's format is said first, the age is said to be computed, a photo is shown before it is kept, a low
rating's reasons wait for 提交评价, and an empty step says what is missing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from kiosk.hall.catalog_store import bundled_catalog
from kiosk.visit.flow import CitizenFlow
from kiosk.visit.ports import SubmitOutcome
from kiosk.visit.showcase import SAMPLE_APPLICANT
from kiosk.visit.strings import Texts
from kiosk.visit.views import FieldView, RatingView, ReviewView


def new_flow(language: str = "zh_CN") -> CitizenFlow:
    return CitizenFlow(bundled_catalog(), "示范大厅", texts=Texts(language), today=lambda: date(2026, 11, 22))


def allowance_at_review(payout: str = "sscard") -> CitizenFlow:
    flow = new_flow()
    flow.start()
    flow.choose_service("GLJT-01")
    flow.identified(SAMPLE_APPLICANT)
    flow.answer("13812345678")
    flow.answer(payout)
    if payout == "bank":
        flow.answer("ccb")
        flow.answer("6217001234567890123")
    flow.answer("no")
    flow.answer("signature.png", file=Path("signature.png"))
    assert flow.step == "review"
    return flow


def review(flow: CitizenFlow) -> ReviewView:
    view = flow.screen.view
    assert isinstance(view, ReviewView)
    return view


def test_change_one_answer_returns_to_the_review_with_the_signature_kept() -> None:
    flow = allowance_at_review()
    flow.edit("phone")
    assert flow.step == "form"
    flow.answer("13900001111")
    assert flow.step == "review"  # not the choice, the yes/no and the signature again
    assert flow.session.answers["signature"].value == "signature.png"
    assert flow.session.answers["phone"].value == "13900001111"


def test_back_from_a_change_returns_to_the_review_unchanged() -> None:
    flow = allowance_at_review()
    flow.edit("lives_alone")
    flow.back()
    assert flow.step == "review"
    assert flow.session.answers["lives_alone"].value == "no"


def test_bank_card_asks_the_bank_and_the_account_and_reads_it_back_masked() -> None:
    flow = new_flow()
    flow.start()
    flow.choose_service("GLJT-01")
    flow.identified(SAMPLE_APPLICANT)
    flow.answer("13812345678")
    flow.answer("bank")
    view = flow.screen.view
    assert isinstance(view, FieldView) and view.field.key == "bank"
    flow.answer("ccb")
    assert not flow.answer("62170012")  # too short: said why
    assert "16" in flow.screen.prompt
    flow.answer("6217001234567890123")
    flow.answer("no")
    flow.answer("signature.png", file=Path("signature.png"))
    rows = {row.key: row for row in review(flow).rows}
    assert rows["bank"].display == "建设银行"
    assert rows["bank_account"].display.endswith("0123")
    assert "1234567890" not in rows["bank_account"].display
    assert "6217001234567890123" not in flow.screen.prompt
    assert "尾号 0123" in flow.screen.prompt


def test_social_security_card_never_asks_for_a_bank() -> None:
    flow = allowance_at_review("sscard")
    assert [row.key for row in review(flow).rows if row.key.startswith("bank")] == []


def test_changing_bank_to_social_security_card_drops_the_account() -> None:
    flow = allowance_at_review("bank")
    flow.edit("payout")
    flow.answer("sscard")
    assert flow.step == "review"
    assert "bank_account" not in flow.session.answers


def test_changing_to_bank_card_asks_only_the_new_questions_then_the_review() -> None:
    flow = allowance_at_review("sscard")
    flow.edit("payout")
    flow.answer("bank")
    view = flow.screen.view
    assert isinstance(view, FieldView) and view.field.key == "bank"
    flow.answer("icbc")
    flow.answer("6222021234567890")
    assert flow.step == "review"
    assert flow.session.answers["signature"].value == "signature.png"


def test_the_date_format_is_said_before_any_wrong_entry() -> None:
    flow = new_flow()
    flow.start()
    flow.choose_service("JZZ-04")
    flow.identified(SAMPLE_APPLICANT)
    flow.answer("13812345678")
    flow.answer("北京市东城区示例胡同2号")
    view = flow.screen.view
    assert isinstance(view, FieldView) and view.field.key == "moved_in"
    assert "20240101" in view.help
    assert "20240101" in flow.screen.prompt


def test_the_age_is_said_to_be_computed_from_the_birth_date_not_read_from_the_card() -> None:
    rows = {row.key: row for row in review(allowance_at_review()).rows}
    assert rows["age"].note == "由出生日期计算"
    assert rows["name"].note == "已从身份证读取"
    assert rows["phone"].note == ""


def test_a_photo_is_shown_with_retake_before_it_is_kept() -> None:
    flow = new_flow()
    flow.start()
    flow.choose_service("YLRZ-02")
    flow.identified(SAMPLE_APPLICANT)
    flow.captured("photo-1.jpg", file=Path("photo-1.jpg"))
    view = flow.screen.view
    assert isinstance(view, FieldView) and view.captured == Path("photo-1.jpg")
    assert "photo" not in flow.session.answers
    assert "重拍" in flow.screen.prompt
    flow.retake()
    view = flow.screen.view
    assert isinstance(view, FieldView) and view.captured is None
    flow.captured("photo-2.jpg", file=Path("photo-2.jpg"))
    flow.keep_capture()
    assert flow.session.answers["photo"].value == "photo-2.jpg"


def test_a_low_rating_s_reasons_wait_for_submit() -> None:
    flow = allowance_at_review()
    flow.confirm()
    flow.submitted(SubmitOutcome("accepted", case_no="GL-1"))
    flow.to_rating()
    assert flow.choose_rating(2) is None
    flow.toggle_reason("rating.reason_slow")
    flow.toggle_reason("rating.reason_text")
    flow.toggle_reason("rating.reason_slow")
    assert flow.step == "rating"
    view = flow.screen.view
    assert isinstance(view, RatingView) and view.reasons == ("rating.reason_text",)
    rating = flow.submit_rating()
    assert rating.level == 2 and rating.reason == "字太小看不清"
    assert flow.step == "thanks"


def test_an_empty_signature_says_what_is_missing() -> None:
    flow = new_flow()
    flow.start()
    flow.choose_service("GLJT-01")
    flow.identified(SAMPLE_APPLICANT)
    for raw in ("13812345678", "sscard", "no"):
        flow.answer(raw)
    assert not flow.answer("")
    assert "签名" in flow.screen.prompt
