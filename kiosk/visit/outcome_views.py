"""The data of the screens after the questions: the review, the result and the receipt, with what may be spoken."""

from __future__ import annotations

from datetime import datetime

from kiosk.visit.catalog import FormField, Service
from kiosk.visit.identity import mask_id_number, mask_name, mask_phone
from kiosk.visit.ports import SubmissionRequest, SubmitOutcome
from kiosk.visit.receipt import e_receipt_text, receipt_for, receipt_kind
from kiosk.visit.session import Answer
from kiosk.visit.strings import Texts
from kiosk.visit.views import FlowScreen, ReceiptView, ResultView, ReviewRow


def review_rows(service: Service, answers: dict[str, Answer], texts: Texts) -> tuple[ReviewRow, ...]:
    """Every answer, card values masked; photos and signatures named, not shown."""
    rows = []
    for form_field in service.fields:
        answer = answers.get(form_field.key)
        if answer is None:
            continue
        display = masked_display(form_field, answer.value) if answer.prefilled else answer.display
        if form_field.kind in ("photo", "document", "signature"):
            display = texts("form.signed" if form_field.kind == "signature" else "form.captured")
        label = form_field.label.get(texts.language)
        said = spoken(form_field, answer.value, display)
        if form_field.kind == "bank_account" and answer.value:
            said = texts("form.account_ending", last=answer.value[-4:])
        note = ""
        if answer.prefilled:  # the card has no age: it is worked out from the date of birth
            note = texts("form.computed" if form_field.prefill == "age" else "form.prefilled")
        rows.append(ReviewRow(form_field.key, label, display, said, answer.prefilled, note))
    return tuple(rows)


def result_screen(
    service: Service,
    texts: Texts,
    *,
    kind: str,
    case_no: str,
    waiting: int = 0,
    rows: tuple[tuple[str, str], ...] = (),
) -> FlowScreen:
    """What the submission came to: a case number, a provisional number, a query's rows or a ticket."""
    t, name = texts, service.name.get(texts.language)
    next_steps = service.next_steps.get(texts.language) if service.next_steps else ""
    if kind == "accepted":
        title, message = t("result.accepted_title"), t("result.accepted", case_no=case_no)
    elif kind == "queued":
        title, message = t("result.queued_title"), t("result.queued", case_no=case_no)
    elif kind == "query":
        title, message = t("result.query_title"), name
    elif kind == "query_offline":
        title, message = t("result.query_title"), t("result.query_offline")
    elif kind == "ticket":
        title, message = t("result.ticket_title"), t("result.ticket", number=case_no, waiting=waiting)
    else:
        title, message = t("result.failed_title"), t("result.failed")
    view = ResultView(kind, name, title, message, case_no, next_steps, rows)
    return FlowScreen("result", f"{message}{next_steps}", view)


def receipt_screen(
    service: Service, texts: Texts, *, kind: str, case_no: str, state: str, hall_name: str
) -> FlowScreen:
    """The receipt step: printing, printed, out of paper or failed; the e-receipt QR whenever there is a number."""
    t = texts
    messages = {
        "idle": t("receipt.prompt"),
        "printing": t("receipt.printing"),
        "printed": t("receipt.printed"),
        "paper_out": t("receipt.paper_out"),
        "failed": t("receipt.print_failed"),
    }
    e_receipt = ""
    if case_no and receipt_kind(kind) is not None:
        request = SubmissionRequest(service, None, {})
        data = receipt_for(
            request, SubmitOutcome(kind, case_no), hall_name=hall_name, terminal_id="", now=datetime.now()
        )
        e_receipt = e_receipt_text(data)
    view = ReceiptView(state, messages[state], case_no, kind, e_receipt)
    return FlowScreen("receipt", messages[state], view)


def spoken(form_field: FormField, value: str, display: str) -> str:
    """What the voice may say of an answer: phone and ID numbers only masked (ADA read-back, privacy)."""
    if form_field.kind == "phone":
        return mask_phone(value)
    if form_field.kind == "id_number" or form_field.prefill in ("id_number", "name"):
        return masked_display(form_field, value)
    return display


def masked_display(form_field: FormField, value: str) -> str:
    """What the screen and the voice show of a card value: ID numbers and names masked, the rest as is."""
    if form_field.kind == "id_number" or form_field.prefill == "id_number":
        return mask_id_number(value)
    if form_field.prefill == "name":
        return mask_name(value)
    return value
