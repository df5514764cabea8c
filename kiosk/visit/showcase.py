"""Every screen of the citizen's path with representative data, for screenshots and the accessibility audit.

Each showcase step drives a fresh :class:`CitizenFlow` to one screen through its public methods only, so what is
rendered is exactly what a citizen would meet.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from kiosk.visit.flow import CitizenFlow
from kiosk.visit.ports import Notice, SubmitOutcome
from kiosk.visit.session import Applicant

#: A sample resident (a made-up, checksum-valid ID number; never a real person).
SAMPLE_APPLICANT = Applicant(
    name="李堃",
    id_number="110101194101010036",
    gender="女",
    birth_date=date(1941, 1, 1),
    address="北京市东城区示例大街88号院3号楼2单元501室",
)
ELDER_SERVICE = "GLJT-01"


@dataclass(frozen=True)
class ShowcaseState:
    """Another state of a step's screen (an error shown, the candidate row shown, the longest text): the
    screen must fit the glass in it too, and every key that is in both must be where it was."""

    label: str
    drive: Callable[[CitizenFlow], None]
    #: Letters tapped on the screen's keyboard once it is shown (so its candidate row shows).
    typed: str = ""


@dataclass(frozen=True)
class ShowcaseStep:
    label: str
    drive: Callable[[CitizenFlow], None]
    states: tuple[ShowcaseState, ...] = ()


#: Addresses refused for want of a number: a short one, and a long one (the value box's worst case).
BAD_ADDRESS = "北"
LONG_BAD_ADDRESS = "内蒙古自治区呼和浩特市新城区示例大街示例胡同示例小区示例花园东区"


def _answered(drive: Callable[[CitizenFlow], None], raw: str) -> Callable[[CitizenFlow], None]:
    def answered(flow: CitizenFlow) -> None:
        drive(flow)
        flow.answer(raw)

    return answered


def _text_states(drive: Callable[[CitizenFlow], None]) -> tuple[ShowcaseState, ...]:
    return (
        ShowcaseState("candidates", drive, typed="zhang"),
        ShowcaseState("error", _answered(drive, BAD_ADDRESS)),
        ShowcaseState("longest", _answered(drive, LONG_BAD_ADDRESS), typed="zhuang"),
    )


def _to_form_field(
    code: str, key: str, applicant: Applicant | None = SAMPLE_APPLICANT
) -> Callable[[CitizenFlow], None]:
    def drive(flow: CitizenFlow) -> None:
        flow.start()
        flow.choose_service(code)
        if applicant is not None and flow.step == "identify":
            flow.identified(applicant)
        flow.edit(key)

    return drive


def _review(flow: CitizenFlow) -> None:
    flow.start()
    flow.choose_service(ELDER_SERVICE)
    flow.identified(SAMPLE_APPLICANT)
    for raw in ("13812345678", "sscard", "no"):
        flow.answer(raw)
    flow.answer("signature.png")


def _review_bank(flow: CitizenFlow) -> None:
    """The longest review: 银行卡 adds the bank and the (masked) card number."""
    _to_bank_account(flow)
    for raw in ("6217001234567890123", "no", "signature.png"):
        flow.answer(raw)


def _to_bank_account(flow: CitizenFlow) -> None:
    flow.start()
    flow.choose_service(ELDER_SERVICE)
    flow.identified(SAMPLE_APPLICANT)
    for raw in ("13812345678", "bank", "ccb"):
        flow.answer(raw)


def _photo_taken(flow: CitizenFlow) -> None:
    _to_form_field("YLRZ-02", "photo")(flow)
    flow.captured("photo.jpg", file=Path("photo.jpg"))


def _outcome(outcome: SubmitOutcome, service: str = ELDER_SERVICE) -> Callable[[CitizenFlow], None]:
    def drive(flow: CitizenFlow) -> None:
        flow.start()
        flow.choose_service(service)
        if flow.step == "identify":
            flow.identified(SAMPLE_APPLICANT)
        flow.submitted(outcome)

    return drive


def _receipt(state: str) -> Callable[[CitizenFlow], None]:
    def drive(flow: CitizenFlow) -> None:
        _outcome(SubmitOutcome("accepted", case_no="SB2026112200000123"))(flow)
        flow.receipt_state(state)

    return drive


def _rating(low: bool) -> Callable[[CitizenFlow], None]:
    def drive(flow: CitizenFlow) -> None:
        _outcome(SubmitOutcome("accepted", case_no="SB2026112200000123"))(flow)
        flow.to_rating()
        if low:
            flow.choose_rating(2)
            flow.toggle_reason("rating.reason_text")

    return drive


def _identify_error(flow: CitizenFlow) -> None:
    flow.start()
    flow.choose_service(ELDER_SERVICE)
    flow.identify_failed(Notice("device.card_again"))


def _field_error(flow: CitizenFlow) -> None:
    _to_form_field(ELDER_SERVICE, "phone")(flow)
    flow.answer("12345")


def _thanks(flow: CitizenFlow) -> None:
    _receipt("printed")(flow)
    flow.to_rating()
    flow.skip_rating()


def _services(flow: CitizenFlow) -> None:
    flow.start()


def _identify(code: str) -> Callable[[CitizenFlow], None]:
    def drive(flow: CitizenFlow) -> None:
        flow.start()
        flow.choose_service(code)

    return drive


def _submitting(flow: CitizenFlow) -> None:
    _review(flow)
    flow.confirm()


def _attract(flow: CitizenFlow) -> None:
    """The flow starts on the attract screen."""


def showcase() -> list[ShowcaseStep]:
    """The citizen's path, screen by screen, covering every field kind and every outcome."""
    return [
        ShowcaseStep("01-attract", _attract),
        ShowcaseStep("02-services", _services),
        ShowcaseStep("03-identify-card", _identify(ELDER_SERVICE)),
        ShowcaseStep("04-identify-error", _identify_error),
        ShowcaseStep("05-identify-qr", _identify("YBCX-05")),
        ShowcaseStep(
            "06-field-phone", _to_form_field(ELDER_SERVICE, "phone"), (ShowcaseState("error", _field_error),)
        ),
        ShowcaseStep("07-field-error", _field_error),
        ShowcaseStep("08-field-choice", _to_form_field(ELDER_SERVICE, "payout")),
        ShowcaseStep("09-field-yes-no", _to_form_field(ELDER_SERVICE, "lives_alone")),
        ShowcaseStep("10-field-signature", _to_form_field(ELDER_SERVICE, "signature")),
        ShowcaseStep("11-field-photo", _to_form_field("YLRZ-02", "photo")),
        ShowcaseStep("12-field-date", _to_form_field("SBZM-03", "since")),
        ShowcaseStep(
            "13-field-text",
            _to_form_field("JZZ-04", "residence"),
            _text_states(_to_form_field("JZZ-04", "residence")),
        ),
        ShowcaseStep("14-field-document", _to_form_field("JZZ-04", "contract")),
        ShowcaseStep("15-field-number", _to_form_field("YBCX-05", "year", applicant=Applicant("", "", source="qr"))),
        ShowcaseStep("16-review", _review),
        ShowcaseStep("17-submitting", _submitting),
        ShowcaseStep("18-result-accepted", _outcome(SubmitOutcome("accepted", case_no="SB2026112200000123"))),
        ShowcaseStep("19-result-queued", _outcome(SubmitOutcome("queued", case_no="LSU5TBP88Q"))),
        ShowcaseStep(
            "20-result-query",
            _outcome(
                SubmitOutcome(
                    "query",
                    case_no="CX0012345678",
                    rows=(("证明类型", "养老保险"), ("参保状态", "正常参保"), ("累计缴费", "236 个月")),
                ),
                "SBZM-03",
            ),
        ),
        ShowcaseStep(
            "21-result-ticket",
            _outcome(SubmitOutcome("ticket", case_no="C012", waiting=3, expected_wait_minutes=9), "PDQH-06"),
        ),
        ShowcaseStep("22-result-printing", _receipt("printing")),
        ShowcaseStep("23-result-printed", _receipt("printed")),
        ShowcaseStep("24-result-paper-out", _receipt("paper_out")),
        ShowcaseStep("25-rating", _rating(low=False)),
        ShowcaseStep("26-rating-reason", _rating(low=True)),
        ShowcaseStep("27-thanks", _thanks),
        ShowcaseStep("08a-field-bank-account", _to_bank_account),
        ShowcaseStep("11a-field-photo-taken", _photo_taken),
        ShowcaseStep("16a-review-bank", _review_bank),
    ]
