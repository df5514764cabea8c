"""Where frames come from: a V4L2 camera through OpenCV, an image or video file, a folder of frames.

All of them are opened, read and released on the camera's thread by :class:`~devices.camera.drivers.
SourceCamera`. A source that cannot open raises :class:`~devices.camera.errors.CameraError` with a
reason a technician can check ("/dev/video0 不存在: check the USB cable").
"""

from __future__ import annotations

import abc
import itertools
from pathlib import Path
from urllib.parse import unquote, urlsplit

import cv2

from devices.camera.errors import CameraError, ImageError
from devices.camera.frames import Frame, read_image_file

# OpenCV would print a warning to stderr at every reconnect attempt of an unplugged camera; the camera's health
# already says why it is offline, for the technician, in words.
cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_ERROR)

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"})


class FrameSource(abc.ABC):
    """One supply of frames; not thread-safe: used from the camera's thread only."""

    description: str = ""

    @abc.abstractmethod
    def open(self) -> None:
        """Start; raise :class:`CameraError` with a reason when impossible."""

    @abc.abstractmethod
    def read(self) -> Frame | None:
        """The next frame, or None when none came this time."""

    @abc.abstractmethod
    def close(self) -> None:
        """Release the device or file; never raises."""


class VideoDeviceSource(FrameSource):
    """A camera on a V4L2 device (``/dev/video0``, ``v4l2://0``), asked for ``width``×``height``."""

    def __init__(self, device: str | int, width: int = 1280, height: int = 720) -> None:
        self.device = device
        self.size = (width, height)
        self.description = f"V4L2 {device}"
        self._capture: cv2.VideoCapture | None = None

    def open(self) -> None:
        if isinstance(self.device, str) and not Path(self.device).exists():
            raise CameraError(
                f"摄像头未连接 / camera not connected: {self.device} does not exist",
                technician_hint="check the USB cable and `v4l2-ctl --list-devices`",
            )
        capture = cv2.VideoCapture(self.device, cv2.CAP_V4L2)
        if not capture.isOpened():
            capture.release()
            raise CameraError(
                f"摄像头无法打开 / cannot open camera {self.device}",
                technician_hint="is another program using it? is the user in the 'video' group?",
            )
        capture.set(cv2.CAP_PROP_FRAME_WIDTH, self.size[0])
        capture.set(cv2.CAP_PROP_FRAME_HEIGHT, self.size[1])
        # One buffered frame: a scan must see what is under the camera now, not a second ago.
        capture.set(cv2.CAP_PROP_BUFFERSIZE, 1)
        self._capture = capture

    def read(self) -> Frame | None:
        if self._capture is None:
            return None
        ok, frame = self._capture.read()
        return frame if ok else None

    def close(self) -> None:
        if self._capture is not None:
            self._capture.release()
            self._capture = None


class VideoFileSource(FrameSource):
    """A recorded video, played in a loop."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.description = f"video {path}"
        self._capture: cv2.VideoCapture | None = None

    def open(self) -> None:
        if not self.path.is_file():
            raise CameraError(f"找不到视频文件 / video file not found: {self.path}")
        capture = cv2.VideoCapture(str(self.path))
        if not capture.isOpened():
            capture.release()
            raise CameraError(f"视频文件无法打开 / cannot open video file {self.path}")
        self._capture = capture

    def read(self) -> Frame | None:
        if self._capture is None:
            return None
        ok, frame = self._capture.read()
        if not ok:  # the end: start again
            self._capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
            ok, frame = self._capture.read()
        return frame if ok else None

    def close(self) -> None:
        if self._capture is not None:
            self._capture.release()
            self._capture = None


class ImageFilesSource(FrameSource):
    """One image file shown for ever, or a folder of frames played in name order, in a loop.

    Files are read again on every frame, so a folder that disappears (a pulled USB stick) stops the
    frames like an unplugged camera would, and comes back the same way.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.description = f"{'folder' if path.is_dir() else 'image'} {path}"
        self._files: itertools.cycle[Path] | None = None

    def open(self) -> None:
        if self.path.is_dir():
            files = sorted(p for p in self.path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
            if not files:
                raise CameraError(f"文件夹里没有图像 / no image files in {self.path}")
        elif self.path.is_file():
            files = [self.path]
        else:
            raise CameraError(f"找不到图像 / not found: {self.path}")
        self._files = itertools.cycle(files)

    def read(self) -> Frame | None:
        if self._files is None:
            return None
        try:
            return read_image_file(next(self._files))
        except ImageError:
            return None

    def close(self) -> None:
        self._files = None


def source_for(connection: str, width: int = 1280, height: int = 720) -> FrameSource:
    """The source a connection names: ``/dev/videoN``, ``v4l2://N``, ``v4l2:///dev/videoN``, ``file://…``."""
    if connection.startswith("/dev/"):
        return VideoDeviceSource(connection, width, height)
    parts = urlsplit(connection)
    if parts.scheme == "v4l2":
        target = unquote(parts.netloc + parts.path)
        if target.isdigit():
            return VideoDeviceSource(int(target), width, height)
        return VideoDeviceSource(target, width, height)
    if parts.scheme == "file":
        path = Path(unquote(parts.netloc + parts.path))
        if path.is_dir() or path.suffix.lower() in IMAGE_SUFFIXES:
            return ImageFilesSource(path)
        return VideoFileSource(path)
    raise CameraError(
        f"不支持的摄像头连接 / unsupported camera connection: {connection}",
        technician_hint="use /dev/videoN, v4l2://N, file://PATH or sim://",
    )
