"""The words a citizen reads, read once more in Chinese: full-width punctuation, one name for each paper, one
place for the camera, provisional numbers without 0/O and 1/I, 办理完成 said once."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

from accessibility.chinese_text import half_width_marks, keep_last_together
from kiosk.hall.catalog_store import bundled_catalog
from kiosk.hall.matters import PROVISIONAL_ALPHABET, provisional_number
from kiosk.visit.flow import CitizenFlow
from kiosk.visit.outcome_views import review_rows
from kiosk.visit.ports import SubmitOutcome
from kiosk.visit.showcase import SAMPLE_APPLICANT
from kiosk.visit.strings import CATALOG, Texts

SAMPLE_CATALOG = Path(__file__).resolve().parents[2] / "kiosk" / "data" / "sample_catalog.json"


def chinese_of(node: object, where: str = "") -> Iterator[tuple[str, str]]:
    """Every ``"zh"`` text in the sample catalog, with where it is."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "zh" and isinstance(value, str):
                yield where, value
            else:
                yield from chinese_of(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from chinese_of(value, f"{where}[{index}]")


def all_chinese() -> list[tuple[str, str]]:
    texts = [(f"strings:{key}", zh) for key, (zh, _en) in CATALOG.items()]
    texts += [(f"catalog:{where}", zh) for where, zh in chinese_of(json.loads(SAMPLE_CATALOG.read_text("utf-8")))]
    return texts


def test_the_lint_finds_half_width_marks_inside_chinese_and_nothing_else() -> None:
    assert [m.mark for m in half_width_marks("您还在办理吗?")] == ["?"]
    assert [m.mark for m in half_width_marks("张三(本人)")] == ["(", ")"]
    assert [m.mark for m in half_width_marks("办理完成. 再见!")] == [".", "!"]
    for clean in ("您还在办理吗？", "10:30 开门", "例如 20240101。", "Case number (SMS)", "1. 带身份证", "e.g. 2025"):
        assert half_width_marks(clean) == [], clean


def test_no_half_width_punctuation_in_any_chinese_the_citizen_reads() -> None:
    found = [(where, text, [m.mark for m in half_width_marks(text)]) for where, text in all_chinese()]
    assert [f for f in found if f[2]] == []


def test_the_camera_is_in_one_place_on_every_screen() -> None:
    places = {
        where: place
        for where, text in all_chinese()
        for place in re.findall(r"([上下])方(?:的)?(?:摄像头|拍摄区)", text)
    }
    places |= {where: "下" for where, text in all_chinese() if "屏幕下方摄像头" in text}
    assert places, "no screen says where the camera is"
    assert set(places.values()) == {"下"}, places


def test_provisional_numbers_have_no_0_o_1_or_i() -> None:
    for seed in range(200):
        submission_id = f"0193a8f2-7c11-7000-8000-{seed * 7919 + 1:012x}"
        number = provisional_number(submission_id)
        assert number.startswith("LS") and len(number) == 10
        assert not set(number[2:]) & set("0O1I"), number
        assert set(number[2:]) <= set(PROVISIONAL_ALPHABET)
        assert provisional_number(submission_id) == number  # the same submission, the same number


def test_different_submissions_get_different_provisional_numbers() -> None:
    numbers = {provisional_number(f"0193a8f2-7c11-7000-8000-{n:012x}") for n in range(5000)}
    assert len(numbers) == 5000


def _flow() -> CitizenFlow:
    return CitizenFlow(bundled_catalog(), "示范区政务服务中心", texts=Texts("zh_CN"))


def _goodbye(code: str, outcome: SubmitOutcome, *answers: str) -> tuple[str, str]:
    flow = _flow()
    flow.start()
    flow.choose_service(code)
    if flow.step == "identify":
        flow.identified(SAMPLE_APPLICANT)
    for answer in answers:
        flow.answer(answer)
    flow.confirm()
    flow.submitted(outcome)
    flow.receipt_state("printed")
    flow.to_rating()
    flow.skip_rating()
    view = flow.screen.view
    return view.message, view.body  # type: ignore[union-attr]


def test_the_goodbye_says_done_once_and_names_the_paper_taken_away() -> None:
    title, body = _goodbye("GLJT-01", SubmitOutcome("accepted", case_no="SB2026112600000001"), "13812345678", "sscard",
                           "no", "signature.png")
    assert f"{title}{body}".count("办理完成") == 1
    assert "身份证" in body and "回执" in body
    _title, body = _goodbye("PDQH-06", SubmitOutcome("ticket", case_no="C012", waiting=3), "C")
    assert "号票" in body and "回执" not in body and "身份证" not in body  # no card was read for a number
    _title, body = _goodbye("SBZM-03", SubmitOutcome("query", case_no="CX1"), "pension", "20200101")
    assert "证明" in body and "回执" not in body


def test_the_paper_has_its_own_name_on_the_outcome_screen() -> None:
    for code, outcome, answers, word in (
        ("PDQH-06", SubmitOutcome("ticket", case_no="C012", waiting=3), ("C",), "号票"),
        ("SBZM-03", SubmitOutcome("query", case_no="CX1"), ("pension", "20200101"), "证明"),
        ("GLJT-01", SubmitOutcome("accepted", case_no="SB1"), ("13812345678", "sscard", "no", "s.png"), "回执"),
    ):
        flow = _flow()
        flow.start()
        flow.choose_service(code)
        if flow.step == "identify":
            flow.identified(SAMPLE_APPLICANT)
        for answer in answers:
            flow.answer(answer)
        flow.confirm()
        flow.submitted(outcome)
        for state in ("printing", "printed", "paper_out"):
            flow.receipt_state(state)
            assert word in flow.screen.view.print_message, (code, state)  # type: ignore[union-attr]
            assert flow.step == "result"


def test_the_signature_is_named_on_the_review_not_asked_for_again() -> None:
    flow = _flow()
    flow.start()
    flow.choose_service("GLJT-01")
    flow.identified(SAMPLE_APPLICANT)
    for answer in ("13812345678", "sscard", "no", "signature.png"):
        flow.answer(answer)
    service = bundled_catalog().service("GLJT-01")
    rows = {row.key: row for row in review_rows(service, flow.session.answers, Texts("zh_CN"))}
    assert rows["signature"].label == "本人签名" and rows["signature"].display == "已签名"


def test_a_wrapped_text_keeps_its_last_two_characters_together() -> None:
    glued = keep_last_together("59 秒后将清除您填写的内容并返回首页。")
    assert glued.endswith("首\u2060页。")
    assert keep_last_together("知道了") == "知道了"
    assert keep_last_together("Page 1 of 2") == "Page 1 of 2"
