"""One question per page: the right input for each field kind, big enough to use without reading glasses."""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QLabel, QLineEdit, QVBoxLayout, QWidget

from kiosk.views import FieldView
from ui.entry import keyboard_entry, keypad_entry
from ui.parts import ScreenContext, button, label, row
from ui.signature import SignaturePad

PREVIEW_INTERVAL_MS = 400


def build(view: FieldView, ctx: ScreenContext) -> QWidget:
    t, theme = ctx.texts, ctx.theme
    screen = QWidget()
    layout = QVBoxLayout(screen)
    margin = theme.spacing_px * 2
    layout.setContentsMargins(margin, theme.spacing_px, margin, theme.spacing_px)
    layout.setSpacing(theme.spacing_px)
    layout.addWidget(label(f"{view.service_name} · {t('form.step', step=view.step, steps=view.steps)}", "small"))
    layout.addWidget(label(view.label, "heading"))
    if view.help:
        layout.addWidget(label(view.help))
    if view.error:
        error = label(view.error, "error")
        error.setObjectName("field-error")
        layout.addWidget(error)
    kind = view.field.kind
    if kind == "choice":
        for choice in view.field.choices:
            text = choice.label.get(t.language)
            chosen = "✔ " if choice.value == view.value else ""
            layout.addWidget(
                button(
                    chosen + text,
                    partial(ctx.actions.answer, choice.value),
                    "secondary",
                    name=f"choice-{choice.value}",
                )
            )
    elif kind == "yes_no":
        layout.addWidget(
            row(
                theme,
                button(t("form.yes"), lambda: ctx.actions.answer("yes"), "secondary", name="choice-yes"),
                button(t("form.no"), lambda: ctx.actions.answer("no"), "secondary", name="choice-no"),
            )
        )
    elif kind in ("number", "phone", "id_number", "date"):
        layout.addWidget(keypad_entry(view, ctx))
    elif kind == "text":
        layout.addWidget(keyboard_entry(view, ctx))
    elif kind == "signature":
        pad = SignaturePad(theme)
        layout.addWidget(pad, 1)
        done = button(t("shell.next"), lambda: ctx.actions.answer_file("signature", pad.to_png()), name="next")
        done.setEnabled(False)
        pad.signature_did_change.connect(done.setEnabled)
        layout.addWidget(row(theme, button(t("form.sign_clear"), pad.clear, "secondary", name="sign-clear"), done))
        return screen
    elif kind in ("document", "photo"):
        layout.addWidget(_preview(ctx), 1)
        layout.addWidget(button(t("form.capture"), lambda: ctx.actions.capture(kind), "success", name="capture"))
        if not view.field.required:
            layout.addWidget(button(t("shell.next"), lambda: ctx.actions.answer(""), "secondary", name="next"))
        return screen
    layout.addStretch(1)
    return screen


def _preview(ctx: ScreenContext) -> QLabel:
    """What the camera sees, refreshed a few times a second, so the person can place the paper."""
    preview = QLabel()
    preview.setObjectName("camera-preview")
    preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
    preview.setMinimumHeight(ctx.theme.target_px * 3)
    source = ctx.camera_preview

    def refresh() -> None:
        frame = source() if source else None
        if frame:
            image = QImage.fromData(frame)
            preview.setPixmap(QPixmap.fromImage(image).scaledToWidth(640, Qt.TransformationMode.FastTransformation))
        else:
            preview.setText(ctx.texts("form.camera_area"))
            preview.setProperty("role", "value")

    refresh()
    if source is not None:
        timer = QTimer(preview)
        timer.setInterval(PREVIEW_INTERVAL_MS)
        timer.timeout.connect(refresh)
        timer.start()
    return preview


def line_edit(value: str) -> QLineEdit:
    edit = QLineEdit(value)
    edit.setObjectName("field-input")
    return edit
