"""The camera (摄像头 / 高拍仪) as a device: frames on its own thread, QR scanning, document capture.

Every frame is read on the camera's :class:`~devices.base.DeviceThread`, never faster than ``max_fps`` (the
config's ``devices.camera.max_fps``), so a scan does not eat both cores of the kiosk. A scan or capture is one
call that keeps grabbing frames until it has a result or its timeout passes; :meth:`Camera.cancel` ends it
early (the resident walked away, the session is being wiped).

When frames stop coming (the cable was pulled), the camera is closed and reported offline; the poller of
:class:`~devices.base.Device` reopens it with backoff once it is back.
"""

from __future__ import annotations

import abc
import contextlib
import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

from devices.base import Device, DeviceHandler, DeviceHealth, DeviceState, Observers
from devices.camera.document import Assessment, DocumentCapture, assess_frame, encode_capture
from devices.camera.errors import CameraError, ImageError, PayloadRejectedError
from devices.camera.frames import Frame, check_frame
from devices.camera.payload import QrPayload, classify
from devices.camera.qr import decode_qr
from devices.camera.quality import QualityIssue

log = logging.getLogger(__name__)

#: Frames in a row that may fail before the camera counts as gone.
MAX_MISSED_FRAMES = 10
#: A page must lie still (corners moving less than this fraction of the frame width) for two frames.
_STILL = 0.01

NO_CODE = "没有识别到二维码，请把二维码对准摄像头 / no QR code found, hold the code under the camera"


@dataclass(frozen=True)
class QrResult:
    """The outcome of one scan: the checked payload, or what to tell the person when there is none."""

    payload: QrPayload | None
    message: str  # empty when a payload was read
    frames: int  # frames looked at
    seconds: float

    @property
    def ok(self) -> bool:
        return self.payload is not None


