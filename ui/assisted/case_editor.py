"""A case being handled (新建案件 / 草稿): the matter, the mode, the resident, the 委托 and the matter's own
questions on one desktop form, keyboard first (Tab walks it top to bottom, left column then right).

A service the hall marks 须本人到场 is refused at once, with the reason, before anything is typed. A draft is
written to the staff member's vault whenever it is saved, and before the idle lock (so the lock keeps it);
"保存并发送" checks everything, seals the case with its 委托, signature and photos into the outbox and hands
over to the slip.

The whole form (the 委托 typed so far, the signature's strokes, the photo of the paper 委托书, the matter's own
signatures and photos) is sealed in the member's vault a moment after every change
(:mod:`kiosk.assisted.form_state`), so a restart, a crash or a flat battery gives it back exactly as it was left,
and a draft reopened from the list brings its 委托 along. A case made again from a 需处理 one
(:meth:`CaseBook.redo`) opens with its 委托 and attachments kept.
"""

from __future__ import annotations

import contextlib
from itertools import pairwise

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from kiosk.assisted.cases import Case, CaseBook, CaseRefused, HandlingMode
from kiosk.assisted.form_state import FormStore, SealedForm, case_form_key, new_form_key
from kiosk.assisted.instant import INSTANT_ACTIONS, is_instant
from kiosk.assisted.resident import ResidentError, resident_from_input
from kiosk.assisted.staff import StaffSession
from kiosk.visit.catalog import Service
from kiosk.visit.validation import FieldError
from ui.assisted.authorization_form import AuthorizationError, AuthorizationForm
from ui.assisted.desk import AssistedDesk, authorization_summary
from ui.assisted.form_capture import SealableServiceFields, watch
from ui.assisted.form_keeper import FormKeeper
from ui.assisted.instant_matter import NO_INSTANT, InstantRunner, proxy_services, unavailable_reason
from ui.assisted.masked_field import MaskedLineEdit
from ui.assisted.resident_form import ResidentForm


