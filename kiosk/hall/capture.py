"""Document scans (高拍仪), photos and QR codes through the camera, with what to fix said in plain words."""

from __future__ import annotations

import logging
from collections.abc import Callable

import cv2

from devices.camera.camera import Camera
from devices.camera.errors import CameraError
from devices.camera.frames import Frame
from kiosk.hall.notices import CAMERA_UNAVAILABLE, quality_notice
from kiosk.hall.waits import ThreadWait
from kiosk.visit.ports import HallError

log = logging.getLogger(__name__)

PREVIEW_WIDTH = 640
DOCUMENT_SECONDS = 12.0
#: How often the preview shows a new picture.
PREVIEW_SECONDS = 0.2


def jpeg(frame: Frame, width: int | None = None, quality: int = 85) -> bytes:
    image = frame
    if width is not None and image.shape[1] > width:
        height = int(image.shape[0] * width / image.shape[1])
        image = cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA)
    ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise HallError(CAMERA_UNAVAILABLE)
    return bytes(data.tobytes())


class CameraCapture:
    """The :class:`kiosk.visit.ports.Capture` port, and the QR scanner for identification, over one camera."""

    def __init__(self, camera: Camera | None, before_capture: Callable[[str], None] | None = None) -> None:
        self.camera = camera
        self.before_capture = before_capture

    def preview(self) -> bytes | None:
        if self.camera is None or not self.camera.health.usable:
            return None
        frame = self.camera.latest_frame()
        return None if frame is None else jpeg(frame, PREVIEW_WIDTH, 70)

    def watch_preview(self, on_frame: Callable[[bytes], None]) -> PreviewWait:
        return PreviewWait(self.preview, on_frame).start()

    def capture(self, kind: str) -> bytes:
        """A straightened document page (``document``) or a photo of the person (``photo``), as JPEG."""
        if self.camera is None:
            raise HallError(CAMERA_UNAVAILABLE)
        if self.before_capture is not None:
            self.before_capture(kind)
        try:
            if kind == "document":
                capture = self.camera.capture_document(DOCUMENT_SECONDS)
                if not capture.ok:
                    raise HallError(quality_notice(capture.issues))
                return capture.jpeg
            frame = self.camera.latest_frame()
        except CameraError as exc:
            log.warning("camera: %s", exc.message)
            raise HallError(CAMERA_UNAVAILABLE) from None
        if frame is None:
            raise HallError(CAMERA_UNAVAILABLE)
        return jpeg(frame, 1280)

    def scan_qr_text(self, timeout: float) -> str | None:
        if self.camera is None:
            raise HallError(CAMERA_UNAVAILABLE)
        try:
            result = self.camera.scan_qr(timeout)
        except CameraError as exc:
            log.warning("camera: %s", exc.message)
            raise HallError(CAMERA_UNAVAILABLE) from None
        return result.payload.text if result.payload is not None else None

    def cancel(self) -> None:
        if self.camera is not None:
            self.camera.cancel()


class PreviewWait(ThreadWait):
    """The camera's picture for one capture step, on the wait's own thread until :meth:`cancel`.

    A frame that fails is logged (the first failure of a run of them) and the next one is tried: one bad frame
    never freezes the preview.
    """

    def __init__(
        self, preview: Callable[[], bytes | None], on_frame: Callable[[bytes], None], interval: float = PREVIEW_SECONDS
    ) -> None:
        super().__init__("camera-preview")
        self._preview = preview
        self._on_frame = on_frame
        self.interval = interval

    def start(self) -> PreviewWait:
        self.start_thread()
        return self

    def run(self) -> None:
        stop = self.stopping
        failing = False
        while not stop.is_set():
            try:
                frame = self._preview()
            except Exception as exc:  # noqa: BLE001 - a bad frame is skipped, never the end of the preview
                if not failing:
                    log.warning("camera preview: frame failed: %s", exc)
                failing = True
            else:
                failing = False
                if frame is not None and not stop.is_set():
                    self._on_frame(frame)
            stop.wait(self.interval)
