"""The data of the screens after the questions: the review, the outcome (with its paper) and the goodbye, with what
may be spoken."""

from __future__ import annotations

from datetime import UTC, datetime

from kiosk.visit.catalog import FormField, Service
from kiosk.visit.identity import mask_id_number, mask_name, mask_phone
from kiosk.visit.ports import SubmissionRequest, SubmitOutcome
from kiosk.visit.receipt import e_receipt_text, receipt_for, receipt_kind
from kiosk.visit.session import Answer
from kiosk.visit.strings import Texts
from kiosk.visit.views import FlowScreen, ResultView, ReviewRow, ThanksView


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
        if form_field.kind == "signature":  # the step's instruction (请签名确认) is no label for what was done
            label = texts("form.signature_label")
        said = spoken(form_field, answer.value, display)
        if form_field.kind == "bank_account" and answer.value:
            said = texts("form.account_ending", last=answer.value[-4:])
        note = ""
        if answer.prefilled:  # the card has no age: it is worked out from the date of birth
            note = texts("form.computed" if form_field.prefill == "age" else "form.prefilled")
        rows.append(ReviewRow(form_field.key, label, display, said, answer.prefilled, note))
    return tuple(rows)


#: The paper an outcome prints, as the citizen calls it: a 回执 for a case, a 号票 for a queue number, a 证明 for a
#: query's result. Outcomes missing here print nothing.
SLIPS = {"accepted": "slip.receipt", "queued": "slip.receipt", "query": "slip.certificate", "ticket": "slip.ticket"}
#: What the on-screen code lets a phone follow, per outcome.
E_RECEIPT_CAPTIONS = {
    "accepted": "e_receipt.case",
    "queued": "e_receipt.case",
    "query": "e_receipt.query",
    "ticket": "e_receipt.ticket",
}
#: The receipt's printing states, and the sentence each shows (``idle``: printing is about to start).
PRINT_MESSAGES = {
    "idle": "receipt.printing",
    "printing": "receipt.printing",
    "printed": "receipt.printed",
    "paper_out": "receipt.paper_out",
    "failed": "receipt.print_failed",
}


def slip_word(kind: str, texts: Texts) -> str:
    """回执, 号票 or 证明 (empty: this outcome prints nothing)."""
    key = SLIPS.get(kind)
    return texts(key) if key else ""


def result_screen(
    service: Service,
    texts: Texts,
    *,
    kind: str,
    case_no: str,
    waiting: int = 0,
    expected_wait: int | None = None,
    rows: tuple[tuple[str, str], ...] = (),
    print_state: str = "idle",
) -> FlowScreen:
    """What the submission came to, and its paper: one screen that stays until the person taps 完成.

    A case number, a provisional number with what it means, a query's rows or a queue number; the next steps;
    how printing goes; and the code a phone scans to follow the case. The number is said once in the sentence
    spoken and shown once, big, on the screen.
    """
    t, name = texts, service.name.get(texts.language)
    next_steps = service.next_steps.get(texts.language) if service.next_steps else ""
    number_label = ""
    if kind == "accepted":
        title, spoken_text, shown = t("result.accepted_title"), t("result.accepted", case_no=case_no), ""
        number_label = t("result.case_no_label")
    elif kind == "queued":
        title, spoken_text = t("result.queued_title"), t("result.queued", case_no=case_no)
        shown, number_label = t("result.queued_shown"), t("result.provisional_label")
    elif kind == "query":
        title, spoken_text, shown = t("result.query_title"), name, ""
        number_label = t("result.query_no_label")
    elif kind == "query_offline":
        title, spoken_text = t("result.query_title"), t("result.query_offline")
        shown = spoken_text
    elif kind == "ticket":
        title, spoken_text = t("result.ticket_title"), t("result.ticket", number=case_no, waiting=waiting)
        shown = t("result.ticket_shown", waiting=waiting)
        if expected_wait is not None:  # only with a forecast behind it: no guess without one
            wait = t("result.ticket_wait", minutes=expected_wait)
            shown, spoken_text = f"{shown}{wait}", f"{spoken_text}{wait}"
    else:
        title, spoken_text = t("result.failed_title"), t("result.failed")
        shown = spoken_text
    slip = slip_word(kind, texts)
    printing = "none" if not slip else print_state
    print_message = "" if not slip else t(PRINT_MESSAGES[print_state], slip=slip)
    e_receipt, caption = "", ""
    if case_no and receipt_kind(kind) is not None:
        data = receipt_for(
            SubmissionRequest(service, None, {}), SubmitOutcome(kind, case_no), hall_name="", terminal_id="",
            now=datetime.now(UTC),
        )
        e_receipt, caption = e_receipt_text(data), t(E_RECEIPT_CAPTIONS[kind])
    if kind not in ("accepted", "queued"):
        next_steps = ""
    view = ResultView(
        kind,
        name,
        title,
        shown,
        case_no,
        next_steps,
        rows,
        number_label=number_label,
        print_state=printing,
        print_message=print_message,
        e_receipt=e_receipt,
        e_receipt_caption=caption,
    )
    return FlowScreen("result", f"{spoken_text}{next_steps}", view)


def thanks_screen(texts: Texts, *, kind: str, print_state: str, by_card: bool) -> FlowScreen:
    """The goodbye: what to take away (the ID card if it was read, the paper if it printed), said once."""
    t = texts
    slip = slip_word(kind, texts) if print_state == "printed" else ""
    if kind == "ticket" and slip:
        body = t("thanks.take_ticket")
    elif slip:
        body = t("thanks.take_card_and_slip" if by_card else "thanks.take_slip", slip=slip)
    elif by_card:
        body = t("thanks.take_card")
    else:
        body = t("thanks.goodbye")
    title = t("thanks.title_failed" if kind in ("failed", "query_offline") else "thanks.title")
    stop = "。" if texts.language == "zh_CN" else ". "
    return FlowScreen("thanks", f"{title}{stop}{body}", ThanksView(title, body))


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
