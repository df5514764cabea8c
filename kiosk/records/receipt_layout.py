"""The receipt laid out on paper: :func:`build_receipt` turns :class:`~kiosk.visit.receipt.ReceiptData` into a
:class:`~devices.printer.document.PrintDocument` that the printer and the preview both render.

Four variants: accepted (受理回执), provisional number for a submission queued offline (临时编号), a case query
result (办件查询结果) and a queue ticket with a big number (排队取号). Receipts are printed in Chinese whatever the
screen language: they are documents of the hall.
"""

from __future__ import annotations

from datetime import datetime

from devices.printer.document import (
    Align,
    Blank,
    Block,
    Cut,
    KeyValue,
    PrintDocument,
    QrCode,
    Rule,
    TextLine,
    Title,
)
from kiosk.visit.receipt import DEFAULT_FOOTER, TICKET_FOOTER, ReceiptData, ReceiptKind, case_follow_url


def build_receipt(data: ReceiptData) -> PrintDocument:
    """The receipt for ``data`` as a printable document."""
    builders = {
        ReceiptKind.ACCEPTED: _accepted,
        ReceiptKind.QUEUED: _queued,
        ReceiptKind.QUERY: _query,
        ReceiptKind.TICKET: _ticket,
    }
    return PrintDocument(tuple(builders[data.kind](data)))


def _when(data: ReceiptData) -> str:
    return data.issued_at.strftime("%Y-%m-%d %H:%M")


def _head(title: str, data: ReceiptData) -> list[Block]:
    return [Title(title), TextLine(data.hall_name, align=Align.CENTER), Rule()]


def _next_steps(data: ReceiptData) -> list[Block]:
    if not data.next_steps:
        return []
    steps: list[Block] = [TextLine("后续步骤：", bold=True)]
    steps.extend(TextLine(f"{n}. {step}") for n, step in enumerate(data.next_steps, start=1))
    return [*steps, Rule()]


def _tail(data: ReceiptData, caption: str, footer: str | None = None) -> list[Block]:
    return [
        QrCode(case_follow_url(data), caption),
        TextLine(footer or data.footer, align=Align.CENTER),
        Blank(),
        Cut(),
    ]


def _accepted(data: ReceiptData) -> list[Block]:
    return [
        *_head("受理回执", data),
        KeyValue("办理事项", data.service_name),
        KeyValue("受理编号", data.case_no, bold_value=True),
        *([KeyValue("申请人", data.applicant_masked)] if data.applicant_masked else []),
        KeyValue("受理时间", _when(data)),
        KeyValue("终端编号", data.terminal_id),
        Rule(),
        *_next_steps(data),
        *_tail(data, "手机扫码查询办理进度"),
    ]


def _queued(data: ReceiptData) -> list[Block]:
    return [
        *_head("受理回执", data),
        TextLine("（临时编号）", bold=True, align=Align.CENTER),
        KeyValue("办理事项", data.service_name),
        KeyValue("临时编号", data.case_no, bold_value=True),
        *([KeyValue("申请人", data.applicant_masked)] if data.applicant_masked else []),
        KeyValue("提交时间", _when(data)),
        KeyValue("终端编号", data.terminal_id),
        Rule(),
        TextLine(
            "网络暂时中断，您的申请已安全保存在本机，网络恢复后自动提交。正式受理编号将通过短信通知，"
            "也可凭临时编号扫码或到服务台查询。"
        ),
        Rule(),
        *_next_steps(data),
        *_tail(data, "手机扫码查询办理进度"),
    ]


def _query(data: ReceiptData) -> list[Block]:
    return [
        *_head("办件查询结果", data),
        KeyValue("办件编号", data.case_no, bold_value=True),
        *([KeyValue("办理事项", data.service_name)] if data.service_name else []),
        *(KeyValue(label, value) for label, value in data.rows),
        KeyValue("查询时间", _when(data)),
        KeyValue("终端编号", data.terminal_id),
        Rule(),
        *_tail(data, "手机扫码查看最新进度"),
    ]


def _ticket(data: ReceiptData) -> list[Block]:
    return [
        *_head("排队取号", data),
        TextLine(data.case_no, size=4, bold=True, align=Align.CENTER),
        TextLine(data.service_name, bold=True, align=Align.CENTER),
        TextLine(f"您前面还有 {data.waiting} 人等候", align=Align.CENTER),
        Rule(),
        KeyValue("取号时间", _when(data)),
        KeyValue("终端编号", data.terminal_id),
        TextLine("请留意叫号屏和语音提示；过号请到服务台重新取号。"),
        Rule(),
        *_tail(data, "手机扫码查看排队进度", TICKET_FOOTER if data.footer == DEFAULT_FOOTER else None),
    ]


def printer_test_receipt(hall_name: str, terminal_id: str) -> ReceiptData:
    """A receipt that exercises everything: Chinese text, a rare-character name, a QR code, the cut."""
    now = datetime.now().astimezone()
    return ReceiptData(
        kind=ReceiptKind.ACCEPTED,
        hall_name=hall_name,
        service_name="打印机测试 / printer test",
        case_no=f"TEST{now:%Y%m%d%H%M%S}",
        issued_at=now,
        terminal_id=terminal_id,
        applicant_masked="刘*䶮",
        next_steps=("生僻字测试：䶮 堃 𠮷（应打印为图像，不是问号）", "二维码应能用手机扫出"),
    )
