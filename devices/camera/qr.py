"""Finding and decoding the QR code (二维码) a resident holds under the camera, fast enough for every frame.

The pipeline was chosen by measurement on the generated test set (``bench/qr.py``, docs/performance.md):
zxing-cpp restricted to QR codes is an order of magnitude faster than either OpenCV detector and reads more,
so it is the decoder; what we add around it is where to look and how to clean the picture up:

1. the grey frame at half size, then as it is (most frames are read here: a phone held close has big
   modules that survive halving, and a half-size frame decodes in well under a millisecond);
2. otherwise the regions that look like a code (dense edges, found on a quarter-size copy), cropped and
   enlarged to about 5 px per module, then binarized with a local threshold and sharpened, which recovers small
   codes, blur and soft glare that the first pass misses;
3. last, the whole frame once more with inverted colours allowed (a phone in dark mode).

Nothing here trusts what it reads: the raw bytes go to :mod:`devices.camera.payload` to be checked and
classified.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import cv2
import numpy as np
import zxingcpp

from devices.camera.frames import Frame, check_frame, to_grey

# The enum member; the BarcodeFormats object is made per call: one kept in a module global outlives the
# binding at exit, and the binding then prints "leaked instance" lines at every command's end.
_QR = zxingcpp.BarcodeFormat.QRCode
#: Frames whose shorter side is at least twice this are first tried at half size (codes with big modules).
_HALF_MIN_SIDE = 240
#: Regions smaller than this (pixels of the full frame, each side) cannot hold a readable code.
_MIN_REGION = 48
#: At most this many candidate regions are tried per frame, largest first: bounds the time of an empty frame.
_MAX_REGIONS = 3
#: Regions are enlarged so that their longer side reaches about this many pixels.
_REGION_TARGET = 480


@dataclass(frozen=True)
class RawQr:
    """What the decoder read, before any judgement: the bytes, zxing's text for them, and where it was."""

    data: bytes
    text: str
    binary: bool
    corners: tuple[tuple[int, int], ...]
    stage: str


def _read(
    grey: Frame, stage: str, *, offset: tuple[int, int] = (0, 0), scale: float = 1.0, invert: bool = False
) -> RawQr | None:
    barcodes = zxingcpp.read_barcodes(
        grey,
        formats=zxingcpp.BarcodeFormats(_QR),
        try_rotate=False,
        try_downscale=False,
        try_invert=invert,
    )
    for code in barcodes:
        if not code.valid:
            continue
        pos = code.position
        corners = tuple(
            (int(offset[0] + p.x / scale), int(offset[1] + p.y / scale))
            for p in (pos.top_left, pos.top_right, pos.bottom_right, pos.bottom_left)
        )
        binary = code.content_type not in (zxingcpp.ContentType.Text, zxingcpp.ContentType.GS1)
        return RawQr(bytes(code.bytes), code.text, binary, corners, stage)
    return None


def candidate_regions(grey: Frame) -> list[tuple[int, int, int, int]]:
    """Boxes ``(x, y, w, h)`` in ``grey`` where edges are dense and roughly square: places a code may be."""
    h, w = grey.shape[:2]
    small = cv2.resize(grey, (w // 4, h // 4), interpolation=cv2.INTER_AREA)
    edges = cv2.morphologyEx(small, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8))
    _, mask = cv2.threshold(edges, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((5, 5), np.uint8))
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    boxes: list[tuple[float, tuple[int, int, int, int]]] = []
    for contour in contours:
        x, y, bw, bh = cv2.boundingRect(contour)
        if min(bw, bh) * 4 < _MIN_REGION or max(bw, bh) > 3 * min(bw, bh):
            continue
        fill = cv2.contourArea(contour) / float(bw * bh)
        if fill < 0.3:
            continue
        pad = max(bw, bh) // 5 + 2
        box = (max(0, (x - pad) * 4), max(0, (y - pad) * 4), (bw + 2 * pad) * 4, (bh + 2 * pad) * 4)
        boxes.append((bw * bh * fill, box))
    boxes.sort(key=lambda item: -item[0])
    return [box for _, box in boxes[:_MAX_REGIONS]]


def _region_views(grey: Frame, box: tuple[int, int, int, int]) -> Iterator[tuple[str, Frame, float]]:
    x, y, bw, bh = box
    crop = grey[y : y + bh, x : x + bw]
    scale = max(1.0, min(3.0, _REGION_TARGET / max(crop.shape[:2])))
    big = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC) if scale > 1 else crop
    yield "region", big, scale
    # A Gaussian-weighted local threshold over ~31 px follows the brightness slope of a glare spot.
    yield (
        "region-threshold",
        cv2.adaptiveThreshold(big, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY, 31, 3),
        scale,
    )
    block = max(15, int(big.shape[0] / 12) | 1)  # a wider window for codes with big modules
    yield (
        "region-threshold-wide",
        cv2.adaptiveThreshold(big, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, block, 5),
        scale,
    )
    soft = cv2.GaussianBlur(big, (0, 0), 1.5)
    yield "region-sharpen", cv2.addWeighted(big, 1.8, soft, -0.8, 0), scale


def decode_qr(frame: object) -> RawQr | None:
    """The first QR code found in ``frame`` (grey or BGR), or None; see the module text for the stages.

    A bad frame raises an :class:`~devices.camera.errors.ImageError` (see :func:`check_frame`).
    """
    grey = to_grey(check_frame(frame))
    h, w = grey.shape
    if min(h, w) >= 2 * _HALF_MIN_SIDE:
        half = cv2.resize(grey, (w // 2, h // 2), interpolation=cv2.INTER_AREA)
        found = _read(half, "half", scale=0.5)
        if found is not None:
            return found
    found = _read(grey, "frame")
    if found is not None:
        return found
    for box in candidate_regions(grey):
        for stage, view, scale in _region_views(grey, box):
            found = _read(view, stage, offset=(box[0], box[1]), scale=scale)
            if found is not None:
                return found
    return _read(grey, "frame-inverted", invert=True)
