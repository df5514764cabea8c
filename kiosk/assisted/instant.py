"""Matters answered on the spot, handled for a resident (代为查询, 代为取号): a query's answer and a queue ticket.

A case goes to a department and comes back days later; a query (查询) or a queue number (排队取号) is answered at
once by the hall, through the same port as the kiosk (``kiosk.visit.ports.Matters``). The staff member asks on
the resident's behalf under the same 委托 rules as a case (the matter must be named in it, 全程代办 needs one),
reads the answer on the screen, and hands the resident a slip with it. Nothing here is kept in the case book:
there is nothing to send later. A query needs the hall's query source (the platform): offline it says so, and
what to do instead.
"""

from __future__ import annotations

from datetime import datetime

from kiosk.assisted.resident import Resident
from kiosk.assisted.slip import Slip, SlipLine
from kiosk.visit.catalog import Service
from kiosk.visit.identity import parse_id_number
from kiosk.visit.ports import SubmissionRequest, SubmitOutcome
from kiosk.visit.session import Answer, Applicant

#: The kinds of service handled on the spot, and the button that asks for them.
INSTANT_ACTIONS = {"query": "代为查询", "ticket": "代为取号"}
OFFLINE_QUERY = "查询须连接平台，现在连不上：回到有网络的地方再查，或请办事人到大厅自助机或窗口查询"


class InstantRefused(Exception):  # noqa: N818 (a refusal the staff member reads, not a programming error)
    """The hall did not answer (offline, a fault); ``str(self)`` says why and what to do."""


def is_instant(service: Service) -> bool:
    return service.outcome in INSTANT_ACTIONS


def instant_request(service: Service, resident: Resident, answers: dict[str, str]) -> SubmissionRequest:
    """The kiosk's request for ``service``, for ``resident`` (identified by the staff member)."""
    number = parse_id_number(resident.id_number)
    applicant = Applicant(
        resident.name,
        resident.id_number,
        gender="男" if number.gender_code == "1" else "女",
        birth_date=number.birth_date,
        source="staff",
    )
    return SubmissionRequest(service, applicant, {k: Answer(v, v) for k, v in answers.items()})


def check_outcome(outcome: SubmitOutcome) -> SubmitOutcome:
    """The outcome, or :class:`InstantRefused` saying why there is none."""
    if outcome.kind == "query_offline":
        raise InstantRefused(OFFLINE_QUERY)
    if outcome.kind not in ("query", "ticket"):
        raise InstantRefused(f"大厅未能办理：{outcome.reason or '原因未知'}。请稍后再试，或请办事人到窗口办理")
    return outcome


def instant_slip(
    service: Service,
    outcome: SubmitOutcome,
    resident: Resident,
    *,
    staff_no: str,
    staff_name: str,
    hall_name: str,
    authorization_summary: str,
    printed_at: datetime,
) -> Slip:
    """The slip handed to the resident: the query's answer or the ticket's number, with who asked for whom."""
    head: tuple[SlipLine, ...]
    if outcome.kind == "ticket":
        wait = f"约 {outcome.expected_wait_minutes} 分钟" if outcome.expected_wait_minutes is not None else "以叫号为准"
        head = (
            SlipLine("排队号码", outcome.case_no),
            SlipLine("前面等候", f"{outcome.waiting} 人"),
            SlipLine("预计等候", wait),
        )
        title, footnote = "帮办代办取号凭条", "请留意叫号屏和语音叫号；过号请到服务台重新取号。"
        qr = f"排队号码:{outcome.case_no}"
    else:
        head = (SlipLine("查询编号", outcome.case_no or "—"), *(SlipLine(k, v) for k, v in outcome.rows))
        title, footnote = "帮办代办查询结果", "查询结果仅供参考，以业务部门出具的证明为准。"
        qr = f"查询编号:{outcome.case_no}"
    lines = (
        *head,
        SlipLine("办理事项", service.name.zh),
        SlipLine("办事人", resident.masked),
        SlipLine("委托", authorization_summary),
        SlipLine("帮办代办员", f"{staff_name}（工号 {staff_no}）"),
        SlipLine("办理地点", hall_name),
        SlipLine("时间", printed_at.strftime("%Y-%m-%d %H:%M")),
    )
    return Slip(title, lines, footnote, qr)
