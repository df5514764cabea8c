"""The receipt (回执单) a citizen takes home, and its electronic twin on screen.

:class:`ReceiptData` is what goes on it — masked by the caller (``kiosk.visit.identity.mask_name`` /
``mask_id_number``); this module refuses data that still carries a full ID number. :func:`build_receipt`
lays it out as a :class:`~devices.printer.document.PrintDocument` that the printer and the preview both
render. Four variants: accepted (受理回执), provisional number for a submission queued offline (临时编号),
a case query result (办件查询结果) and a queue ticket with a big number (排队取号).

Receipts are printed in Chinese whatever the screen language: they are documents of the hall.
"""

from __future__ import annotations

import enum
import json
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from kiosk.visit.identity import mask_name
from kiosk.visit.ports import SubmissionRequest, SubmitOutcome

#: Where a phone goes to follow a case when the config names none (the demo's central platform).
DEFAULT_FOLLOW_URL = "https://zwfw.example.gov.cn/cases"
DEFAULT_FOOTER = "请妥善保管本回执，凭回执查询或领取办理结果。"
TICKET_FOOTER = "叫号时请持本票到对应窗口办理。"
#: A full 18-digit (or old 15-digit) ID number: never on paper.
_FULL_ID = re.compile(r"(?<!\d)(\d{17}[\dXx]|\d{15})(?![\dXx])")


class ReceiptKind(enum.Enum):
    ACCEPTED = "accepted"  # 受理回执: the platform gave a case number
    QUEUED = "queued"  # 临时编号: stored offline, the case number comes later
    QUERY = "query"  # 办件查询结果
    TICKET = "ticket"  # 排队取号


class UnmaskedDataError(ValueError):
    """Receipt data still holds a full ID number or an unmasked name: mask it before it reaches paper."""


@dataclass(frozen=True)
class ReceiptData:
    """Everything printed on one receipt; personal data already masked (张*三, 1101**********1234)."""

    kind: ReceiptKind
    hall_name: str
    service_name: str
    case_no: str
    issued_at: datetime
    terminal_id: str
    applicant_masked: str = ""
    next_steps: tuple[str, ...] = ()
    #: For a query: the rows the platform answered (状态, 办理部门 …), already fit to show.
    rows: tuple[tuple[str, str], ...] = ()
    #: For a queue ticket: how many people wait ahead.
    waiting: int = 0
    follow_url: str = DEFAULT_FOLLOW_URL
    footer: str = DEFAULT_FOOTER
    extra: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        texts = [self.applicant_masked, self.case_no, *self.next_steps, *(v for _, v in self.rows)]
        if any(_FULL_ID.search(t) for t in texts):
            raise UnmaskedDataError("回执含有完整身份证号 / receipt data holds a full ID number: mask it first")
        name = self.applicant_masked
        if len(name) > 1 and "*" not in name:
            raise UnmaskedDataError(
                "回执中的姓名未遮蔽 / applicant name is not masked: use kiosk.visit.identity.mask_name"
            )

    def to_json(self) -> str:
        raw: dict[str, Any] = asdict(self)
        raw["kind"] = self.kind.value
        raw["issued_at"] = self.issued_at.isoformat()
        return json.dumps(raw, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> ReceiptData:
        raw = json.loads(text)
        raw["kind"] = ReceiptKind(raw["kind"])
        raw["issued_at"] = datetime.fromisoformat(raw["issued_at"])
        raw["next_steps"] = tuple(raw["next_steps"])
        raw["rows"] = tuple(tuple(r) for r in raw["rows"])
        return cls(**raw)


def case_follow_url(data: ReceiptData) -> str:
    """The URL a phone opens to follow this case (or this queue ticket); carries the number only."""
    key = "ticket" if data.kind is ReceiptKind.TICKET else "case_no"
    separator = "&" if "?" in data.follow_url else "?"
    return f"{data.follow_url}{separator}{urlencode({key: data.case_no})}"


def e_receipt_text(data: ReceiptData) -> str:
    """What the on-screen e-receipt QR encodes (for those who want no paper, 少打印纸质文件)."""
    return case_follow_url(data)


def receipt_kind(outcome_kind: str) -> ReceiptKind | None:
    """The receipt an outcome's kind gets; None for those without one (a failure, a query made offline)."""
    try:
        return ReceiptKind(outcome_kind)
    except ValueError:
        return None


def receipt_for(
    request: SubmissionRequest, outcome: SubmitOutcome, *, hall_name: str, terminal_id: str, now: datetime
) -> ReceiptData:
    """What an outcome puts on its receipt (the paper and the on-screen e-receipt both come from here)."""
    kind = receipt_kind(outcome.kind)
    if kind is None:
        raise ValueError(f"a {outcome.kind!r} outcome has no receipt")
    service = request.service
    steps = service.next_steps.zh if service.next_steps else ""
    applicant = request.applicant
    return ReceiptData(
        kind=kind,
        hall_name=hall_name,
        service_name=service.name.zh,
        case_no=outcome.case_no,
        issued_at=now,
        terminal_id=terminal_id,
        applicant_masked=mask_name(applicant.name) if applicant and applicant.name else "",
        next_steps=tuple(s + "。" for s in steps.split("。") if s.strip()),
        rows=outcome.rows,
        waiting=outcome.waiting,
    )
