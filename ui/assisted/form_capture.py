"""Reading a case form's widgets into values that can be sealed, and putting them back (see
:mod:`kiosk.assisted.form_state`): signature strokes, the matter's own answers, signatures and photos, and a
watch that tells the form about every change a person makes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QPointF, Signal
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QDateEdit,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from kiosk.visit.catalog import FormField
from ui.assisted.masked_field import MaskedLineEdit
from ui.assisted.service_fields import CAPTURED, ServiceFields
from ui.signature import SignaturePad

Strokes = list[list[list[float]]]


def strokes_of(pad: SignaturePad) -> Strokes:
    """The pad's strokes as points (each stroke a list of ``[x, y]``), to be drawn again after a restart."""
    return [[[round(x, 1), round(y, 1)] for x, y in stroke] for stroke in pad.strokes()]


def draw_strokes(pad: SignaturePad, strokes: object) -> None:
    """Put sealed strokes back on an empty pad (anything unreadable is left out)."""
    if not isinstance(strokes, list):
        return
    for stroke in strokes:
        if isinstance(stroke, list):
            points = [QPointF(float(p[0]), float(p[1])) for p in stroke if isinstance(p, list) and len(p) == 2]
            pad.add_stroke(points)


def watch(root: QWidget, changed: Callable[[], None]) -> None:
    """Call ``changed`` whenever a person changes anything typed, chosen, ticked or signed under ``root``."""
    for line in root.findChildren(QLineEdit):
        line.textChanged.connect(changed)
    for box in root.findChildren(QComboBox):
        box.currentIndexChanged.connect(changed)
    for button in root.findChildren(QAbstractButton):
        if button.isCheckable():
            button.toggled.connect(changed)
    for day in root.findChildren(QDateEdit):
        day.dateChanged.connect(changed)
    for pad in root.findChildren(SignaturePad):
        pad.signature_did_change.connect(changed)
    for text in root.findChildren(QPlainTextEdit):
        text.textChanged.connect(changed)


class SealableServiceFields(ServiceFields):
    """The matter's questions, able to say all that is typed, signed and photographed, and to take it back.

    ``kept``: questions whose signature or photo is already an attachment of the case (a case made again from a
    需处理 one): they count as answered and are not attached a second time."""

    capture_did_change = Signal()
    #: Read while the base class builds the form, before ``__init__`` here has run.
    kept: frozenset[str] = frozenset()

    def __init__(self, *args: Any, kept: frozenset[str] = frozenset(), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.keep(kept)

    def keep(self, keys: frozenset[str]) -> None:
        self.kept = frozenset(k for k in keys if k in self._rows)
        for key in self.kept:
            label, _ = self._rows[key]
            if "已随原案件保存" not in label.text():
                label.setText(f"{label.text()}（已随原案件保存）")
        self._update_shown()

    def _raw(self, form_field: FormField) -> str:
        raw = super()._raw(form_field)
        return CAPTURED if not raw and form_field.key in self.kept else raw

    def _take(self, key: str, button: QPushButton) -> None:
        super()._take(key, button)
        self.capture_did_change.emit()

    def snapshot(self) -> tuple[dict[str, Any], dict[str, bytes]]:
        """Everything on the form now (hidden questions too) and its photos."""
        values: dict[str, str] = {}
        strokes: dict[str, Strokes] = {}
        for form_field in self.service.fields:
            widget = self.widget(form_field.key)
            if isinstance(widget, MaskedLineEdit):
                values[form_field.key] = widget.value()
            elif isinstance(widget, QLineEdit):
                values[form_field.key] = widget.text()
            elif isinstance(widget, QComboBox):
                values[form_field.key] = str(widget.currentData() or "")
            elif isinstance(widget, SignaturePad) and widget.has_signature():
                strokes[form_field.key] = strokes_of(widget)
        blobs = {f"field:{key}": data for key, data in self._captured.items()}
        return {"values": values, "strokes": strokes, "kept": sorted(self.kept)}, blobs

    def restore(self, snapshot: dict[str, Any], blobs: dict[str, bytes]) -> None:
        values = snapshot.get("values")
        if isinstance(values, dict):
            self.fill({k: str(v) for k, v in values.items() if v})
        strokes = snapshot.get("strokes")
        if isinstance(strokes, dict):
            for key, drawn in strokes.items():
                pad = self.widget(key)
                if isinstance(pad, SignaturePad) and not pad.has_signature():
                    draw_strokes(pad, drawn)
        for name, data in blobs.items():
            key = name.removeprefix("field:")
            button = self.widget(key)
            if name.startswith("field:") and isinstance(button, QPushButton):
                self._captured[key] = data
                button.setText(f"已拍摄（{len(data) // 1024} KB），重拍")
        kept = snapshot.get("kept")
        if isinstance(kept, list):
            self.keep(frozenset(str(k) for k in kept))
        self._update_shown()
