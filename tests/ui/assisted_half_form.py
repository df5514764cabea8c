"""A case form filled most of the way, as a staff member fills it, then left without saving by hand: shared by
the in-process test and the worker that is SIGKILLed (``assisted_form_worker.py``)."""

from __future__ import annotations

from PySide6.QtCore import QDate, QPointF
from PySide6.QtWidgets import QComboBox, QLineEdit

from ui.assisted.case_editor import CaseEditor
from ui.assisted.showcase import demo_id_number
from ui.assisted.window import AssistedWindow
from ui.signature import SignaturePad

PAPER = b"\xff\xd8\xff\xe0 paper authorization photo " + bytes(range(256)) * 40
NAME = "张桂兰"
RESIDENT_ID = demo_id_number(7)
GRANTEE_ID = demo_id_number(99, born=1980)
ADDRESS = "河北省保定市某县城关镇幸福村3组12号"


def fill_half(window: AssistedWindow) -> CaseEditor:
    """新建案件, the matter, the resident, most of the 委托 with its signature and paper photo, and most of the
    matter's questions with its signature. The form seals itself a moment later (``form_did_seal``)."""
    window.case_list.new_button.click()
    editor = window.page
    assert isinstance(editor, CaseEditor)
    editor.choose_service("GLJT-01")
    form = editor.resident
    for field, text in ((form.name, NAME), (form.id_number, RESIDENT_ID), (form.phone, "13900000007")):
        field.setFocus()
        field.setText(text)
    editor.service_box.setFocus()
    form.resident_did_change.emit()
    auth = editor.authorization
    auth.grantee_id.set_value(GRANTEE_ID)
    auth.grantee_phone.set_value("13800000099")
    auth.until_closed.setChecked(False)
    auth.valid_until.setDate(QDate(2027, 3, 31))
    auth.sub_delegation.setChecked(True)
    auth.pad.add_stroke([QPointF(10, 10), QPointF(80, 40), QPointF(140, 20)])
    auth.pad.add_stroke([QPointF(30, 60), QPointF(90, 70)])
    assert auth.capture_paper()
    fields = editor.fields
    assert fields is not None
    address = fields.widget("address")
    assert isinstance(address, QLineEdit)
    address.setText(ADDRESS)
    payout = fields.widget("payout")
    assert isinstance(payout, QComboBox)
    payout.setCurrentIndex(payout.findData("sscard"))
    pad = fields.widget("signature")
    assert isinstance(pad, SignaturePad)
    pad.add_stroke([QPointF(5, 5), QPointF(60, 30)])  # the last change; the form is sealed a moment later
    return editor
