"""After submitting: working, the result (case number, or saved offline), and the receipt (paper and QR)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from kiosk.visit.views import ReceiptView, ResultView, SubmittingView
from ui.parts import Panes, ScreenContext, button, card, label, row
from ui.qr_image import qr_pixmap


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
    panes = Panes(ctx)
    info, action = panes.info, panes.action
    info.addWidget(label(view.service_name, "small"))
    info.addWidget(label(view.title, "heading"))
    if view.case_no:
        number = label(view.case_no, "title", wrap=False, center=True)
        number.setObjectName("ticket-number" if view.kind == "ticket" else "case-number")
        info.addWidget(number)
    info.addWidget(card(ctx.theme, label(view.message)))
    if view.rows:
        action.addWidget(card(ctx.theme, *(label(f"{key}：{value}") for key, value in view.rows)))
    if view.next_steps and view.kind in ("accepted", "queued"):
        action.addWidget(card(ctx.theme, label(ctx.texts("result.next_steps"), "small"), label(view.next_steps)))
    action.addStretch(1)
    if view.kind in ("accepted", "queued", "query", "ticket"):
        action.addWidget(button(ctx.texts("receipt.print"), ctx.actions.print_receipt, "success", name="print"))
    action.addWidget(button(ctx.texts("receipt.done"), ctx.actions.finish_receipt, "secondary", name="done"))
    return panes.finish(fill=False)


def build_receipt(view: ReceiptView, ctx: ScreenContext) -> QWidget:
    panes = Panes(ctx)
    info, action = panes.info, panes.action
    info.addWidget(label(ctx.texts("receipt.title"), "heading"))
    status = label(view.message, "error" if view.state in ("paper_out", "failed") else "")
    status.setObjectName("receipt-status")
    info.addWidget(status)
    if view.case_no:
        info.addWidget(label(view.case_no, "heading", wrap=False, center=True))
    if view.e_receipt:
        code = QLabel()
        code.setObjectName("e-receipt")
        code.setAlignment(Qt.AlignmentFlag.AlignCenter)
        code.setPixmap(qr_pixmap(view.e_receipt, ctx.theme.target_px * 4))
        action.addWidget(code)
        action.addWidget(label(ctx.texts("receipt.e_receipt"), center=True))
    action.addStretch(1)
    actions = []
    if view.state in ("paper_out", "failed", "idle"):
        actions.append(button(ctx.texts("receipt.print"), ctx.actions.print_receipt, "secondary", name="print"))
    actions.append(button(ctx.texts("receipt.done"), ctx.actions.finish_receipt, "success", name="done"))
    action.addWidget(row(ctx.theme, *actions))
    return panes.finish(fill=False)
