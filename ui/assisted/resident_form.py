"""The resident (办事人) of a new case: read from the ID card or typed, checked (GB 11643), shown masked."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QGroupBox, QHBoxLayout, QLabel, QPushButton

from kiosk.assisted.resident import Resident, ResidentError, resident_from_input
from kiosk.visit.identity import mask_id_number, mask_name, mask_phone
from ui.assisted.desk import ReadCard
from ui.assisted.masked_field import MaskedLineEdit


class ResidentForm(QGroupBox):
    """Name, ID number, phone; ``resident()`` checks them and names the first wrong field."""

    resident_did_change = Signal()

    def __init__(self, read_card: ReadCard | None) -> None:
        super().__init__("办事人（委托人）")
        self.setObjectName("resident-form")
        self._read_card = read_card
        self._from_card = False
        form = QFormLayout(self)
        form.setVerticalSpacing(8)
        self.name = MaskedLineEdit(mask_name, "resident-name")
        self.name.setAccessibleName("办事人姓名")
        self.id_number = MaskedLineEdit(mask_id_number, "resident-id")
        self.id_number.setAccessibleName("办事人身份证号码")
        self.phone = MaskedLineEdit(mask_phone, "resident-phone")
        self.phone.setAccessibleName("办事人电话")
        self.card_button = QPushButton("读取身份证")
        self.card_button.setObjectName("read-card")
        self.card_button.setEnabled(read_card is not None)
        if read_card is None:
            self.card_button.setToolTip("本机未连接读卡器：请手工录入")
        card_hint = "身份证放在读卡器上后按此键；没有读卡器时请手工录入"
        self.card_note = QLabel(card_hint if read_card else "本机无读卡器：手工录入")
        self.card_note.setProperty("role", "muted")
        self.card_note.setWordWrap(True)
        self.error = QLabel("")
        self.error.setObjectName("resident-error")
        self.error.setProperty("role", "error")
        self.error.setWordWrap(True)
        self.error.setVisible(False)
        card_row = QHBoxLayout()
        card_row.addWidget(self.card_button)
        card_row.addWidget(self.card_note, 1)
        form.addRow(card_row)
        form.addRow("姓名", self.name)
        form.addRow("身份证号码", self.id_number)
        form.addRow("联系电话", self.phone)
        form.addRow(self.error)
        self.card_button.clicked.connect(self.read_card)
        for field in (self.name, self.id_number, self.phone):
            field.editingFinished.connect(self._typed)

    def _typed(self) -> None:
        self._from_card = False
        self.resident_did_change.emit()

    def read_card(self) -> bool:
        if self._read_card is None:
            return False
        read = self._read_card()
        if read is None:
            self.show_error("没有读到身份证：请把证件放稳在读卡器上再试，或手工录入")
            return False
        name, number = read
        self.name.set_value(name)
        self.id_number.set_value(number)
        self._from_card = True
        self.error.setVisible(False)
        self.card_note.setText("已读取身份证")
        self.resident_did_change.emit()
        return True

    def fill(self, resident: Resident) -> None:
        self.name.set_value(resident.name)
        self.id_number.set_value(resident.id_number)
        self.phone.set_value(resident.phone)
        self._from_card = resident.identified_by == "id_card"

    @property
    def from_card(self) -> bool:
        return self._from_card

    def resident_or_none(self) -> Resident | None:
        """The resident if what is typed checks out, without saying anything (for prefilling as one types)."""
        try:
            return resident_from_input(self.name.value(), self.id_number.value(), self.phone.value())
        except ResidentError:
            return None

    def resident(self) -> Resident:
        """The checked resident, else :class:`ResidentError` (also shown under the fields)."""
        try:
            resident = resident_from_input(
                self.name.value(),
                self.id_number.value(),
                self.phone.value(),
                identified_by="id_card" if self._from_card else "typed",
            )
        except ResidentError as exc:
            self.show_error(str(exc))
            {"name": self.name, "id_number": self.id_number, "phone": self.phone}.get(exc.field, self.name).setFocus()
            raise
        self.error.setVisible(False)
        return resident

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(True)
