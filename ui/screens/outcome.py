"""After submitting: working, then the outcome (case number, or saved offline) with its paper and its QR code."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from kiosk.visit.views import ResultView, SubmittingView
from ui.parts import Panes, ScreenContext, button, card, label, row
from ui.qr_image import qr_pixmap

#: The e-receipt code is never drawn smaller than this (a phone held at arm's length must still read it).
QR_FLOOR_PX = 300


def build_submitting(view: SubmittingView, ctx: ScreenContext) -> QWidget:
    screen = QWidget()
    layout = QVBoxLayout(screen)
    margin = ctx.theme.spacing_px * 2
    layout.setContentsMargins(margin, ctx.theme.spacing_px, margin, ctx.theme.spacing_px)
    layout.addWidget(label(view.service_name, "small"))
    layout.addStretch(1)
    layout.addWidget(label(ctx.texts("submit.working"), "heading", center=True))
    layout.addStretch(1)
    return screen


def build_result(view: ResultView, ctx: ScreenContext) -> QWidget:
    """The outcome, its paper and its code on one screen; only 完成 leaves it (the idle warning is its only clock).

    Portrait: the outcome and the next steps on top, then the code beside how printing goes, then the buttons.
    Landscape: the outcome and the next steps on the left; the code and the buttons on the right.
    """
    t, theme = ctx.texts, ctx.theme
    panes = Panes(ctx)
    info, action = panes.info, panes.action
    title = label(view.title, "heading", wrap=False)
    title.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Minimum)
    service = label(view.service_name, "small")
    service.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom)
    service.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
    info.addWidget(row(theme, title, service))  # 已受理  高龄津贴申请: one line
    if view.case_no:
        number = label(view.case_no, "title", wrap=False, center=not view.number_label)
        number.setObjectName("ticket-number" if view.kind == "ticket" else "case-number")
        if view.number_label:  # 临时编号 LSU5TBP88Q: what the number is, on its line
            named = row(theme, label(view.number_label, "small", wrap=False), number)
            line = named.layout()
            assert line is not None
            line.setAlignment(Qt.AlignmentFlag.AlignCenter)
            for part in named.findChildren(QLabel):
                part.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Minimum)
            info.addWidget(named)
        else:
            info.addWidget(number)
    if view.message:
        message = label(view.message)
        message.setObjectName("result-message")
        info.addWidget(card(theme, message))
    if view.rows:
        info.addWidget(card(theme, *(label(f"{key}：{value}") for key, value in view.rows)))
    if view.next_steps:
        steps = label(view.next_steps)
        steps.setObjectName("next-steps")
        info.addWidget(card(theme, label(t("result.next_steps"), "small"), steps))
    slip = _slip(view, ctx)
    if slip is not None:
        action.addWidget(slip)
    action.addStretch(1)
    buttons: list[QWidget] = []
    if view.print_state in ("paper_out", "failed"):
        buttons.append(button(t("receipt.reprint"), ctx.actions.print_receipt, "secondary", name="print"))
    buttons.append(button(t("receipt.done"), ctx.actions.finish_receipt, "success", name="done"))
    action.addWidget(row(theme, *buttons))
    return panes.finish(fill=False)


def _slip(view: ResultView, ctx: ScreenContext) -> QWidget | None:
    """How printing goes beside the code a phone scans."""
    if view.print_state == "none" and not view.e_receipt:
        return None
    theme = ctx.theme
    parts: list[QWidget] = []
    if view.print_message:
        failed = view.print_state in ("paper_out", "failed")
        status = label(view.print_message, "error" if failed else "")
        status.setObjectName("receipt-status")
        parts.append(status)
    code: QLabel | None = None
    if view.e_receipt:
        code = QLabel()
        code.setObjectName("e-receipt")
        code.setAlignment(Qt.AlignmentFlag.AlignCenter)
        code.setPixmap(qr_pixmap(view.e_receipt, max(theme.target_px * 3, QR_FLOOR_PX)))
        code.setAccessibleName(view.e_receipt_caption)
        parts.append(label(view.e_receipt_caption))
    if code is None:
        return card(theme, *parts)
    holder = card(theme)
    side = QHBoxLayout()
    side.setSpacing(theme.spacing_px)
    side.addWidget(code, 0, Qt.AlignmentFlag.AlignTop)
    words = QVBoxLayout()  # layouts, not a widget: the card's surface shows through
    words.setSpacing(theme.spacing_px)
    for part in parts:
        words.addWidget(part)
    words.addStretch(1)
    side.addLayout(words, 1)
    layout = holder.layout()
    assert isinstance(layout, QVBoxLayout)
    layout.addLayout(side)
    return holder