class Camera(Device):
    """A camera kind: a driver supplies frames (:meth:`_read_frame`); scanning and capture live here."""

    kind = "camera"

    def __init__(self, name: str, handler: DeviceHandler | None = None, *, max_fps: float = 15.0) -> None:
        super().__init__(name, handler)
        if max_fps <= 0:
            raise ValueError("max_fps must be positive")
        self.max_fps = max_fps
        #: A code was read (payload or a refusal message); called on the camera's thread.
        self.qr_did_read: Observers[[QrResult]] = Observers()
        #: A document capture finished (good, or the best one before the timeout); on the camera's thread.
        self.document_did_capture: Observers[[DocumentCapture]] = Observers()
        #: Every frame read, for a live preview during a scan; on the camera's thread, keep it quick.
        self.frame_did_arrive: Observers[[Frame]] = Observers()
        self._latest: Frame | None = None
        self._latest_at = 0.0
        self._missed = 0
        self._cancel = threading.Event()
        self._busy = threading.Event()  # a scan or capture holds the camera's thread
        #: Frames read since start: a technician's frame-rate check counts these.
        self.frames_read = 0

    @abc.abstractmethod
    def _read_frame(self) -> Frame | None:
        """Read one frame (on the device thread); None for a frame that did not arrive this time."""

    def _probe(self) -> DeviceHealth:
        self.thread.assert_current()
        frame = self._grab()
        return DeviceHealth(DeviceState.OK, f"{frame.shape[1]}×{frame.shape[0]}")

    # -- frames -------------------------------------------------------------------------------------------

    def _grab(self) -> Frame:
        """The next frame, paced to ``max_fps``; raises :class:`CameraError` when the camera is gone."""
        self.thread.assert_current()
        wait = self._latest_at + 1.0 / self.max_fps - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        while True:
            try:
                raw = self._read_frame()
                frame = None if raw is None else check_frame(raw)
            except ImageError as exc:
                log.warning("%s: bad frame: %s", self.name, exc.message)
                frame = None
            self._latest_at = time.monotonic()
            if frame is not None:
                self._missed = 0
                self._latest = frame
                self.frames_read += 1
                self.frame_did_arrive.emit(frame)
                return frame
            self._missed += 1
            if self._missed >= MAX_MISSED_FRAMES:
                self._missed = 0
                self._lost("摄像头没有画面 / the camera sends no pictures")
            time.sleep(min(0.05, 1.0 / self.max_fps))

    def _lost(self, reason: str) -> None:
        self._close()
        self._latest = None
        self._set_health(DeviceHealth(DeviceState.OFFLINE, reason))
        raise CameraError(reason, technician_hint="check the camera's USB cable; it reconnects by itself")

    def _ready(self) -> None:
        if self._health.state is DeviceState.OFFLINE:
            health = self._open_and_probe()
            if health.state is DeviceState.OFFLINE:
                raise CameraError(f"摄像头不可用 / the camera is not available: {health.reason}")

    def latest_frame(self) -> Frame | None:
        """The most recent frame (a fresh one when the last is older than a frame period), None if offline.

        During a scan or capture the scan's own latest frame comes back at once, without waiting for it.
        """
        if self._busy.is_set() and not self.thread.is_current():
            return self._latest
        return self.thread.call(self._latest_frame)

    def _latest_frame(self) -> Frame | None:
        if self._latest is not None and time.monotonic() - self._latest_at < 1.0 / self.max_fps:
            return self._latest
        try:
            self._ready()
            return self._grab()
        except CameraError:
            return None

    @contextlib.contextmanager
    def _holding(self) -> Iterator[None]:
        """Mark the camera's thread as held by a scan or capture (so previews need not wait for it)."""
        self._busy.set()
        try:
            yield
        finally:
            self._busy.clear()

    def cancel(self) -> None:
        """End a running scan or capture soon (within one frame); safe from any thread."""
        self._cancel.set()

    def close(self) -> None:
        """Stop any scan, stop polling, release the camera (on its thread)."""
        self.cancel()
        super().close()

    # -- QR codes -----------------------------------------------------------------------------------------

    def scan_qr(self, timeout: float = 10.0, *, hint_after: float = 4.0) -> QrResult:
        """Grab frames until a QR code is read or ``timeout`` seconds pass; raises CameraError if offline.

        When nothing has been read for ``hint_after`` seconds, the handler is asked to tell the person to
        hold the code under the camera; the request is withdrawn when the scan ends.
        """
        self._cancel.clear()
        return self.thread.call(self._scan_qr, timeout, hint_after)

    def _scan_qr(self, timeout: float, hint_after: float) -> QrResult:
        with self._holding():
            return self._scan_qr_frames(timeout, hint_after)

    def _scan_qr_frames(self, timeout: float, hint_after: float) -> QrResult:
        self._ready()
        start = time.monotonic()
        frames = 0
        hinted = False
        try:
            while time.monotonic() - start < timeout and not self._cancel.is_set():
                frame = self._grab()
                frames += 1
                raw = decode_qr(frame)
                if raw is None:
                    if not hinted and time.monotonic() - start >= hint_after:
                        hinted = True
                        self.handler.device_needs_person(self.name, NO_CODE)
                    continue
                try:
                    payload = classify(raw.data, raw.text, binary=raw.binary)
                    result = QrResult(payload, "", frames, time.monotonic() - start)
                except PayloadRejectedError as exc:
                    result = QrResult(None, exc.message, frames, time.monotonic() - start)
                self.qr_did_read.emit(result)
                return result
        finally:
            if hinted:
                self.handler.device_clear_request(self.name)
        return QrResult(None, NO_CODE, frames, time.monotonic() - start)

    # -- documents ----------------------------------------------------------------------------------------

    def capture_document(self, timeout: float = 20.0) -> DocumentCapture:
        """Grab frames until a page is found, well placed, sharp and still, or ``timeout`` passes.

        While the page is not right, the handler is asked to tell the person what to fix; at the timeout
        the best attempt so far comes back with its issues (``ok`` is false).
        """
        self._cancel.clear()
        return self.thread.call(self._capture_document, timeout)

    def _capture_document(self, timeout: float) -> DocumentCapture:
        with self._holding():
            return self._capture_document_frames(timeout)

    def _capture_document_frames(self, timeout: float) -> DocumentCapture:
        self._ready()
        start = time.monotonic()
        best: Assessment | None = None
        previous: Assessment | None = None
        asked = ""
        try:
            while time.monotonic() - start < timeout and not self._cancel.is_set():
                frame = self._grab()
                current = assess_frame(frame)
                if best is None or _better(current, best):
                    best = current
                if not current.issues and previous is not None and _still(previous, current, frame.shape[1]):
                    capture = encode_capture(current)
                    self.document_did_capture.emit(capture)
                    return capture
                previous = current
                if current.issues and current.issues[0].advice != asked:
                    asked = current.issues[0].advice
                    self.handler.device_needs_person(self.name, asked)
        finally:
            if asked:
                self.handler.device_clear_request(self.name)
        capture = encode_capture(best or Assessment(None, (QualityIssue.NO_PAGE,)))
        if capture.jpeg:
            self.document_did_capture.emit(capture)
        return capture


def _better(candidate: Assessment, best: Assessment) -> bool:
    if candidate.outline is None:
        return False
    return best.outline is None or len(candidate.issues) < len(best.issues)


def _still(a: Assessment, b: Assessment, width: int) -> bool:
    if a.outline is None or b.outline is None or a.issues:
        return False
    pairs = zip(a.outline.corners, b.outline.corners, strict=True)
    moved = max(abs(p - q) for ca, cb in pairs for p, q in zip(ca, cb, strict=True))
    return moved < _STILL * width
