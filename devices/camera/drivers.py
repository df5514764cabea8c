"""The camera drivers and their registration: a real camera or files through OpenCV, and the demo's simulator.

``sim://`` plays drawn scenes (:mod:`devices.camera.scenes`): a phone showing a QR code, a document on the
desk, the empty desk; the demo UI picks one with :meth:`SimulatedCamera.show_scene`.
"""

from __future__ import annotations

import threading
from typing import Any, Literal

from devices.base import DeviceHandler
from devices.camera import scenes
from devices.camera.camera import Camera
from devices.camera.errors import CameraError
from devices.camera.frames import Frame
from devices.camera.sources import FrameSource, source_for
from devices.registry import DeviceRegistry

SceneName = Literal["qr", "document", "empty"]
SCENES: tuple[SceneName, ...] = ("qr", "document", "empty")


class SourceCamera(Camera):
    """A camera whose frames come from a :class:`~devices.camera.sources.FrameSource`."""

    def __init__(
        self, name: str, source: FrameSource, handler: DeviceHandler | None = None, *, max_fps: float = 15.0
    ) -> None:
        super().__init__(name, handler, max_fps=max_fps)
        self.source = source

    def _open(self) -> None:
        self.thread.assert_current()
        self.source.open()

    def _close(self) -> None:
        self.thread.assert_current()
        self.source.close()

    def _read_frame(self) -> Frame | None:
        self.thread.assert_current()
        return self.source.read()


class SceneSource(FrameSource):
    """The demo's frames: the chosen scene's few frames in a loop; can be 'unplugged' for a demo of faults.

    Only the scene under the camera is held, drawn when it is first read (on the camera's thread): three
    scenes of three 1280 × 720 frames each would keep 25 MB for a picture nobody is looking at.
    """

    def __init__(self, size: tuple[int, int] = (1280, 720)) -> None:
        self.size = size
        self.description = "simulated camera"
        self.scene: SceneName = "empty"
        self.qr_text = scenes.DEMO_QR_TEXT
        self.connected = True
        self._open = False
        self._drawn: tuple[SceneName, str] | None = None
        self._frames: list[Frame] = []
        self._tick = 0
        self._lock = threading.Lock()

    def open(self) -> None:
        if not self.connected:
            raise CameraError("模拟摄像头已断开 / the simulated camera is unplugged")
        self._open = True

    def read(self) -> Frame | None:
        if not self.connected or not self._open:
            return None
        with self._lock:
            scene = (self.scene, self.qr_text)
            if scene != self._drawn:
                self._frames = []  # the old scene's frames go before the new ones are drawn
                self._frames = list(scenes.scene_frames(scene[0], self.size, qr_text=scene[1]))
                self._drawn = scene
            self._tick += 1
            return self._frames[self._tick % len(self._frames)]

    def close(self) -> None:
        """Nothing to release; the drawn scene is kept for the next open."""


class SimulatedCamera(SourceCamera):
    """The camera of demo mode and tests (``sim://``)."""

    def __init__(
        self,
        name: str,
        handler: DeviceHandler | None = None,
        *,
        max_fps: float = 15.0,
        size: tuple[int, int] = (1280, 720),
    ) -> None:
        self.scenes = SceneSource(size)
        super().__init__(name, self.scenes, handler, max_fps=max_fps)

    def show_scene(self, scene: SceneName) -> None:
        """Put something under the camera: ``"qr"`` (a phone with a code), ``"document"``, or ``"empty"``."""
        if scene not in SCENES:
            raise ValueError(f"unknown scene {scene!r}")
        self.scenes.scene = scene

    def show_qr_text(self, text: str) -> None:
        """Hold a phone showing a QR code of ``text`` under the camera."""
        self.scenes.qr_text = text
        self.scenes.scene = "qr"

    def set_connected(self, connected: bool) -> None:
        """Pull or put back the simulated cable (for demonstrating the offline state and the reconnect)."""
        self.scenes.connected = connected


def _max_fps(options: dict[str, Any]) -> float:
    return float(options.get("max_fps", 15.0))


def _source_camera(connection: str, handler: DeviceHandler, options: dict[str, Any]) -> Camera:
    source = source_for(connection, int(options.get("width", 1280)), int(options.get("height", 720)))
    return SourceCamera(str(options.get("name", "camera")), source, handler, max_fps=_max_fps(options))


def _simulated_camera(connection: str, handler: DeviceHandler, options: dict[str, Any]) -> Camera:
    camera = SimulatedCamera(str(options.get("name", "camera")), handler, max_fps=_max_fps(options))
    scene = connection.split("://", 1)[1].strip("/")
    if scene:
        if scene not in SCENES:
            raise CameraError(f"模拟场景不存在 / unknown simulated scene '{scene}' (known: {', '.join(SCENES)})")
        camera.show_scene(scene)
    return camera


def register_cameras(registry: DeviceRegistry) -> None:
    """Make the camera drivers known: V4L2 devices, files and folders, and the simulator."""
    registry.register(
        "camera",
        ("serial", "v4l2"),
        _source_camera,
        "USB camera / document camera (高拍仪) through V4L2: /dev/videoN or v4l2://N",
    )
    registry.register(
        "camera", ("file",), _source_camera, "frames from an image, a video or a folder of images: file://PATH"
    )
    registry.register(
        "camera",
        ("sim",),
        _simulated_camera,
        "simulated camera playing drawn scenes (sim://, sim://qr, sim://document)",
    )
