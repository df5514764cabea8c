"""The citizen's path as a pure-Python state machine (Electrum's wizard idea), tested with no Qt.

attract → choose service → identify (ID card or QR) → form steps → review → submit (online or queued) →
result (with its receipt, until 完成) → rating (好差评) → thanks → wipe → attract. Steps come from the catalog.
The UI asks :attr:`CitizenFlow.screen` what to show and calls the methods here when the person acts; it decides
nothing.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from kiosk.visit.catalog import Catalog, FormField, Service
from kiosk.visit.outcome_views import masked_display, result_screen, review_rows, thanks_screen
from kiosk.visit.ports import Notice, Rating, SubmissionRequest, SubmitOutcome
from kiosk.visit.session import Answer, Applicant, Session
from kiosk.visit.strings import Texts
from kiosk.visit.validation import FieldError, check_answer
from kiosk.visit.views import (
    AttractView,
    FieldView,
    FlowScreen,
    IdentifyView,
    RatingView,
    ReviewView,
    ServicesView,
    ServiceTile,
    SubmittingView,
)

RATING_LEVELS = (5, 4, 3, 2, 1)
#: Why a low rating: tapped on and off, then sent together with 提交评价.
RATING_REASONS = ("rating.reason_slow", "rating.reason_hard", "rating.reason_text", "rating.reason_result")


@dataclass
class CitizenFlow:
    catalog: Catalog
    hall_name: str
    session: Session = field(default_factory=Session)
    texts: Texts = field(default_factory=Texts)
    tiles_per_page: int = 9
    today: Callable[[], date] = date.today
    on_change: list[Callable[[FlowScreen], None]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._step = "attract"
        self._service: Service | None = None
        self._page = 0
        self._field_index = 0
        self._error: str | None = None
        #: The answer just refused: shown again with the error, so the person corrects it instead of retyping.
        self._rejected = ""
        self._outcome: SubmitOutcome | None = None
        self._receipt_state = "idle"
        self._rating_level: int | None = None
        self._rated = False
        self._identify_method = "id_card"
        self._offer_qr = False
        #: 修改 from the review: after the changed answer, back to the review (nothing else asked again).
        self._editing = False
        #: A photo or scan just taken, waiting for 用这张 or 重拍.
        self._pending: Answer | None = None
        self._reasons: list[str] = []
        self._changed()

    # ----------------------------------------------------------------- what to show
    @property
    def step(self) -> str:
        return self._step

    @property
    def service(self) -> Service | None:
        return self._service

    @property
    def outcome(self) -> SubmitOutcome | None:
        return self._outcome

    @property
    def screen(self) -> FlowScreen:
        return self._screen

    @property
    def rating_level(self) -> int | None:
        """The 好差评 level chosen in this visit (None: not rated, or skipped)."""
        return self._rating_level

    def _changed(self) -> None:
        self._screen = self._build_screen()
        for callback in list(self.on_change):
            callback(self._screen)

    def _lang(self) -> str:
        return self.texts.language

    def _build_screen(self) -> FlowScreen:  # noqa: PLR0911 - one branch per screen reads best
        t = self.texts
        if self._step == "attract":
            notices = tuple((n.title.get(self._lang()), n.body.get(self._lang())) for n in self.catalog.notices)
            return FlowScreen("attract", t("attract.prompt"), AttractView(self.hall_name, notices))
        if self._step == "services":
            services = self.catalog.by_popularity()
            pages = max(1, math.ceil(len(services) / self.tiles_per_page))
            page = min(self._page, pages - 1)
            shown = services[page * self.tiles_per_page : (page + 1) * self.tiles_per_page]
            tiles = tuple(
                ServiceTile(
                    s.code,
                    s.name.get(self._lang()),
                    s.department.get(self._lang()),
                    s.category.get(self._lang()),
                    s.icon,
                )
                for s in shown
            )
            return FlowScreen("services", t("services.prompt"), ServicesView(tiles, page, pages))
        service = self._require_service()
        name = service.name.get(self._lang())
        if self._step == "identify":
            key = "identify.card_prompt" if self._identify_method == "id_card" else "identify.qr_prompt"
            prompt = self._error or t(key)
            materials = tuple(m.get(self._lang()) for m in service.materials)
            view = IdentifyView(
                name, self._identify_method, self._error, service.identification, materials, self._offer_qr
            )
            return FlowScreen("identify", prompt, view)
        if self._step == "form":
            return self._field_screen(service, name)
        if self._step == "review":
            rows = review_rows(service, self.session.answers, self.texts)
            spoken = "。".join(f"{r.label}：{r.spoken}" for r in rows)
            return FlowScreen("review", f"{t('review.prompt')}{spoken}。", ReviewView(name, rows))
        if self._step == "submitting":
            return FlowScreen("submitting", t("submit.working"), SubmittingView(name))
        outcome = self._outcome or SubmitOutcome("failed", reason="no outcome")
        if self._step == "result":
            return result_screen(
                service,
                self.texts,
                kind=outcome.kind,
                case_no=outcome.case_no,
                waiting=outcome.waiting,
                expected_wait=outcome.expected_wait_minutes,
                rows=outcome.rows,
                print_state=self._receipt_state,
            )
        if self._step == "rating":
            asking = self._rating_level is not None and self._rating_level <= 2
            prompt = t("rating.reason_prompt") if asking else t("rating.prompt")
            return FlowScreen("rating", prompt, RatingView(self._rating_level, asking, tuple(self._reasons)))
        applicant = self.session.applicant
        by_card = applicant is not None and applicant.source == "id_card"
        return thanks_screen(self.texts, kind=outcome.kind, print_state=self._receipt_state, by_card=by_card)

    def _require_service(self) -> Service:
        if self._service is None:
            raise RuntimeError(f"step {self._step} needs a chosen service")
        return self._service

    # ----------------------------------------------------------------- navigation
    def start(self) -> None:
        self._go("services")

    def show_page(self, page: int) -> None:
        self._page = max(0, page)
        self._changed()

    def choose_service(self, code: str) -> None:
        self._service = self.catalog.service(code)
        self.session.answers.clear()
        self._identify_method = "qr" if self._service.identification == "qr" else "id_card"
        if self._service.identification == "none":
            self._enter_form(0)
        else:
            self._go("identify")

    def use_id_card(self) -> None:
        self._identify_method = "id_card"
        self._go("identify")

    def use_qr(self) -> None:
        """The card could not be used (no reader, an unreadable card): a QR code instead."""
        self._identify_method = "qr"
        self._go("identify")

    def identified(self, applicant: Applicant) -> None:
        """The card (or QR) said who this is: prefill what it said, skip those questions."""
        service = self._require_service()
        age = applicant.age_on(self.today())
        if service.min_age is not None and age is not None and age < service.min_age:
            self._error = self.texts("identify.too_young", age=service.min_age)
            self._changed()
            return
        self.session.applicant = applicant
        prefill = {
            "name": applicant.name,
            "id_number": applicant.id_number,
            "gender": applicant.gender,
            "birth_date": applicant.birth_date.isoformat() if applicant.birth_date else "",
            "address": applicant.address,
            "age": "" if age is None else str(age),
        }
        for form_field in service.fields:
            value = prefill.get(form_field.prefill or "", "")
            if value:
                display = masked_display(form_field, value)
                self.session.answers[form_field.key] = Answer(value, display, prefilled=True)
        self._enter_form(0)

    def identify_failed(self, notice: Notice) -> None:
        self._error = notice.text(self.texts)
        self._offer_qr = self._identify_method == "id_card"
        self._changed()

    def field_error(self, notice: Notice) -> None:
        """A device could not take the answer (a blurred scan): say what to fix on the same question."""
        self._error = notice.text(self.texts)
        self._changed()

    def refresh(self) -> None:
        """Rebuild the current screen (the language or the page size changed)."""
        self._changed()

    def form_fields(self) -> list[FormField]:
        """The questions still to ask: the card's answers are never asked again (一次填报)."""
        service = self._require_service()
        return [f for f in service.fields if not self._answered_by_card(f) and self._asked(f)]

    def _asked(self, form_field: FormField) -> bool:
        """A question with ``shown_when`` is asked only after the answer it waits for (银行卡 → which bank)."""
        condition = form_field.shown_when
        if condition is None:
            return True
        answer = self.session.answers.get(condition.field)
        return answer is not None and answer.value == condition.equals

    def _answered_by_card(self, form_field: FormField) -> bool:
        answer = self.session.answers.get(form_field.key)
        return answer is not None and answer.prefilled

    def _enter_form(self, index: int) -> None:
        fields = self.form_fields()
        if self._editing:  # after 修改: only a question the change opened is asked, then the review again
            missing = [i for i, f in enumerate(fields) if f.key not in self.session.answers]
            index = missing[0] if missing else len(fields)
        if index >= len(fields):
            self._to_review()
            return
        self._field_index = index
        self._go("form")

    def _to_review(self) -> None:
        """Answers to questions no longer asked (银行卡 changed to 社保卡) are dropped, then the review."""
        service = self._require_service()
        for form_field in service.fields:
            if not self._asked(form_field):
                self.session.answers.pop(form_field.key, None)
        self._editing = False
        self._go("review")

    def captured(self, value: str, *, file: Path) -> None:
        """The camera took a picture: shown with 重拍 and 用这张; it is the answer only once kept."""
        self._pending = Answer(value, value, file=file)
        self._error = None
        self._changed()

    def keep_capture(self) -> None:
        pending = self._pending
        if pending is not None:
            self.answer(pending.value, file=pending.file)

    def retake(self) -> None:
        self._pending = None
        self._changed()

    def answer(self, raw: str, *, file: Path | None = None) -> bool:
        """Take the answer to the current question; False (and an error on screen and in voice) if wrong."""
        form_field = self.form_fields()[self._field_index]
        try:
            checked = check_answer(form_field, raw, self.texts)
        except FieldError as exc:
            self._error, self._rejected = exc.message, raw
            self._changed()
            return False
        self.session.answers[form_field.key] = Answer(checked.value, checked.display, file=file)
        self._enter_form(self._field_index + 1)
        return True

    def back(self) -> None:
        if self._step == "services":
            self._go("attract")
        elif self._step == "identify":
            self._go("services")
        elif self._step == "form":
            if self._editing:
                self._to_review()
            elif self._field_index > 0:
                self._enter_form(self._field_index - 1)
            elif self._require_service().identification != "none":
                self._go("identify")
            else:
                self._go("services")
        elif self._step == "review":
            fields = self.form_fields()
            if fields:
                self._enter_form(len(fields) - 1)
            else:
                self._go("identify")
        elif self._step == "rating" and self._rating_level is not None:
            self._rating_level = None
            self._changed()

    def can_go_back(self) -> bool:
        return self._step in ("services", "identify", "form", "review") or (
            self._step == "rating" and self._rating_level is not None
        )

    def edit(self, key: str) -> None:
        """From the review, change one answer (prefilled ones come from the card and stay); after it, the
        review again, with every other answer (the signature too) kept."""
        for index, form_field in enumerate(self.form_fields()):
            if form_field.key == key:
                self._editing = False
                self._enter_form(index)
                self._editing = True
                return

    def start_over(self) -> None:
        """Forget this matter's answers and choose again (the visit, theme and volume stay)."""
        self.session.wipe()
        self._service = None
        self._outcome = None
        self._page = 0
        self._go("services")

    def reset(self) -> None:
        """After :func:`wipe`: back to the attract screen with nothing of the last visit."""
        self._service = None
        self._outcome = None
        self._page = 0
        self._rated = False
        self._rating_level = None
        self._reasons = []
        self._editing = False
        self._receipt_state = "idle"
        self._go("attract")

    def _go(self, step: str) -> None:
        self._step = step
        self._error = None
        self._rejected = ""
        self._offer_qr = False
        self._pending = None
        self._changed()

    # ----------------------------------------------------------------- submit, receipt, rating
    def confirm(self) -> SubmissionRequest:
        """At the review: the person confirmed. The caller submits and reports :meth:`submitted`."""
        request = SubmissionRequest(self._require_service(), self.session.applicant, dict(self.session.answers))
        self._go("submitting")
        return request

    def submitted(self, outcome: SubmitOutcome) -> None:
        self._outcome = outcome
        self._receipt_state = "idle"
        self._go("result")

    def receipt_state(self, state: str) -> None:
        """``printing`` / ``printed`` / ``paper_out`` / ``failed``: the outcome screen shows it where it is; the
        outcome stays up (only 完成 leaves it). Once the person has moved on, it is only remembered."""
        self._receipt_state = state
        if self._step == "result":
            self._changed()

    def to_rating(self) -> None:
        if self._rated:
            self._go("thanks")
        else:
            self._go("rating")

    def choose_rating(self, level: int) -> Rating | None:
        """A level tapped: the top three are final; the two lowest ask an optional reason first."""
        if level not in RATING_LEVELS:
            raise ValueError(f"rating level {level}")
        self._rating_level = level
        self._reasons = []
        if level <= 2:
            self._changed()
            return None
        return self.submit_rating("")

    def toggle_reason(self, key: str) -> None:
        """A reason tapped on (or off again); nothing is sent until 提交评价."""
        if key not in RATING_REASONS:
            raise ValueError(f"rating reason {key}")
        if key in self._reasons:
            self._reasons.remove(key)
        else:
            self._reasons.append(key)
        self._changed()

    def submit_rating(self, reason: str = "") -> Rating:
        """Send the rating; without ``reason``, the reasons tapped (in the hall's language, joined)."""
        if self._rating_level is None:
            raise RuntimeError("no rating chosen")
        if not reason and self._reasons:
            reason = "；".join(Texts("zh_CN")(key) for key in RATING_REASONS if key in self._reasons)
        service = self._require_service()
        outcome = self._outcome
        rating = Rating(self._rating_level, reason, outcome.case_no if outcome else "", service.code)
        self._rated = True
        self._go("thanks")
        return rating

    def skip_rating(self) -> None:
        self._rated = True
        self._go("thanks")

    # ----------------------------------------------------------------- screens with data
    def _field_screen(self, service: Service, name: str) -> FlowScreen:
        fields = self.form_fields()
        form_field = fields[self._field_index]
        answer = self.session.answers.get(form_field.key)
        label = form_field.label.get(self._lang())
        help_text = form_field.help.get(self._lang()) if form_field.help else ""
        if form_field.kind == "date" and not help_text:  # the format is said before, not after, a wrong entry
            help_text = self.texts("form.date_hint")
        key = "form.choose_prompt" if form_field.kind in ("choice", "yes_no") else "form.field_prompt"
        prompt = self._error or self.texts(key, label=label, help=help_text)
        if self._pending is not None and not self._error:
            prompt = self.texts("form.check_photo")
        view = FieldView(
            service_name=name,
            field=form_field,
            label=label,
            help=help_text,
            value=self._rejected if self._error and self._rejected else (answer.value if answer else ""),
            step=self._field_index + 1,
            steps=len(fields),
            error=self._error,
            captured=self._pending.file if self._pending else None,
        )
        return FlowScreen("form", prompt, view)
