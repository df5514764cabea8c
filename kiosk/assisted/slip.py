"""The resident's slip (受理单): what the staff member hands over after saving a case, as plain data.

The UI prints it on the receipt printer, makes a PDF of it on a laptop without one, or shows ``qr_text`` as an
on-screen QR code the resident photographs. Nothing on it is unmasked: the resident's name and ID number are
masked, the authorization is summed up in a sentence.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kiosk.assisted.cases import MODE_LABELS, Case


@dataclass(frozen=True)
class SlipLine:
    label: str
    value: str


@dataclass(frozen=True)
class Slip:
    """A 受理单: a title, its lines in order, a footnote, and the text of its QR code."""

    title: str
    lines: tuple[SlipLine, ...]
    footnote: str
    qr_text: str

    def text(self) -> str:
        """The slip as plain lines (what a printer without Chinese graphics or a PDF writer lays out)."""
        rows = [self.title, *(f"{line.label}：{line.value}" for line in self.lines), self.footnote]
        return "\n".join(rows)


def case_slip(
    case: Case,
    *,
    staff_no: str,
    staff_name: str,
    hall_name: str,
    authorization_summary: str,
    printed_at: datetime,
) -> Slip:
    """The slip of a case saved to be sent: its case number, else its temporary number with what that means."""
    if case.case_no:
        number_label, number, footnote = "受理编号", case.case_no, "凭受理编号查询办理进度。"
    elif case.temporary_no:
        number_label, number = "临时编号", case.temporary_no
        footnote = "案件已保存，联网后送达平台；受理编号将以短信告知，也可凭临时编号查询。"
    else:
        raise ValueError("a draft has no slip: save the case to be sent first")
    lines = (
        SlipLine(number_label, number),
        SlipLine("办理事项", case.service_title),
        SlipLine("办事人", case.resident.masked),
        SlipLine("办理方式", MODE_LABELS.get(case.mode, case.mode)),
        SlipLine("委托", authorization_summary),
        SlipLine("帮办代办员", f"{staff_name}（工号 {staff_no}）"),
        SlipLine("办理地点", hall_name),
        SlipLine("时间", printed_at.strftime("%Y-%m-%d %H:%M")),
    )
    return Slip("帮办代办受理单", lines, footnote, f"{number_label}:{number}")
