"""The technician's camera pages: the camera test (the live picture, a QR code it reads framed in green) and
扫码接入平台 (the picture until an enrolment code is in it, checked with its platform and written by the hall).

Both show the hall's preview a few times a second while the page is up (:class:`LivePicture`); the picture stops
when the technician leaves the page (its timer is deleted with the page's widgets).
"""

from __future__ import annotations

from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QColor, QImage, QPainter, QPen, QPixmap, QPolygon
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from accessibility.themes import Theme
from kiosk.visit.ports import HallError, Notice, TechnicianDesk
from kiosk.visit.strings import Texts
from ui.bridge import MainThreadBridge
from ui.parts import label
from ui.shell import KioskWindow, OverlayButton

#: How often the picture is renewed, and the picture's size (the hall's preview width).
CAMERA_INTERVAL_MS = 300
PREVIEW_SIZE = (640, 360)
#: The camera's picture (JPEG) and the corners of a QR code in it (empty: none seen).
CameraView = tuple[bytes, tuple[tuple[int, int], ...]]


class LivePicture:
    """A picture label renewed from ``desk.camera_view`` while it exists; one picture in flight at a time.

    ``seen(view)`` runs after each picture is shown (``None``: the camera gave none); it may hold the next
    picture back (``busy``) while it checks what it saw.
    """

    def __init__(
        self,
        bridge: MainThreadBridge,
        desk: TechnicianDesk,
        texts: Texts,
        name: str,
        seen: Callable[[CameraView | None], None],
    ) -> None:
        self.bridge, self.desk, self.texts, self.seen = bridge, desk, texts, seen
        self.widget = QLabel(texts("tech.camera_none"))
        self.widget.setObjectName(name)
        self.widget.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.widget.setMinimumSize(PREVIEW_SIZE[0] // 2, PREVIEW_SIZE[1] // 2)
        self.busy = False
        timer = QTimer(self.widget)  # deleted with the page: the picture stops when the technician leaves
        timer.setInterval(CAMERA_INTERVAL_MS)
        # A lambda, not the bound method: the connection then holds this object for as long as the timer lives
        # (a bound method alone would not keep it from the garbage collector, and the picture would stop).
        timer.timeout.connect(lambda: self._ask())  # noqa: PLW0108 - the lambda holds self (see above)
        timer.start()
        self._ask()

    def alive(self) -> bool:
        return shiboken6.isValid(self.widget)

    def _ask(self) -> None:
        if not self.busy:
            self.busy = True
            self.bridge.run_in_worker(self.desk.camera_view, self._show, lambda _exc: self._show(None))

    def _show(self, view: CameraView | None) -> None:
        self.busy = False
        if not self.alive():  # the technician has left the page
            return
        if view is None:
            self.widget.setText(self.texts("tech.camera_none"))
        else:
            data, corners = view
            image = QImage.fromData(data)
            if corners:
                painter = QPainter(image)
                painter.setPen(QPen(QColor("#00c853"), 8))
                painter.drawPolygon(QPolygon([QPoint(x, y) for x, y in corners]))
                painter.end()
            self.widget.setPixmap(QPixmap.fromImage(image))
        self.seen(view)


def plain_column(theme: Theme, *children: QWidget) -> QWidget:
    """A column on the overlay's own colour (a plain widget would paint the screen's background there)."""
    holder = QWidget()
    holder.setObjectName("technician-column")
    column = QVBoxLayout(holder)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(theme.spacing_px)
    for child in children:
        if not child.objectName():
            child.setObjectName("technician-column")
        column.addWidget(child)
    holder.setStyleSheet(f"QWidget#technician-column {{ background: {theme.palette.surface}; }}")
    return holder


def camera_test_page(
    window: KioskWindow,
    *,
    theme: Theme,
    texts: Texts,
    desk: TechnicianDesk,
    bridge: MainThreadBridge,
    back: Callable[[], None],
) -> None:
    """The camera's live picture, a few times a second; a QR code it reads is framed in green."""
    seen_label = label(texts("tech.camera_no_qr"), "heading", center=True)
    seen_label.setObjectName("technician-camera-qr")
    recorded = [False]

    def seen(view: CameraView | None) -> None:
        if not recorded[0]:
            recorded[0] = True
            desk.device_tested("camera", view is not None)
        if view is not None:
            text = texts("tech.camera_qr_seen" if view[1] else "tech.camera_no_qr")
            seen_label.setText(text)
            seen_label.setAccessibleName(text)

    picture = LivePicture(bridge, desk, texts, "technician-camera-picture", seen)
    window.show_overlay(
        theme,
        texts("tech.test_camera"),
        texts("tech.camera_prompt"),
        [OverlayButton(texts("tech.back"), back, "tech-back", "secondary")],
        name="technician-camera",
        extra=plain_column(theme, picture.widget, seen_label),
    )


def enrolment_page(
    window: KioskWindow,
    *,
    theme: Theme,
    texts: Texts,
    desk: TechnicianDesk,
    bridge: MainThreadBridge,
    back: Callable[[], None],
    joined: Callable[[Notice], None],
) -> None:
    """The camera's picture until an enrolment code is in it; the hall checks it with its platform and writes
    it, and ``joined`` gets the answer; a code refused is said here, and the page keeps looking."""
    status = label(texts("tech.enrol_waiting"), "heading", center=True)
    status.setObjectName("technician-enrol-status")

    def seen(view: CameraView | None) -> None:
        if view is None or not view[1]:
            return
        picture.busy = True  # no new picture while the code is checked

        def answered(notice: Notice | None) -> None:
            picture.busy = False
            if notice is not None and picture.alive():
                joined(notice)

        def refused(exc: Exception) -> None:
            picture.busy = False
            if picture.alive():
                notice = exc.notice if isinstance(exc, HallError) else Notice(str(exc))
                text = notice.text(texts) if isinstance(exc, HallError) else str(exc)
                status.setText(text)
                status.setAccessibleName(text)

        bridge.run_in_worker(desk.scan_enrolment, answered, refused)

    picture = LivePicture(bridge, desk, texts, "technician-enrol-picture", seen)
    window.show_overlay(
        theme,
        texts("tech.enrol"),
        texts("tech.enrol_prompt"),
        [OverlayButton(texts("tech.back"), back, "tech-back", "secondary")],
        name="technician-enrol",
        extra=plain_column(theme, picture.widget, status),
    )
