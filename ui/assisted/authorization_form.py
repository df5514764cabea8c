"""The authorization (委托书) of a case, as the local 帮办代办 standards have it.

委托人 (the resident, from the resident form) and 受托人 (name, ID number, phone), their relationship, the
specific matters (never "全权"), the validity (dates, or until the matter is closed), whether 转委托 is allowed,
and the consent: a signature on the screen and/or a photo of the signed paper 委托书, or "委托人本人在场" with
the card read. :meth:`AuthorizationForm.authorization` builds the wire's 委托 (``offline_cache.wire.authorization``),
reads it back through the wire's strict parser and its ``refusal`` (matter not covered, expired), so the laptop
refuses what the platform would.

:meth:`AuthorizationForm.snapshot` and :meth:`AuthorizationForm.restore` give the form as it stands (signature
strokes and the paper photo included) to be sealed and put back after a restart. A case made again from a 需处理
one keeps its 委托 (:meth:`AuthorizationForm.keep`): its signature and photo are already the case's attachments,
so the form shows the 委托 and checks it again instead of asking for it twice.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kiosk.assisted.resident import Resident
from kiosk.visit.catalog import Service
from kiosk.visit.identity import mask_id_number, mask_name, mask_phone
from offline_cache.wire import authorization as wire
from ui.assisted.desk import CapturePaper
from ui.assisted.form_capture import draw_strokes, strokes_of
from ui.assisted.masked_field import MaskedLineEdit
from ui.assisted.style import DESKTOP
from ui.signature import SignaturePad

RELATIONSHIPS = ("帮办代办员", "子女", "配偶", "其他亲属", "村（社区）工作人员", "邻居或朋友")


def _day(edit: QDateEdit) -> date:
    chosen = edit.date()
    return date(chosen.year(), chosen.month(), chosen.day())


class AuthorizationError(ValueError):
    """The authorization cannot be taken as it stands; ``str(self)`` says what to change."""


@dataclass(frozen=True)
class Consent:
    """The consent's images to keep with the case (their sha256 are in the 委托)."""

    signature_png: bytes | None
    paper_jpeg: bytes | None


def _iso_day(text: object, fallback: QDate) -> QDate:
    day = QDate.fromString(str(text), "yyyy-MM-dd")
    return day if day.isValid() else fallback