class CaseEditor(QWidget):
    #: A case saved to be sent (its id): the window shows the slip.
    case_did_send = Signal(str)
    closed = Signal()
    #: The form was sealed in the vault as it stands (a restart gives back all of it).
    form_did_seal = Signal()
    #: A query answered or a ticket taken for the resident: the slip to show (``kiosk.assisted.slip.Slip``).
    instant_did_finish = Signal(object)

    def __init__(  # noqa: PLR0915 - the screen's parts, one statement each
        self,
        desk: AssistedDesk,
        book: CaseBook,
        session: StaffSession,
        case: Case | None = None,
        form: SealedForm | None = None,
    ) -> None:
        super().__init__()
        self.setObjectName("assisted-case-editor")
        self.desk = desk
        self._book: CaseBook | None = book
        self._session: StaffSession | None = session
        self.case_id: str | None = case.case_id if case else None
        key = form.key if form else case_form_key(case.case_id) if case else new_form_key()
        self.keeper = FormKeeper(self, FormStore(book.vault), key, self.snapshot)
        self.keeper.form_did_seal.connect(self.form_did_seal)
        self.services = proxy_services(desk)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 12, 16, 8)
        head = QHBoxLayout()
        self.title = QLabel("新建案件" if case is None else f"草稿 {case.reference}")
        self.title.setProperty("role", "title")
        self.service_box = QComboBox()
        self.service_box.setObjectName("service")
        self.service_box.setAccessibleName("办理事项")
        self.service_box.addItem("请选择办理事项", "")
        for service in self.services:
            kind = {"query": "查询 · ", "ticket": "取号 · "}.get(service.outcome, "")
            self.service_box.addItem(f"{kind}{service.name.zh}（{service.department.zh}）", service.code)
            why = unavailable_reason(desk, service)
            item = self.service_box.model().item(self.service_box.count() - 1)  # type: ignore[attr-defined]
            if why is not None and item is not None:
                item.setEnabled(False)
                item.setText(f"{item.text()}：不可代办")
                item.setToolTip(why)
        self.instant = InstantRunner(desk, desk.handle_matter) if desk.handle_matter else None
        if self.instant is not None:
            self.instant.slip_ready.connect(self._instant_done)
            self.instant.refused.connect(self._instant_refused)
        self.full = QRadioButton("全程代办")
        self.full.setObjectName("mode-full")
        self.partial = QRadioButton("环节帮办")
        self.partial.setObjectName("mode-partial")
        self.full.setChecked(True)
        modes = QButtonGroup(self)
        modes.addButton(self.full)
        modes.addButton(self.partial)
        head.addWidget(self.title)
        head.addSpacing(16)
        head.addWidget(QLabel("办理事项"))
        head.addWidget(self.service_box, 1)
        head.addWidget(self.full)
        head.addWidget(self.partial)
        outer.addLayout(head)
        self.refusal = QLabel("")
        self.refusal.setObjectName("in-person-refusal")
        self.refusal.setProperty("role", "error")
        self.refusal.setWordWrap(True)
        self.refusal.setVisible(False)
        outer.addWidget(self.refusal)

        body = QWidget()
        columns = QHBoxLayout(body)
        columns.setContentsMargins(0, 0, 0, 0)
        left = QVBoxLayout()
        self.resident = ResidentForm(desk.read_card)
        self.authorization = AuthorizationForm(session.name, session.staff_no, desk.capture_paper, desk.clock().date())
        left.addWidget(self.resident)
        left.addWidget(self.authorization)
        left.addStretch(1)
        self.right = QVBoxLayout()
        self.fields: SealableServiceFields | None = None
        self.fields_hint = QLabel("先选择办理事项，这里显示该事项要填写的内容")
        self.fields_hint.setProperty("role", "muted")
        self.fields_hint.setWordWrap(True)
        self.right.addWidget(self.fields_hint)
        self.right.addStretch(1)
        columns.addLayout(left, 1)
        columns.addLayout(self.right, 1)
        self.form_area = QScrollArea()
        self.form_area.setWidgetResizable(True)
        self.form_area.setWidget(body)
        outer.addWidget(self.form_area, 1)
        outer.addStretch()  # takes the room of the form when a refused matter hides it

        self.message = QLabel("")
        self.message.setObjectName("editor-message")
        self.message.setWordWrap(True)
        actions = QHBoxLayout()
        self.back_button = QPushButton("返回列表")
        self.back_button.setObjectName("back-to-list")
        self.draft_button = QPushButton("保存草稿")
        self.draft_button.setObjectName("save-draft")
        self.send_button = QPushButton("保存并发送")
        self.send_button.setObjectName("save-and-send")
        self.send_button.setProperty("role", "primary")
        actions.addWidget(self.message, 1)
        actions.addWidget(self.back_button)
        actions.addWidget(self.draft_button)
        actions.addWidget(self.send_button)
        outer.addLayout(actions)

        self.service_box.currentIndexChanged.connect(self._service_changed)
        self.resident.resident_did_change.connect(self._resident_changed)
        self.back_button.clicked.connect(self._back)
        self.draft_button.clicked.connect(lambda: self.save_draft(quiet=False))
        self.send_button.clicked.connect(self.save_and_send)
        watch(self, self._changed)
        self.authorization.paper_did_change.connect(self._changed)
        if case is not None:
            self._fill(case)  # (choosing its matter builds the matter's questions, then they are filled)
        else:
            self._service_changed()
        if form is not None:
            self.restore(form)
        self.keeper.paused = False

    # -- the lock --------------------------------------------------------------------------------------------

    @property
    def book(self) -> CaseBook:
        if self._book is None:
            raise RuntimeError("the case form is locked: log in again")
        return self._book

    @property
    def session(self) -> StaffSession:
        if self._session is None:
            raise RuntimeError("the case form is locked: log in again")
        return self._session

    def detach(self) -> None:
        """The idle lock: the session and its key go; what is typed (the 委托 and its signature too) stays in
        this form, in memory only, for the same member's next login."""
        self.keeper.lock()
        self._book = None
        self._session = None
        for field in self.findChildren(MaskedLineEdit):
            field.conceal()

    def attach(self, book: CaseBook, session: StaffSession) -> None:
        self._book = book
        self._session = session
        self.keeper.unlock(FormStore(book.vault))

    # -- the matter --------------------------------------------------------------------------------------

    def service(self) -> Service | None:
        code = self.service_box.currentData()
        return next((s for s in self.services if s.code == code), None)

    def choose_service(self, code: str) -> None:
        self.service_box.setCurrentIndex(max(0, self.service_box.findData(code)))

    def _service_changed(self) -> None:
        service = self.service()
        reason = self.desk.in_person_reason(service) if service else None
        self.refusal.setText(f"不能代办：{reason}" if reason else "")
        self.refusal.setVisible(bool(reason))
        self.form_area.setVisible(not reason)  # nothing to fill in for a matter that cannot be handled here
        for part in (self.authorization, self.draft_button, self.send_button):
            part.setEnabled(service is not None and reason is None)
        instant = service is not None and is_instant(service)
        self.send_button.setText(INSTANT_ACTIONS[service.outcome] if service and instant else "保存并发送")
        self.draft_button.setEnabled(self.draft_button.isEnabled() and not instant)  # nothing to send later
        if self.fields is not None:
            self.right.removeWidget(self.fields)
            self.fields.hide()  # gone from the screen now, deleted when the event loop comes round
            self.fields.deleteLater()
            self.fields = None
        self.fields_hint.setVisible(service is None or reason is not None)
        if service is not None and reason is None:
            self.fields = SealableServiceFields(service, self.desk.capture_paper)
            watch(self.fields, self._changed)
            self.fields.capture_did_change.connect(self._changed)
            self.right.insertWidget(0, self.fields)
            # Tab walks the left column, then the matter's questions, then the buttons (as they read).
            chain = [self.authorization.in_person, *self.fields.inputs()]
            chain += [self.back_button, self.draft_button, self.send_button]
            for before, after in pairwise(chain):
                QWidget.setTabOrder(before, after)
            allowed = [s for s in self.services if not self.desk.in_person_reason(s)]
            self.authorization.set_services(allowed, service.code)
            self._resident_changed()

    def _resident_changed(self) -> None:
        if self.fields is None:
            return
        resident = self.resident.resident_or_none()
        if resident is not None:
            self.fields.prefill(resident, self.desk.clock().date())

    def mode(self) -> HandlingMode:
        return "step" if self.partial.isChecked() else "full"

    def _fill(self, case: Case) -> None:
        self.choose_service(case.service_code)
        self.resident.fill(case.resident)
        (self.partial if case.mode == "step" else self.full).setChecked(True)
        self._service_changed()
        if self.fields is not None:
            self.fields.fill({k: str(v) for k, v in case.answers.items()})
        # A draft that already carries its 委托 (made again from a 需处理 case, or refused at sending): the
        # consent's images are its attachments already, so the 委托 is kept, not asked for twice.
        if case.authorization is not None:
            summary = authorization_summary(case.authorization, case.resident.masked_name, self.desk.catalog)
            self.authorization.keep(case.authorization, summary)
        if self.fields is not None and any(ref.role == "document" for ref in case.attachments):
            captured = {"signature", "photo", "document"}
            kept = {f.key for f in self.fields.service.fields if f.kind in captured and case.answers.get(f.key)}
            self.fields.keep(frozenset(kept))

    # -- sealing the form as it stands ---------------------------------------------------------------------

    def _changed(self, *_: object) -> None:
        self.keeper.changed()

    def snapshot(self) -> SealedForm:
        """The whole form as it stands: the matter, the mode, the resident, the 委托 and the matter's answers."""
        resident = self.resident
        values: dict[str, object] = {
            "service": str(self.service_box.currentData() or ""),
            "mode": self.mode(),
            "resident": {
                "name": resident.name.value(),
                "id_number": resident.id_number.value(),
                "phone": resident.phone.value(),
                "from_card": resident.from_card,
            },
        }
        authorization, blobs = self.authorization.snapshot()
        values["authorization"] = authorization
        if self.fields is not None:
            fields, field_blobs = self.fields.snapshot()
            values["fields"] = fields
            blobs = {**blobs, **field_blobs}
        return SealedForm(self.keeper.key, self.case_id, values, blobs)

    def seal(self) -> bool:
        """Seal the form now (the keeper does it after each change; the lock, 返回 and closing do it at once)."""
        return self.keeper.seal()

    def restore(self, form: SealedForm) -> None:
        """Put a sealed form back on the screen, as it was left."""
        self.keeper.paused = True
        values = form.values
        self.choose_service(str(values.get("service", "")))
        (self.partial if values.get("mode") == "step" else self.full).setChecked(True)
        who = values.get("resident")
        if isinstance(who, dict):
            name, number, phone = (str(who.get(key, "")) for key in ("name", "id_number", "phone"))
            self.resident.name.set_value(name)
            self.resident.id_number.set_value(number)
            self.resident.phone.set_value(phone)
            if who.get("from_card"):  # a card read checks out: the resident is whole, and 本人在场 stays possible
                with contextlib.suppress(ResidentError):
                    self.resident.fill(resident_from_input(name, number, phone, identified_by="id_card"))
        self._service_changed()
        authorization = values.get("authorization")
        if isinstance(authorization, dict):
            self.authorization.restore(authorization, form.blobs)
        fields = values.get("fields")
        if isinstance(fields, dict) and self.fields is not None:
            self.fields.restore(fields, {k: v for k, v in form.blobs.items() if k.startswith("field:")})
        self._resident_changed()
        self.keeper.paused = False

    # -- saving ---------------------------------------------------------------------------------------------

    def say(self, text: str, *, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setProperty("role", "error" if error else "ok")
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)

    def save_draft(self, *, quiet: bool = True) -> str | None:
        """Write what is typed to the vault as a draft (the idle lock calls this); the case id, or ``None``
        when there is not yet a resident to file it under."""
        service = self.service()
        if service is None or self.desk.in_person_reason(service) or is_instant(service):
            return self.case_id
        try:
            resident = self.resident.resident()
        except ResidentError:
            if not quiet:
                self.say("草稿须先填好办事人的姓名和身份证号码", error=True)
            return self.case_id
        now = self.desk.clock()
        answers = self.fields.draft_answers() if self.fields else {}
        try:
            if self.case_id is None:
                case = self.book.new_case(
                    service.code, service.name.zh, resident, now, mode=self.mode(), answers=answers
                )
                self.case_id = case.case_id
                self.title.setText(f"草稿 {case.reference}")
                self.keeper.filed_as(case.case_id)
            else:
                self.book.update_draft(
                    self.case_id,
                    now,
                    resident=resident,
                    answers=answers,
                    mode=self.mode(),
                    service_code=service.code,
                    service_title=service.name.zh,
                )
        except CaseRefused as exc:
            self.say(str(exc), error=True)
            return self.case_id
        if not quiet:
            self.say(f"草稿已加密保存（{now.strftime('%H:%M')}）")
        return self.case_id

    def save_and_send(self) -> None:  # noqa: PLR0911 - each refusal says its own sentence
        service = self.service()
        if service is None:
            self.say("请先选择办理事项", error=True)
            self.service_box.setFocus()
            return
        reason = self.desk.in_person_reason(service)
        if reason:
            self.say(f"不能代办：{reason}", error=True)
            return
        if is_instant(service):
            self._ask_instant(service)
            return
        now = self.desk.clock()
        try:
            resident = self.resident.resident()
            record, consent = self.authorization.authorization(
                resident, service.code, True, now.date(), card_read=self.resident.from_card
            )
            answers, files = self.fields.answers() if self.fields else ({}, [])
            if record is None and self.mode() == "full":
                raise AuthorizationError("全程代办须有委托人的委托；办事人本人在场自己办理时请选“环节帮办”")
        except (ResidentError, AuthorizationError, FieldError) as exc:
            self.say(f"还不能发送：{exc.message if isinstance(exc, FieldError) else exc}", error=True)
            return
        case_id = self.save_draft(quiet=True)
        if case_id is None:
            return
        try:
            self.book.update_draft(case_id, now, answers=answers, authorization=record)
            if consent.signature_png:
                self.book.add_attachment(case_id, consent.signature_png, "image/png", "signature", now)
            if consent.paper_jpeg:
                self.book.add_attachment(case_id, consent.paper_jpeg, "image/jpeg", "authorization_photo", now)
            for file in files:
                self.book.add_attachment(case_id, file.data, file.media_type, "document", now)
        except CaseRefused as exc:
            self.say(str(exc), error=True)
            return
        if self.desk.send_case is None:
            self.say("案件已加密保存为草稿；本机未接通发件箱，联网配置好后再发送", error=True)
            return
        self.desk.send_case(self.book, self.session, case_id, now)
        self.keeper.done()  # the case carries all of it now, sealed for the platform
        self.case_did_send.emit(case_id)

    # -- 代为查询 / 代为取号 ----------------------------------------------------------------------------------------

    def _ask_instant(self, service: Service) -> None:
        """Check the resident, the 委托 and the answers as for a case, then ask the hall on a worker."""
        try:
            resident = self.resident.resident()
            record, _ = self.authorization.authorization(
                resident, service.code, True, self.desk.clock().date(), card_read=self.resident.from_card
            )
            if record is None and self.mode() == "full":
                raise AuthorizationError("全程代办须有委托人的委托；办事人本人在场自己办理时请选“环节帮办”")
            answers, _files = self.fields.answers() if self.fields else ({}, [])
        except (ResidentError, AuthorizationError, FieldError) as exc:
            self.say(f"还不能办理：{exc.message if isinstance(exc, FieldError) else exc}", error=True)
            return
        reason = unavailable_reason(self.desk, service)
        if reason is not None or self.instant is None:
            self.say(reason or NO_INSTANT, error=True)
            return
        self.instant.ask(service, resident, record, answers, self.session)
        self.send_button.setEnabled(False)
        self.say("正在向大厅办理，请稍候…")

    def _instant_refused(self, why: str) -> None:
        self.send_button.setEnabled(True)
        self.say(why, error=True)

    def _instant_done(self, slip: object) -> None:
        self.send_button.setEnabled(True)
        self.keeper.done()  # answered: nothing of it waits for later
        self.instant_did_finish.emit(slip)

    def _back(self) -> None:
        self.save_draft(quiet=True)
        self.keeper.closed(has_case=self.case_id is not None)
        self.closed.emit()
