"""What each screen shows, as plain values the flow hands to the UI (no Qt, no rules)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kiosk.visit.catalog import FormField, Identification


@dataclass(frozen=True)
class AttractView:
    hall_name: str
    notices: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class ServiceTile:
    code: str
    name: str
    department: str
    category: str
    icon: str


@dataclass(frozen=True)
class ServicesView:
    tiles: tuple[ServiceTile, ...]
    page: int
    pages: int


@dataclass(frozen=True)
class IdentifyView:
    service_name: str
    method: str  # "id_card" | "qr"
    error: str | None
    identification: Identification
    #: What to have ready (申请材料), shown while the card is read.
    materials: tuple[str, ...] = ()
    #: The card could not be used: a QR code is offered instead.
    offer_qr: bool = False


@dataclass(frozen=True)
class FieldView:
    service_name: str
    field: FormField
    label: str
    help: str
    value: str
    step: int
    steps: int
    error: str | None
    #: A photo or scan just taken, shown with 重拍 and 用这张 before it is kept.
    captured: Path | None = None


@dataclass(frozen=True)
class ReviewRow:
    key: str
    label: str
    display: str
    spoken: str
    prefilled: bool
    #: Where a value the person did not type came from ("已从身份证读取", "由出生日期计算"); empty if typed.
    note: str = ""


@dataclass(frozen=True)
class ReviewView:
    service_name: str
    rows: tuple[ReviewRow, ...]


@dataclass(frozen=True)
class SubmittingView:
    service_name: str


@dataclass(frozen=True)
class ResultView:
    """The outcome and its paper, on one screen that stays until 完成 is tapped."""

    kind: str  # accepted | queued | query | query_offline | ticket | failed
    service_name: str
    title: str
    #: What the screen says besides the title and the number (the number is shown once, big).
    message: str
    case_no: str
    next_steps: str
    rows: tuple[tuple[str, str], ...]
    #: What the number is (受理编号, 临时编号); empty when the title says it.
    number_label: str = ""
    #: none (this outcome prints nothing) | idle | printing | printed | paper_out | failed
    print_state: str = "none"
    print_message: str = ""
    #: What the on-screen code encodes (empty when there is nothing to follow), and what it is for.
    e_receipt: str = ""
    e_receipt_caption: str = ""


@dataclass(frozen=True)
class RatingView:
    level: int | None
    asking_reason: bool
    #: The reasons tapped so far (catalog keys); 提交评价 sends them.
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class ThanksView:
    message: str
    #: What to take away (身份证, 回执 or 号票), then goodbye.
    body: str = ""


View = (
    AttractView
    | ServicesView
    | IdentifyView
    | FieldView
    | ReviewView
    | SubmittingView
    | ResultView
    | RatingView
    | ThanksView
)


@dataclass(frozen=True)
class FlowScreen:
    """The screen to show now: its registry name, the sentence to speak, and its data."""

    name: str
    prompt: str
    view: View