class AuthorizationForm(QGroupBox):
    #: The photo of the paper 委托书 was taken (or taken again).
    paper_did_change = Signal()

    def __init__(  # noqa: PLR0915 - the form's fields, one statement each
        self, staff_name: str, staff_no: str, capture_paper: CapturePaper | None, today: date
    ) -> None:
        super().__init__("委托（委托书）")
        self.setObjectName("authorization-form")
        self._staff_name = staff_name
        self._staff_no = staff_no
        self._matter_boxes: dict[str, QCheckBox] = {}
        self._current_matter = ""
        self._capture = capture_paper
        self._paper: bytes | None = None
        #: The 委托 a case made again from a 需处理 one brings along (its consent already attached), else ``None``.
        self.kept: dict[str, Any] | None = None
        outer = QVBoxLayout(self)
        self.kept_box = QWidget()
        self.kept_box.setObjectName("kept-authorization")
        kept_row = QHBoxLayout(self.kept_box)
        kept_row.setContentsMargins(0, 0, 0, 0)
        self.kept_label = QLabel("")
        self.kept_label.setObjectName("kept-authorization-text")
        self.kept_label.setWordWrap(True)
        self.retake_button = QPushButton("重新填写委托")
        self.retake_button.setObjectName("retake-authorization")
        kept_row.addWidget(self.kept_label, 1)
        kept_row.addWidget(self.retake_button)
        self.kept_box.setVisible(False)
        outer.addWidget(self.kept_box)
        #: Everything typed, ticked and signed (hidden while a kept 委托 stands in for it).
        self.editable = QWidget()
        self.editable.setObjectName("authorization-editable")
        body = QVBoxLayout(self.editable)
        body.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.editable)
        form = QFormLayout()
        form.setVerticalSpacing(8)
        self.grantee_is_staff = QCheckBox(f"受托人为帮办代办员本人（{staff_name}）")
        self.grantee_is_staff.setObjectName("grantee-is-staff")
        self.grantee_is_staff.setChecked(True)
        self.grantee_name = MaskedLineEdit(mask_name, "grantee-name")
        self.grantee_name.setAccessibleName("受托人姓名")
        self.grantee_id = MaskedLineEdit(mask_id_number, "grantee-id")
        self.grantee_id.setAccessibleName("受托人身份证号码")
        self.grantee_phone = MaskedLineEdit(mask_phone, "grantee-phone")
        self.grantee_phone.setAccessibleName("受托人电话")
        self.relationship = QComboBox()
        self.relationship.setObjectName("relationship")
        self.relationship.setEditable(True)
        self.relationship.addItems(RELATIONSHIPS)
        self.relationship.setAccessibleName("委托人与受托人的关系")
        self.not_needed = QCheckBox("不需委托：办事人本人在场，自己办理（仅限环节帮办）")
        self.not_needed.setObjectName("no-authorization")
        self.matters_box = QWidget()
        self.matters_box.setObjectName("matters")
        self.matters = QVBoxLayout(self.matters_box)
        self.matters.setContentsMargins(0, 0, 0, 0)
        self.matters.setSpacing(2)
        self.matters_note = QLabel("逐项勾选，不能“全权委托”；一份委托可涵盖同一办事人的几件事项")
        self.matters_note.setProperty("role", "muted")
        self.matters_note.setWordWrap(True)
        self.valid_from = QDateEdit()
        self.valid_from.setObjectName("valid-from")
        self.valid_from.setCalendarPopup(True)
        self.valid_from.setDisplayFormat("yyyy-MM-dd")
        self.valid_until = QDateEdit()
        self.valid_until.setObjectName("valid-until")
        self.valid_until.setCalendarPopup(True)
        self.valid_until.setDisplayFormat("yyyy-MM-dd")
        self.until_closed = QCheckBox("至事项办结为止")
        self.until_closed.setObjectName("until-closed")
        self.until_closed.setChecked(True)
        self.sub_delegation = QCheckBox("允许转委托")
        self.sub_delegation.setObjectName("sub-delegation")
        validity = QHBoxLayout()
        validity.addWidget(self.valid_from)
        validity.addWidget(QLabel("至"))
        validity.addWidget(self.valid_until)
        validity.addWidget(self.until_closed)
        validity.addStretch(1)
        form.addRow(self.not_needed)
        form.addRow(self.grantee_is_staff)
        form.addRow("受托人姓名", self.grantee_name)
        form.addRow("受托人身份证", self.grantee_id)
        form.addRow("受托人电话", self.grantee_phone)
        form.addRow("关系", self.relationship)
        form.addRow("委托事项", self.matters_box)
        form.addRow(self.matters_note)
        form.addRow("有效期", validity)
        form.addRow(self.sub_delegation)
        body.addLayout(form)

        consent_title = QLabel("委托人确认（至少一种）")
        consent_title.setProperty("role", "heading")
        self.use_signature = QCheckBox("委托人在屏幕上签名")
        self.use_signature.setObjectName("consent-signature")
        self.pad = SignaturePad(DESKTOP)
        self.pad.setMinimumHeight(120)
        self.pad.setAccessibleName("委托人签名区")
        self.clear_pad = QPushButton("重签")
        self.clear_pad.setObjectName("clear-signature")
        self.paper_button = QPushButton("拍摄纸质委托书")
        self.paper_button.setObjectName("capture-paper")
        self.paper_button.setEnabled(capture_paper is not None)
        paper_hint = "已签字的纸质委托书放在文档摄像头下拍摄（自动拉正）"
        self.paper_note = QLabel(paper_hint if capture_paper else "本机无文档摄像头")
        self.paper_note.setProperty("role", "muted")
        self.in_person = QCheckBox("委托人本人在场（已读取其身份证）")
        self.in_person.setObjectName("consent-in-person")
        sign_row = QHBoxLayout()
        sign_row.addWidget(self.use_signature)
        sign_row.addStretch(1)
        sign_row.addWidget(self.clear_pad)
        paper_row = QHBoxLayout()
        paper_row.addWidget(self.paper_button)
        paper_row.addWidget(self.paper_note, 1)
        self.error = QLabel("")
        self.error.setObjectName("authorization-error")
        self.error.setProperty("role", "error")
        self.error.setWordWrap(True)
        self.error.setVisible(False)
        for part in (consent_title,):
            body.addWidget(part)
        body.addLayout(sign_row)
        body.addWidget(self.pad)
        body.addLayout(paper_row)
        body.addWidget(self.in_person)
        outer.addWidget(self.error)

        first = QDate(today.year, today.month, today.day)  # the hall's day (the desk's clock), not the laptop's
        self.valid_from.setDate(first)
        self.valid_until.setDate(first.addMonths(3))
        self.valid_until.setEnabled(False)
        self.until_closed.toggled.connect(lambda on: self.valid_until.setEnabled(not on))
        self.grantee_is_staff.toggled.connect(self._grantee_changed)
        self.not_needed.toggled.connect(self._needed_changed)
        self.pad.signature_did_change.connect(self._signed)
        self.clear_pad.clicked.connect(self.pad.clear)
        self.paper_button.clicked.connect(self.capture_paper)
        self.retake_button.clicked.connect(lambda: self.keep(None))
        self._grantee_changed(True)

    def _signed(self, signed: bool) -> None:
        if signed:
            self.use_signature.setChecked(True)

    def _grantee_changed(self, staff: bool) -> None:
        self.grantee_name.setEnabled(not staff)
        if staff:
            self.grantee_name.set_value(self._staff_name)
            self.relationship.setCurrentText(RELATIONSHIPS[0])

    def _needed_changed(self, not_needed: bool) -> None:
        for child in self.findChildren(QWidget):
            if child is not self.not_needed and child.parent() is not None:
                child.setEnabled(not not_needed)
        self.not_needed.setEnabled(True)
        if not not_needed:
            self._grantee_changed(self.grantee_is_staff.isChecked())
            current = self._matter_boxes.get(self._current_matter)
            if current is not None:
                current.setEnabled(False)  # the matter being handled stays ticked

    def set_services(self, services: list[Service], current: str) -> None:
        """The matters to tick: the one being handled (ticked, fixed), the others of the catalog to add."""
        self._current_matter = current
        for service in services:
            if service.code not in self._matter_boxes:
                made = QCheckBox(f"{service.name.zh}（{service.code}）")
                made.setObjectName(f"matter-{service.code}")
                made.setMinimumHeight(DESKTOP.target_px)
                self._matter_boxes[service.code] = made
                self.matters.addWidget(made)
                made.setVisible(True)
            box = self._matter_boxes[service.code]
            if service.code == current:
                box.setChecked(True)
            box.setEnabled(service.code != current)

    def capture_paper(self) -> bool:
        if self._capture is None:
            return False
        photo = self._capture()
        if not photo:
            self.paper_note.setText("没有拍到委托书：请放平、放在画面中间后再拍")
            return False
        self._set_paper(photo)
        return True

    def _set_paper(self, photo: bytes) -> None:
        self._paper = photo
        self.paper_note.setText(f"已拍摄纸质委托书（{len(photo) // 1024} KB，已加密保存）")
        self.paper_did_change.emit()

    # -- kept with the case, sealed, put back ---------------------------------------------------------------

    def keep(self, record: dict[str, Any] | None, summary: str = "") -> None:
        """Show the 委托 the case already carries (``None``: fill in a new one); everything else waits."""
        self.kept = record
        self.kept_box.setVisible(record is not None)
        self.kept_label.setText(f"沿用原委托（签名、照片已随案件加密保存）：{summary}" if record else "")
        self.editable.setVisible(record is None)
        self.error.setVisible(False)
        self.paper_did_change.emit()

    def snapshot(self) -> tuple[dict[str, Any], dict[str, bytes]]:
        """The form as it stands, the signature's strokes included, and the paper photo."""
        values = {
            "not_needed": self.not_needed.isChecked(),
            "grantee_is_staff": self.grantee_is_staff.isChecked(),
            "grantee_name": self.grantee_name.value(),
            "grantee_id": self.grantee_id.value(),
            "grantee_phone": self.grantee_phone.value(),
            "relationship": self.relationship.currentText(),
            "matters": [code for code, box in self._matter_boxes.items() if box.isChecked()],
            "valid_from": self.valid_from.date().toString("yyyy-MM-dd"),
            "valid_until": self.valid_until.date().toString("yyyy-MM-dd"),
            "until_closed": self.until_closed.isChecked(),
            "sub_delegation": self.sub_delegation.isChecked(),
            "use_signature": self.use_signature.isChecked(),
            "strokes": strokes_of(self.pad),
            "in_person": self.in_person.isChecked(),
            "kept": self.kept,
            "kept_summary": self.kept_label.text().partition("：")[2],
        }
        return values, ({"paper": self._paper} if self._paper else {})

    def restore(self, values: dict[str, Any], blobs: dict[str, bytes]) -> None:
        """Put a sealed form back (after :meth:`set_services`, so the matters to tick are there)."""
        self.grantee_is_staff.setChecked(bool(values.get("grantee_is_staff", True)))
        if not self.grantee_is_staff.isChecked():
            self.grantee_name.set_value(str(values.get("grantee_name", "")))
        self.grantee_id.set_value(str(values.get("grantee_id", "")))
        self.grantee_phone.set_value(str(values.get("grantee_phone", "")))
        self.relationship.setCurrentText(str(values.get("relationship", RELATIONSHIPS[0])))
        matters = values.get("matters")
        for code, box in self._matter_boxes.items():
            if box.isEnabled() and isinstance(matters, list):
                box.setChecked(code in matters)
        self.valid_from.setDate(_iso_day(values.get("valid_from"), self.valid_from.date()))
        self.valid_until.setDate(_iso_day(values.get("valid_until"), self.valid_until.date()))
        self.until_closed.setChecked(bool(values.get("until_closed", True)))
        self.sub_delegation.setChecked(bool(values.get("sub_delegation", False)))
        if not self.pad.has_signature():
            draw_strokes(self.pad, values.get("strokes"))
        self.use_signature.setChecked(bool(values.get("use_signature", False)))
        self.in_person.setChecked(bool(values.get("in_person", False)))
        if blobs.get("paper"):
            self._set_paper(blobs["paper"])
        self.not_needed.setChecked(bool(values.get("not_needed", False)))
        kept = values.get("kept")
        if isinstance(kept, dict):
            self.keep(kept, str(values.get("kept_summary", "")))

    def _fail(self, message: str) -> AuthorizationError:
        self.error.setText(message)
        self.error.setVisible(True)
        return AuthorizationError(message)

    def _agent(self) -> wire.Party:
        name = self._staff_name if self.grantee_is_staff.isChecked() else self.grantee_name.value()
        return wire.Party(
            name.strip(),
            self.grantee_id.value().strip().upper(),
            self.grantee_phone.value().replace(" ", ""),
            self._staff_no if self.grantee_is_staff.isChecked() else None,
        )

    def authorization(
        self, grantor: Resident, service_code: str, proxy_allowed: bool, today: date, *, card_read: bool
    ) -> tuple[dict[str, Any] | None, Consent]:
        """The 委托 (wire form) to seal with the case and the consent's images, or :class:`AuthorizationError`
        saying what to change; ``None`` when the resident acts for themself in 环节帮办. A kept 委托 is checked
        again (the resident, the matter, the dates) and comes back without images: they are attached already."""
        if self.kept is not None:
            return self._kept_authorization(grantor, service_code, proxy_allowed, today), Consent(None, None)
        if self.not_needed.isChecked():
            self.error.setVisible(False)
            return None, Consent(None, None)
        matters = [code for code, box in self._matter_boxes.items() if box.isChecked()]
        signed = self.use_signature.isChecked() and self.pad.has_signature()
        if self.use_signature.isChecked() and not signed:
            raise self._fail("已选择屏幕签名，但还没有签名：请委托人在签名区签名")
        present = self.in_person.isChecked()
        if present and not card_read:
            raise self._fail("“委托人本人在场”须先读取委托人的身份证")
        signature = self.pad.to_png() if signed else None
        consent: list[dict[str, Any]] = []
        if signature:
            consent.append({"kind": "signature", "sha256": hashlib.sha256(signature).hexdigest()})
        if self._paper:
            consent.append({"kind": "paper_photo", "sha256": hashlib.sha256(self._paper).hexdigest()})
        if present:
            consent.append({"kind": "principal_present", "card_read": card_read})
        if not consent:
            raise self._fail("请取得委托人的确认：屏幕签名、拍摄纸质委托书，或本人在场并读取身份证")
        until = None if self.until_closed.isChecked() else _day(self.valid_until)
        record = {
            "authorization_id": wire.new_authorization_id(),
            "principal": {"name": grantor.name, "id_number": grantor.id_number, "phone": grantor.phone},
            "agent": self._agent().to_json(),
            "relationship": self.relationship.currentText().strip(),
            "matters": matters,
            "valid_from": _day(self.valid_from).isoformat(),
            "valid_until": until.isoformat() if until else wire.UNTIL_CLOSED,
            "sub_delegation": self.sub_delegation.isChecked(),
            "consent": consent,
        }
        try:
            parsed = wire.parse_authorization(record)
        except wire.AuthorizationError as exc:
            raise self._fail(str(exc)) from None
        refused = wire.refusal(parsed, service_code, proxy_allowed, today)
        if refused:
            raise self._fail(refused)
        self.error.setVisible(False)
        return parsed.to_json(), Consent(signature, self._paper)

    def _kept_authorization(
        self, grantor: Resident, service_code: str, proxy_allowed: bool, today: date
    ) -> dict[str, Any]:
        assert self.kept is not None
        try:
            parsed = wire.parse_authorization(self.kept)
        except wire.AuthorizationError as exc:
            raise self._fail(f"原委托无法使用：{exc}；请按“重新填写委托”") from None
        if parsed.principal.id_number != grantor.id_number:
            raise self._fail("原委托的委托人不是本案的办事人：请按“重新填写委托”")
        refused = wire.refusal(parsed, service_code, proxy_allowed, today)
        if refused:
            raise self._fail(f"{refused}；请按“重新填写委托”")
        self.error.setVisible(False)
        return parsed.to_json()
