"""Bad pictures in: each gives a typed error with a readable message, never a crash or a memory blow-up."""

from __future__ import annotations

import io
import struct
import subprocess
import sys
import textwrap
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from devices.camera.document import capture_document
from devices.camera.errors import (
    EmptyFrameError,
    ImageError,
    ImageTooLargeError,
    NotAnImageError,
    UnreadableImageError,
)
from devices.camera.frames import check_frame, load_image, read_image_file
from devices.camera.qr import decode_qr


def _jpeg(width: int = 640, height: int = 480) -> bytes:
    ok, buffer = cv2.imencode(".jpg", np.full((height, width, 3), 128, np.uint8))
    assert ok
    return buffer.tobytes()


def _png_header_claiming(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width``×``height`` with almost no pixel data behind it (a bomb)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    body = struct.pack(">I", len(ihdr)) + chunk + struct.pack(">I", zlib.crc32(chunk))
    data = zlib.compress(b"\x00" * 1000)
    idat = b"IDAT" + data
    body += struct.pack(">I", len(data)) + idat + struct.pack(">I", zlib.crc32(idat))
    return b"\x89PNG\r\n\x1a\n" + body


def _readable(error: ImageError) -> None:
    assert " / " in error.message
    assert "Traceback" not in error.message


@pytest.mark.parametrize("cut", [0.3, 0.6, 0.9])
def test_a_truncated_jpeg_is_unreadable(cut: float) -> None:
    data = _jpeg()
    with pytest.raises(UnreadableImageError) as info:
        load_image(data[: int(len(data) * cut)], name="cut.jpg")
    _readable(info.value)


def test_a_truncated_png_file_is_unreadable(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    Image.fromarray(np.random.default_rng(1).integers(0, 255, (200, 200), dtype=np.uint8)).save(buffer, "PNG")
    path = tmp_path / "cut.png"
    path.write_bytes(buffer.getvalue()[:-3000])
    with pytest.raises(UnreadableImageError) as info:
        read_image_file(path)
    assert str(path) in info.value.message


def test_a_missing_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(UnreadableImageError, match="cannot read"):
        read_image_file(tmp_path / "nope.jpg")


@pytest.mark.parametrize("shape", [(0, 0, 3), (0, 720, 3), (720, 0), (0,)])
def test_a_zero_size_frame_is_empty(shape: tuple[int, ...]) -> None:
    frame = np.zeros(shape, np.uint8)
    for use in (check_frame, decode_qr, capture_document):
        with pytest.raises(EmptyFrameError) as info:
            use(frame)
        _readable(info.value)


def test_an_empty_file_is_empty() -> None:
    with pytest.raises(EmptyFrameError):
        load_image(b"")


@pytest.mark.parametrize(
    "thing",
    [None, "frame.jpg", [[1, 2], [3, 4]], np.zeros((10, 10), np.float32), np.zeros((10, 10, 2), np.uint8)],
)
def test_wrong_types_are_not_images(thing: object) -> None:
    with pytest.raises(NotAnImageError) as info:
        capture_document(thing)
    _readable(info.value)


def test_a_text_file_is_not_an_image() -> None:
    with pytest.raises(NotAnImageError):
        load_image("这不是图片 not a picture".encode())
    with pytest.raises(NotAnImageError):
        load_image("not bytes")  # type: ignore[arg-type]


def test_a_huge_png_is_refused_before_decoding() -> None:
    with pytest.raises(ImageTooLargeError) as info:
        load_image(_png_header_claiming(10_000, 10_000), name="huge.png")
    assert "10000×10000" in info.value.message


def test_a_huge_frame_is_refused() -> None:
    frame = np.lib.stride_tricks.as_strided(np.zeros(1, np.uint8), shape=(10_000, 10_000), strides=(0, 0))
    with pytest.raises(ImageTooLargeError):
        check_frame(frame)


def test_a_huge_jpeg_is_decoded_small_with_bounded_memory(tmp_path: Path) -> None:
    """A 10,000 × 10,000 photo decodes at a reduced scale: far below the 300 MB a full decode takes."""
    path = tmp_path / "huge.jpg"
    Image.new("L", (10_000, 10_000), 200).save(path, "JPEG", quality=50)
    script = textwrap.dedent(
        f"""
        import resource
        from pathlib import Path
        from devices.camera.frames import read_image_file
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        frame = read_image_file(Path({str(path)!r}))
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(frame.shape[1], frame.shape[0], (after - before) // 1024)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=Path(__file__).parents[3],
    )
    assert result.returncode == 0, result.stderr
    width, height, grown_mb = (int(v) for v in result.stdout.split())
    assert (width, height) == (2500, 2500)  # decoded at a quarter scale, under the 24-megapixel limit
    assert grown_mb < 150
