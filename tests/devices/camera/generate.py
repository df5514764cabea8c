"""The camera's generated test set: 1280×720 frames of QR codes on a desk, pages on a desk, and clutter.

Made at test time from fixed seeds (the same call gives the same pixels), so nothing large is committed.
``bench/qr.py`` measures on the same set.

QR frames vary what a resident's phone or slip does under the camera: code size (2–8 px per module),
rotation (any angle), perspective (a tilted phone), blur (a moving hand), sensor noise, and a glare spot.
Empty frames hold things that look like codes and are not: finder-pattern squares with random modules in
between, checkerboards, bar stripes, text, a phone with a blank screen.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from devices.camera import scenes
from devices.camera.scenes import Frame, Quad

SIZE = (1280, 720)

PAYLOADS = (
    "https://zwfw.example.gov.cn/yy?no=20261122-0042",
    "http://m.example.gov.cn/dzzz/licence/3a9f2c",
    "440106199001011234",
    "9876543210123456",
    '{"type":"health","code":"green","issued":"2026-11-22","name":"张*三"}',
    "type=yibao&code=A12B34C56&region=110101",
    "预约号：A-0042 请于上午十点前到二号窗口",
    "HALL-APPT-7731",
    "https://example.gov.cn/" + "x" * 180,
)


@dataclass(frozen=True)
class QrCase:
    name: str
    frame: Frame
    expected: str | None  # None: a frame with no code in it


@dataclass(frozen=True)
class PageCase:
    name: str
    frame: Frame
    corners: Quad  # where the page's corners really are (top-left, top-right, bottom-right, bottom-left)


def _glare(frame: Frame, center: tuple[int, int], radius: int) -> None:
    """A specular highlight: a bright spot that washes part of the scene out to white."""
    h, w = frame.shape[:2]
    x0, x1 = max(0, center[0] - 3 * radius), min(w, center[0] + 3 * radius)
    y0, y1 = max(0, center[1] - 3 * radius), min(h, center[1] + 3 * radius)
    if x0 >= x1 or y0 >= y1:
        return
    xs = (np.arange(x0, x1, dtype=np.float32) - center[0]) ** 2
    ys = (np.arange(y0, y1, dtype=np.float32) - center[1]) ** 2
    light = 1.6 * np.exp(-(ys[:, None] + xs[None, :]) / float(radius * radius))
    window = frame[y0:y1, x0:x1].astype(np.float32) + light[..., None] * 255
    frame[y0:y1, x0:x1] = np.clip(window, 0, 255).astype(np.uint8)


def _jitter(corners: Quad, amount: float, rng: np.random.Generator) -> Quad:
    return (corners + rng.uniform(-amount, amount, corners.shape)).astype(np.float32)


def qr_frame(index: int) -> QrCase:
    """Frame ``index`` of the positive set; its parameters follow from the index alone."""
    rng = np.random.default_rng(7000 + index)
    text = PAYLOADS[index % len(PAYLOADS)]
    module_px = int(rng.choice([2, 3, 3, 4, 4, 5, 6, 8]))
    frame = scenes.desk(*SIZE, seed=index % 5)
    if index % 3 == 0:  # a printed appointment slip rather than a phone
        modules = scenes.qr_modules(text)
        patch = cv2.resize(modules, None, fx=module_px, fy=module_px, interpolation=cv2.INTER_NEAREST)
        patch = cv2.copyMakeBorder(patch, 20, 60, 20, 20, cv2.BORDER_CONSTANT, value=240)
    else:
        patch = scenes.phone_showing(text, module_px=module_px)
    h, w = patch.shape[:2]
    scale = min(1.0, 0.9 * SIZE[1] / max(h, w))
    w, h = w * scale, h * scale
    angle = float(rng.uniform(0, 360))
    reach = max(w, h) / 2
    cx = float(rng.uniform(reach, SIZE[0] - reach))
    cy = float(rng.uniform(min(reach, SIZE[1] / 2), max(SIZE[1] - reach, SIZE[1] / 2)))
    corners = scenes.quad_around((cx, cy), w, h, angle)
    tilt = float(rng.choice([0.0, 0.04, 0.08, 0.12]))
    corners = _jitter(corners, tilt * max(w, h), rng)
    scenes.paste(frame, patch, corners)
    parts = [f"m{module_px}", f"r{angle:.0f}", f"t{tilt:.2f}"]
    if rng.random() < 0.25:
        _glare(frame, (int(cx + rng.uniform(-w / 3, w / 3)), int(cy + rng.uniform(-h / 3, h / 3))), int(w / 6))
        parts.append("glare")
    blur = float(rng.choice([0.0, 0.0, 0.8, 1.3]))
    if blur:
        frame = cv2.GaussianBlur(frame, (0, 0), blur)
        parts.append(f"b{blur}")
    noise = float(rng.choice([0.0, 4.0, 8.0]))
    if noise:
        frame = scenes.with_noise(frame, noise, index)
        parts.append(f"n{noise:.0f}")
    return QrCase(f"qr{index:03d}-" + "-".join(parts), frame, text)


def _finder(size: int) -> Frame:
    unit = size // 7
    square = np.zeros((unit * 7, unit * 7), np.uint8)
    square[unit : 6 * unit, unit : 6 * unit] = 255
    square[2 * unit : 5 * unit, 2 * unit : 5 * unit] = 0
    return square


def _fake_qr(rng: np.random.Generator, modules: int, module_px: int) -> Frame:
    """Three finder squares and random modules: looks like a QR code, holds none."""
    grid = (rng.random((modules, modules)) < 0.5).astype(np.uint8) * 255
    img = cv2.resize(grid, None, fx=module_px, fy=module_px, interpolation=cv2.INTER_NEAREST)
    finder = _finder(7 * module_px)
    f = finder.shape[0]
    for y, x in ((0, 0), (0, img.shape[1] - f), (img.shape[0] - f, 0)):
        img[y : y + f, x : x + f] = finder
    return cv2.copyMakeBorder(
        img, 4 * module_px, 4 * module_px, 4 * module_px, 4 * module_px, cv2.BORDER_CONSTANT, value=255
    )


def empty_frame(index: int) -> QrCase:
    """Frame ``index`` of the negative set: a desk with clutter and no code."""
    rng = np.random.default_rng(9000 + index)
    frame = scenes.desk(*SIZE, seed=index % 3)
    kind = index % 6
    if kind == 0:
        patch = _fake_qr(rng, int(rng.integers(21, 34)), int(rng.integers(3, 7)))
    elif kind == 1:
        cells = int(rng.integers(6, 12))
        board = (np.indices((cells, cells)).sum(axis=0) % 2 * 255).astype(np.uint8)
        patch = cv2.resize(board, None, fx=30, fy=30, interpolation=cv2.INTER_NEAREST)
    elif kind == 2:
        stripes = (rng.random(90) < 0.5).astype(np.uint8) * 255
        patch = cv2.resize(np.tile(stripes, (60, 1)), None, fx=3, fy=3, interpolation=cv2.INTER_NEAREST)
    elif kind == 3:
        patch = scenes.document_page(width=360, seed=index)
    elif kind == 4:
        patch = scenes.phone_showing("x", module_px=6)
        patch[patch.shape[0] // 4 : -patch.shape[0] // 4, 20:-20] = 250  # a blank screen
    else:
        patch = np.full((300, 300), 255, np.uint8)
        for _ in range(3):
            f = _finder(int(rng.integers(40, 90)))
            y, x = (int(v) for v in rng.integers(0, 300 - f.shape[0], 2))
            patch[y : y + f.shape[0], x : x + f.shape[1]] = f
    h, w = patch.shape[:2]
    scale = min(1.0, 0.8 * SIZE[1] / max(h, w))
    corners = scenes.quad_around(
        (float(rng.uniform(400, 880)), float(rng.uniform(300, 420))),
        w * scale,
        h * scale,
        float(rng.uniform(0, 360)),
    )
    scenes.paste(frame, patch, corners, nearest=True)
    if index % 2:
        frame = scenes.with_noise(frame, 5.0, index)
    return QrCase(f"empty{index:03d}-k{kind}", frame, None)


def qr_set(positives: int = 120, negatives: int = 36, *, first: int = 0) -> list[QrCase]:
    """The QR test set; ``first`` > 0 gives frames the tests never saw (a held-out check of a tuning)."""
    return [qr_frame(first + i) for i in range(positives)] + [empty_frame(first + i) for i in range(negatives)]


def page_frame(
    angle: float,
    *,
    seed: int = 0,
    height_frac: float = 0.8,
    offset: tuple[float, float] = (0, 0),
    tilt: float = 0.0,
    blur: float = 0.0,
) -> PageCase:
    """A page on the desk turned by ``angle`` degrees; ``tilt`` moves corners for a perspective view."""
    frame = scenes.desk(*SIZE, seed=seed)
    page = scenes.document_page(seed=seed)
    ph = SIZE[1] * height_frac
    center = (SIZE[0] / 2 + offset[0], SIZE[1] / 2 + offset[1])
    corners = scenes.quad_around(center, ph * scenes.A4_RATIO, ph, angle)
    if tilt:
        corners = _jitter(corners, tilt * ph, np.random.default_rng(seed))
    scenes.paste(frame, page, corners)
    if blur:
        frame = cv2.GaussianBlur(frame, (0, 0), blur)
    frame = scenes.with_noise(frame, 2.0, seed)
    return PageCase(f"page-a{angle:.0f}-t{tilt}-b{blur}", frame, corners)
