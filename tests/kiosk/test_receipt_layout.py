"""Receipt layouts: what each variant says, the e-receipt URL, and that unmasked data never reaches paper."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from devices.printer.document import QrCode, TextLine, Title
from kiosk.records.receipt_layout import build_receipt
from kiosk.visit.receipt import (
    ReceiptData,
    ReceiptKind,
    UnmaskedDataError,
    case_follow_url,
    e_receipt_text,
)

ACCEPTED = ReceiptData(
    kind=ReceiptKind.ACCEPTED,
    hall_name="示范区政务服务中心",
    service_name="城乡居民基本养老保险参保登记",
    case_no="SQ2026112200012345",
    issued_at=datetime(2026, 11, 22, 14, 3),
    terminal_id="demo-0001",
    applicant_masked="张*三",
    next_steps=("材料审核通过后 5 个工作日内短信通知结果",),
)


def test_accepted_receipt_says_everything_a_citizen_needs() -> None:
    document = build_receipt(ACCEPTED)
    text = document.text()
    assert document.blocks[0] == Title("受理回执")
    for expected in (
        "示范区政务服务中心", "办理事项：城乡居民基本养老保险参保登记", "受理编号：SQ2026112200012345",
        "申请人：张*三", "受理时间：2026-11-22 14:03", "终端编号：demo-0001", "1. 材料审核通过后",
        "手机扫码查询办理进度",
    ):
        assert expected in text, expected
    qr = [b for b in document.blocks if isinstance(b, QrCode)]
    assert [q.data for q in qr] == ["https://zwfw.example.gov.cn/cases?case_no=SQ2026112200012345"]


def test_provisional_number_receipt_for_an_offline_submission() -> None:
    text = build_receipt(replace(ACCEPTED, kind=ReceiptKind.QUEUED, case_no="LS-7F3A9C")).text()
    assert "临时编号" in text
    assert "临时编号：LS-7F3A9C" in text
    assert "网络恢复后自动提交" in text
    assert "受理编号：" not in text


def test_query_result_lists_the_platform_rows() -> None:
    data = replace(ACCEPTED, kind=ReceiptKind.QUERY, rows=(("办理状态", "审核中"), ("办理部门", "区人社局")))
    document = build_receipt(data)
    assert document.blocks[0] == Title("办件查询结果")
    assert "办理状态：审核中" in document.text()
    assert "办理部门：区人社局" in document.text()


def test_queue_ticket_has_a_big_number() -> None:
    data = replace(ACCEPTED, kind=ReceiptKind.TICKET, case_no="A023", waiting=7, applicant_masked="")
    document = build_receipt(data)
    assert document.blocks[0] == Title("排队取号")
    big = [b for b in document.blocks if isinstance(b, TextLine) and b.text == "A023"]
    assert big
    assert big[0].size == 4
    assert "您前面还有 7 人等候" in document.text()
    assert case_follow_url(data).endswith("?ticket=A023")


def test_e_receipt_is_the_case_follow_url_and_carries_no_personal_data() -> None:
    text = e_receipt_text(ACCEPTED)
    assert text == case_follow_url(ACCEPTED)
    assert "SQ2026112200012345" in text
    assert "张" not in text
    assert e_receipt_text(replace(ACCEPTED, follow_url="https://x.gov.cn/c?src=kiosk")).endswith(
        "?src=kiosk&case_no=SQ2026112200012345"
    )


@pytest.mark.parametrize(
    "changes",
    [
        {"applicant_masked": "张三丰"},
        {"applicant_masked": "110101199003071234"},
        {"next_steps": ("身份证 11010119900307123X 已核验",)},
    ],
)
def test_unmasked_personal_data_is_refused(changes: dict[str, object]) -> None:
    with pytest.raises(UnmaskedDataError):
        replace(ACCEPTED, **changes)  # type: ignore[arg-type]


def test_names_masked_by_the_identity_module_are_accepted() -> None:
    from kiosk.visit.identity import mask_name

    for full in ("张三", "刘小䶮", "欧阳小明", "JOHN SMITH"):
        masked = replace(ACCEPTED, applicant_masked=mask_name(full)).applicant_masked
        assert masked != full
    with pytest.raises(UnmaskedDataError):
        replace(ACCEPTED, applicant_masked="刘小䶮")


def test_receipt_data_survives_the_journal_round_trip() -> None:
    data = replace(ACCEPTED, kind=ReceiptKind.QUERY, rows=(("办理状态", "审核中"),))
    assert ReceiptData.from_json(data.to_json()) == data
