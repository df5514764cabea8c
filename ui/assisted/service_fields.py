"""A catalog service's questions laid out for a desk: all on one form, in the catalog's order, typed on the
keyboard (Chinese through the system's input method), checked by the kiosk's own rules
(:func:`kiosk.visit.validation.check_answer`), with the kiosk's ``shown_when`` (银行卡 → which bank)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QLabel, QLineEdit, QPushButton, QWidget

from kiosk.assisted.resident import Resident
from kiosk.visit.catalog import FormField, Service
from kiosk.visit.identity import age_on, mask_id_number, mask_name, mask_phone, parse_id_number
from kiosk.visit.strings import Texts
from kiosk.visit.validation import FieldError, check_answer, mask_account
from ui.assisted.desk import CapturePaper
from ui.assisted.masked_field import MaskedLineEdit
from ui.assisted.style import DESKTOP
from ui.signature import SignaturePad

#: The answer of a signature or file question that has something attached (the bytes travel apart).
CAPTURED = "attached"
#: Answers the resident form already gives (一次填报): shown masked, never asked again.
_FROM_RESIDENT = frozenset({"name", "id_number", "age", "birth_date", "gender"})
_MASKS = {"phone": mask_phone, "id_number": mask_id_number, "bank_account": mask_account}
_PLACEHOLDERS = {"date": "年月日 8 位数字，如 20250131", "phone": "11 位手机号", "bank_account": "16-19 位卡号"}


@dataclass(frozen=True)
class Attachment:
    """A file a question asked for (the resident's signature, a photo, a scanned document)."""

    data: bytes
    media_type: str


class ServiceFields(QGroupBox):
    def __init__(self, service: Service, capture: CapturePaper | None, texts: Texts | None = None) -> None:
        super().__init__(f"办理事项：{service.name.zh}")
        self.setObjectName("service-fields")
        self.service = service
        self.texts = texts or Texts()
        self._capture = capture
        self._widgets: dict[str, QWidget] = {}
        self._captured: dict[str, bytes] = {}
        self._prefilled: dict[str, str] = {}
        self._rows: dict[str, tuple[QLabel, QWidget]] = {}
        self.form = QFormLayout(self)
        self.form.setVerticalSpacing(8)
        if not service.fields:
            self.form.addRow(QLabel("此事项无需填写表单"))
        for form_field in service.fields:
            widget = self._widget_for(form_field)
            widget.setAccessibleName(form_field.label.zh)
            self._widgets[form_field.key] = widget
            label = QLabel(form_field.label.zh + ("" if form_field.required else "（选填）"))
            self._rows[form_field.key] = (label, widget)
            self.form.addRow(label, widget)
        self.error = QLabel("")
        self.error.setObjectName("fields-error")
        self.error.setProperty("role", "error")
        self.error.setWordWrap(True)
        self.error.setVisible(False)
        self.form.addRow(self.error)
        self._update_shown()

    def _widget_for(self, form_field: FormField) -> QWidget:
        kind = form_field.kind
        if form_field.prefill in _FROM_RESIDENT:
            shown = QLabel("（取自办事人信息）")
            shown.setProperty("role", "muted")
            return shown
        if kind in ("choice", "yes_no"):
            box = QComboBox()
            box.addItem("请选择", "")
            if kind == "yes_no":
                box.addItem(self.texts("form.yes"), "yes")
                box.addItem(self.texts("form.no"), "no")
            for choice in form_field.choices:
                box.addItem(choice.label.zh, choice.value)
            box.currentIndexChanged.connect(self._update_shown)
            return box
        if kind == "signature":
            pad = SignaturePad(DESKTOP)
            pad.setMinimumHeight(110)
            return pad
        if kind in ("photo", "document"):
            button = QPushButton("拍摄" + ("照片" if kind == "photo" else "材料"))
            button.setEnabled(self._capture is not None)
            if self._capture is None:
                button.setText("本机无摄像头：请收取纸质材料")
            button.clicked.connect(lambda _=False, key=form_field.key, b=button: self._take(key, b))
            return button
        mask = _MASKS.get(kind)
        line = MaskedLineEdit(mask, f"field-{form_field.key}") if mask else QLineEdit()
        line.setMaxLength(form_field.max_length)
        line.setPlaceholderText(_PLACEHOLDERS.get(kind, ""))
        return line

    def inputs(self) -> list[QWidget]:
        """The inputs a person types or chooses in, in the form's order (for the Tab key)."""
        return [w for w in self._widgets.values() if not isinstance(w, QLabel)]

    def widget(self, key: str) -> QWidget | None:
        """The input of question ``key`` (as the form shows it)."""
        return self._widgets.get(key)

    def _take(self, key: str, button: QPushButton) -> None:
        if self._capture is None:
            return
        photo = self._capture()
        if photo:
            self._captured[key] = photo
            button.setText(f"已拍摄（{len(photo) // 1024} KB），重拍")

    def _raw(self, form_field: FormField) -> str:
        widget = self._widgets[form_field.key]
        if form_field.prefill in _FROM_RESIDENT:
            return self._prefilled.get(form_field.key, "")
        if isinstance(widget, MaskedLineEdit):
            return widget.value()
        if isinstance(widget, QComboBox):
            return str(widget.currentData() or "")
        if isinstance(widget, SignaturePad):
            return CAPTURED if widget.has_signature() else ""
        if isinstance(widget, QPushButton):
            return CAPTURED if form_field.key in self._captured else ""
        assert isinstance(widget, QLineEdit)
        return widget.text()

    def _shown(self, form_field: FormField) -> bool:
        condition = form_field.shown_when
        if condition is None:
            return True
        controller = next(f for f in self.service.fields if f.key == condition.field)
        return self._shown(controller) and self._raw(controller) == condition.equals

    def _update_shown(self) -> None:
        for form_field in self.service.fields:
            label, widget = self._rows[form_field.key]
            shown = self._shown(form_field)
            label.setVisible(shown)
            widget.setVisible(shown)

    def prefill(self, resident: Resident, today: date) -> None:
        """What the resident form already says (一次填报): name, ID number, age from it; the phone offered."""
        number = parse_id_number(resident.id_number)
        values = {
            "name": (resident.name, mask_name(resident.name)),
            "id_number": (resident.id_number, mask_id_number(resident.id_number)),
            "age": (str(age_on(number.birth_date, today)), f"{age_on(number.birth_date, today)} 岁"),
            "birth_date": (number.birth_date.isoformat(), number.birth_date.isoformat()),
            "gender": (number.gender_code, "男" if number.gender_code == "1" else "女"),
        }
        for form_field in self.service.fields:
            widget = self._widgets[form_field.key]
            if form_field.prefill in values and isinstance(widget, QLabel):
                value, shown = values[form_field.prefill]
                self._prefilled[form_field.key] = value
                widget.setText(f"{shown}（取自办事人信息）")
            elif form_field.kind == "phone" and isinstance(widget, MaskedLineEdit) and not widget.value():
                widget.set_value(resident.phone)

    def fill(self, answers: dict[str, str]) -> None:
        for key, value in answers.items():
            widget = self._widgets.get(key)
            if isinstance(widget, MaskedLineEdit):
                widget.set_value(str(value))
            elif isinstance(widget, QLineEdit):
                widget.setText(str(value))
            elif isinstance(widget, QComboBox):
                widget.setCurrentIndex(max(0, widget.findData(value)))
        self._update_shown()

    def draft_answers(self) -> dict[str, str]:
        """What is typed so far, unchecked (a draft keeps half-done work)."""
        return {f.key: self._raw(f) for f in self.service.fields if self._shown(f) and self._raw(f)}

    def answers(self) -> tuple[dict[str, str], list[Attachment]]:
        """Every shown answer checked; :class:`FieldError` names the first wrong one (and focuses it)."""
        answers: dict[str, str] = {}
        files: list[Attachment] = []
        for form_field in self.service.fields:
            if not self._shown(form_field):
                continue
            widget = self._widgets[form_field.key]
            try:
                checked = check_answer(form_field, self._raw(form_field), self.texts)
            except FieldError as exc:
                message = f"{form_field.label.zh}：{exc.message}"
                self.error.setText(message)
                self.error.setVisible(True)
                widget.setFocus()
                raise FieldError(message) from None
            answers[form_field.key] = checked.value
            if isinstance(widget, SignaturePad) and widget.has_signature():
                files.append(Attachment(widget.to_png(), "image/png"))
            elif form_field.key in self._captured:
                files.append(Attachment(self._captured[form_field.key], "image/jpeg"))
        self.error.setVisible(False)
        return answers, files
