"""Pictures coming in: camera frames and image files, checked before any work is done on them.

A frame is a ``uint8`` numpy array, grey ``(h, w)`` or BGR ``(h, w, 3)`` (OpenCV's order). Whatever comes in
— a frame from the driver, a file a technician names, bytes from elsewhere — passes through :func:`check_frame`
or :func:`load_image`, which turn every bad input into a typed :class:`~devices.camera.errors.ImageError`
with a readable message, and refuse pictures whose decoding would explode in memory *before* decoding them.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt
from PIL import Image, ImageOps, UnidentifiedImageError

from devices.camera.errors import EmptyFrameError, ImageTooLargeError, NotAnImageError, UnreadableImageError

#: A picture as OpenCV holds it: uint8, grey (h, w) or BGR (h, w, 3) (checked by :func:`check_frame`).
Frame = npt.NDArray[Any]

#: Largest frame accepted as an array (8K × 5K): beyond this the pipelines' copies alone would cost gigabytes.
MAX_FRAME_PIXELS = 40_000_000
#: Largest picture decoded at full size from a file; a bigger JPEG is decoded at a reduced scale instead.
MAX_DECODE_PIXELS = 24_000_000
#: Largest image file read at all.
MAX_FILE_BYTES = 64 * 1024 * 1024


def check_frame(frame: object) -> Frame:
    """``frame`` as a grey or BGR ``uint8`` array, or a typed error saying what is wrong with it."""
    if not isinstance(frame, np.ndarray):
        raise NotAnImageError(
            f"这不是图像 / not an image (got {type(frame).__name__})",
            technician_hint="pass a numpy uint8 array, grey (h, w) or BGR (h, w, 3)",
        )
    if frame.size == 0 or frame.ndim < 2 or 0 in frame.shape[:2]:
        raise EmptyFrameError(
            f"图像是空的 / the picture is empty (shape {frame.shape})",
            technician_hint="check the camera delivers frames (cable, driver, lens cap)",
        )
    if frame.dtype != np.uint8:
        raise NotAnImageError(f"图像格式不对 / wrong pixel type {frame.dtype}, expected uint8")
    if frame.ndim == 3 and frame.shape[2] == 1:
        frame = frame[:, :, 0]
    if frame.ndim == 3 and frame.shape[2] == 4:
        frame = cv2.cvtColor(frame, cv2.COLOR_BGRA2BGR)
    if frame.ndim not in (2, 3) or (frame.ndim == 3 and frame.shape[2] != 3):
        raise NotAnImageError(f"图像格式不对 / wrong picture shape {frame.shape}, expected (h, w) or (h, w, 3)")
    pixels = frame.shape[0] * frame.shape[1]
    if pixels > MAX_FRAME_PIXELS:
        raise ImageTooLargeError(
            f"图像太大 / the picture is too large ({frame.shape[1]}×{frame.shape[0]})",
            technician_hint=f"at most {MAX_FRAME_PIXELS // 1_000_000} megapixels; lower the camera resolution",
        )
    return frame


def to_grey(frame: Frame) -> Frame:
    return frame if frame.ndim == 2 else cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)


def fit_within(frame: Frame, long_side: int) -> Frame:
    """``frame`` shrunk (never enlarged) so that its longer side is at most ``long_side``."""
    h, w = frame.shape[:2]
    scale = long_side / max(h, w)
    if scale >= 1:
        return frame
    return cv2.resize(frame, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)


def read_image_file(path: Path) -> Frame:
    """Load an image file as a BGR frame; see :func:`load_image`."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise UnreadableImageError(f"无法读取文件 / cannot read {path}: {exc.strerror or exc}") from None
    if size > MAX_FILE_BYTES:
        raise ImageTooLargeError(f"文件太大 / the file is too large ({size // 1_048_576} MB): {path}")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableImageError(f"无法读取文件 / cannot read {path}: {exc.strerror or exc}") from None
    return load_image(data, name=str(path))


def load_image(data: bytes, *, name: str = "image") -> Frame:
    """Decode image bytes (JPEG, PNG, BMP, WebP, …) to a BGR frame, upright per its EXIF orientation.

    The size is read from the header first. A picture over :data:`MAX_DECODE_PIXELS` is refused, except a
    JPEG, which is decoded at 1/2, 1/4 or 1/8 scale (the decoder does that cheaply) to fit.
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise NotAnImageError(f"这不是图像 / not an image (got {type(data).__name__})")
    if len(data) == 0:
        raise EmptyFrameError(f"文件是空的 / the file is empty: {name}")
    if len(data) > MAX_FILE_BYTES:
        raise ImageTooLargeError(f"文件太大 / the file is too large ({len(data) // 1_048_576} MB): {name}")
    with warnings.catch_warnings():
        # We judge the size ourselves, just below; Pillow's own bomb check only warns before 178 MP.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
        except UnidentifiedImageError:
            raise NotAnImageError(f"不是能识别的图像文件 / not a picture file we can read: {name}") from None
        except Image.DecompressionBombError:
            raise ImageTooLargeError(f"图像太大 / the picture is too large: {name}") from None
        except (OSError, SyntaxError, ValueError) as exc:
            raise UnreadableImageError(f"图像文件已损坏 / the picture file is damaged: {name} ({exc})") from None
        width, height = image.size
        if width == 0 or height == 0:
            raise EmptyFrameError(f"图像是空的 / the picture is empty: {name}")
        if width * height > MAX_DECODE_PIXELS:
            if image.format != "JPEG":
                raise ImageTooLargeError(
                    f"图像太大 / the picture is too large ({width}×{height}): {name}",
                    technician_hint=f"at most {MAX_DECODE_PIXELS // 1_000_000} megapixels unless it is a JPEG",
                )
            factor = 2
            while width * height / (factor * factor) > MAX_DECODE_PIXELS and factor < 8:
                factor *= 2
            image.draft("RGB", (width // factor, height // factor))
            if image.size[0] * image.size[1] > MAX_DECODE_PIXELS:
                raise ImageTooLargeError(f"图像太大 / the picture is too large ({width}×{height}): {name}")
        try:
            image.load()
            rgb = np.asarray(ImageOps.exif_transpose(image).convert("RGB"))
        except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
            raise UnreadableImageError(
                f"图像文件已损坏或不完整 / the picture file is damaged or cut short: {name} ({exc})"
            ) from None
    return check_frame(cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
