"""One question per page: the right input for each field kind, big enough to use without reading glasses."""

from __future__ import annotations

from functools import partial

import shiboken6
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QLabel, QWidget

from kiosk.visit.views import FieldView
from ui.entry import keyboard_entry, keypad_entry
from ui.parts import Panes, ScreenContext, button, column, label, row
from ui.signature import SignaturePad

PREVIEW_INTERVAL_MS = 400


def build(view: FieldView, ctx: ScreenContext) -> QWidget:
    t = ctx.texts
    kind = view.field.kind
    panes = Panes(ctx, split=kind != "text")  # a keyboard needs the whole width to keep its keys big
    info = panes.info
    step = label(f"{view.service_name} · {t('form.step', step=view.step, steps=view.steps)}", "small")
    heading = label(view.label, "heading")
    if kind == "text" and ctx.landscape:
        # the question and the answer on one line, the keyboard under them at the bottom of the glass; an error
        # takes the place of the step line, so nothing below it moves
        shown, keyboard = keyboard_entry(view, ctx)
        said = [heading, _error(view.error)] if view.error else [step, heading]
        if view.help and not view.error:
            said.append(label(view.help))
        said_column = column(ctx.theme, *said, margins=False, stretch_end=False)
        half = ctx.theme.spacing_px // 2
        said_layout = said_column.layout()
        assert said_layout is not None
        said_layout.setSpacing(half)
        info.addWidget(row(ctx.theme, said_column, shown))
        panes.action.addWidget(keyboard, 1)
        screen_layout = panes.screen.layout()
        assert screen_layout is not None
        margins = screen_layout.contentsMargins()
        screen_layout.setContentsMargins(margins.left(), half, margins.right(), half)
        return panes.finish(fill=False)
    if kind == "text":
        shown, keyboard = keyboard_entry(view, ctx)
        info.addWidget(step)
        info.addWidget(heading)
    else:
        info.addWidget(step)
        info.addWidget(heading)
    if view.captured is not None:
        info.addWidget(label(t("form.check_photo")))
    elif view.help:
        info.addWidget(label(view.help))
    if view.error:
        info.addWidget(_error(view.error))
    if kind == "text":
        panes.action.addWidget(shown)
        panes.action.addWidget(keyboard, 1)  # the keyboard takes the spare room and keeps its keys at the bottom
        return panes.finish(fill=False)
    return panes.finish(fill=_add_input(view, ctx, panes))


def _error(text: str) -> QLabel:
    """The error banner: plain text, wrapped, no taller than its lines need."""
    error = label(text, "error", wrap=False)
    error.setWordWrap(True)
    error.setObjectName("field-error")
    return error


def _add_input(view: FieldView, ctx: ScreenContext, panes: Panes) -> bool:
    """The answer part of the page; True when the page should keep its content at the top."""
    t, theme, action = ctx.texts, ctx.theme, panes.action
    kind = view.field.kind
    if kind == "choice":
        for choice in view.field.choices:
            text = choice.label.get(t.language)
            chosen = "✔ " if choice.value == view.value else ""
            action.addWidget(
                button(
                    chosen + text, partial(ctx.actions.answer, choice.value), "secondary", name=f"choice-{choice.value}"
                )
            )
        return True
    if kind == "yes_no":
        action.addWidget(
            row(
                theme,
                button(t("form.yes"), lambda: ctx.actions.answer("yes"), "secondary", name="choice-yes"),
                button(t("form.no"), lambda: ctx.actions.answer("no"), "secondary", name="choice-no"),
            )
        )
        return True
    if kind in ("number", "phone", "id_number", "date", "bank_account"):
        shown, keypad = keypad_entry(view, ctx)
        if not ctx.landscape:
            action.addStretch(1)  # the keypad stands at the bottom: an error or a hint above never moves it
        (panes.info if ctx.landscape else action).addWidget(shown)
        action.addWidget(keypad)
        return ctx.landscape
    if kind == "signature":
        pad = SignaturePad(theme)
        action.addWidget(pad, 1)

        # 下一步 is never greyed out: tapped before signing, the step says (and speaks) what is missing.
        def signed() -> None:
            if pad.has_signature():
                ctx.actions.answer_file("signature", pad.to_png())
            else:
                ctx.actions.answer("")  # the flow says what is missing: the signature

        done = button(t("shell.next"), signed, name="next")
        action.addWidget(row(theme, button(t("form.sign_clear"), pad.clear, "secondary", name="sign-clear"), done))
        return False
    if view.captured is not None:  # the picture just taken: keep it, or take it again
        action.addWidget(_taken(view, ctx), 1)
        action.addWidget(
            row(
                theme,
                button(t("form.retake"), ctx.actions.retake, "secondary", name="retake"),
                button(t("form.use_photo"), ctx.actions.keep_capture, "success", name="use-photo"),
            )
        )
        return False
    # document or photo: what the camera sees, and the shutter
    action.addWidget(_preview(ctx), 1)
    action.addWidget(button(t("form.capture"), lambda: ctx.actions.capture(kind), "success", name="capture"))
    if not view.field.required:
        action.addWidget(button(t("shell.next"), lambda: ctx.actions.answer(""), "secondary", name="next"))
    return False


def _taken(view: FieldView, ctx: ScreenContext) -> QLabel:
    """The photo or scan as taken, as large as the page allows, so the person can judge it."""
    shown = QLabel()
    shown.setObjectName("captured-photo")
    shown.setProperty("role", "value")
    shown.setAlignment(Qt.AlignmentFlag.AlignCenter)
    shown.setMinimumHeight(ctx.theme.target_px * 3)
    shown.setAccessibleName(ctx.texts("form.check_photo"))
    image = QImage(str(view.captured)) if view.captured is not None else QImage()
    if not image.isNull():
        side = ctx.theme.target_px * 5
        shown.setPixmap(
            QPixmap.fromImage(image).scaled(
                side, side, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
            )
        )
    else:
        shown.setText(ctx.texts("form.captured"))
    return shown


def _preview(ctx: ScreenContext) -> QLabel:
    """What the camera sees, refreshed a few times a second, so the person can place the paper."""
    preview = QLabel(ctx.texts("form.camera_area"))
    preview.setObjectName("camera-preview")
    preview.setProperty("role", "value")
    preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
    preview.setMinimumHeight(ctx.theme.target_px * 3)
    request = ctx.camera_preview
    if request is None:
        return preview
    waiting = [False]

    def show(frame: bytes | None) -> None:
        waiting[0] = False
        if frame and shiboken6.isValid(preview):  # the page may have moved on meanwhile
            image = QImage.fromData(frame)
            preview.setPixmap(QPixmap.fromImage(image).scaledToWidth(640, Qt.TransformationMode.FastTransformation))

    def refresh() -> None:
        if not waiting[0]:  # one frame in flight at a time
            waiting[0] = True
            request(show)

    refresh()
    timer = QTimer(preview)
    timer.setInterval(PREVIEW_INTERVAL_MS)
    timer.timeout.connect(refresh)
    timer.start()
    return preview
