"""Pictures of what the kiosk's camera sees on its desk, drawn at run time for demo mode and tests.

A desk (桌面) with some wood grain, a phone showing a QR code (手机亮码), a sheet of paper with a title and
lines of text (材料). Everything is drawn from a seed so the same call gives the same pixels; nothing large is
kept in the repository. Chinese text is drawn with Pillow and a Noto CJK font found by ``fc-match``; without
one the page still has its layout, only the characters are missing.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt
import qrcode
from PIL import Image, ImageDraw, ImageFont

from devices.camera.document import A4_RATIO
from devices.camera.frames import Frame

Quad = npt.NDArray[np.float32]


@functools.cache
def cjk_font_path() -> Path | None:
    """A font file that has Chinese characters, or None when the machine has none."""
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return None
    try:
        out = subprocess.run(  # noqa: S603  (a fixed argument list, no shell)
            [fc_match, "--format=%{file}", "Noto Sans CJK SC:lang=zh-cn"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    path = Path(out) if out else None
    return path if path is not None and path.is_file() else None


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = cjk_font_path()
    if path is not None:
        try:
            return ImageFont.truetype(str(path), size)
        except OSError:
            pass
    return ImageFont.load_default(size)


def desk(width: int, height: int, seed: int = 0) -> Frame:
    """A light wooden desk top: smooth shading, grain along x, and a little sensor noise (kept for reuse)."""
    return _desk(width, height, seed).copy()


@functools.lru_cache(maxsize=8)
def _desk(width: int, height: int, seed: int) -> Frame:
    return draw_desk(width, height, seed)


def draw_desk(width: int, height: int, seed: int = 0) -> Frame:
    """The desk drawn afresh: the simulated camera keeps only its frames, not a desk beside them (2.7 MB)."""
    rng = np.random.default_rng(seed)
    base = np.array([96, 132, 168], dtype=np.float32) + rng.uniform(-12, 12, 3).astype(np.float32)
    across = np.linspace(0, 1, width, dtype=np.float32)
    down = np.linspace(1, 0, height, dtype=np.float32)
    shade = 0.85 + 0.15 * np.outer(down, across)
    low = cv2.resize(rng.normal(0, 1, (9, 16)).astype(np.float32), (width, height), interpolation=cv2.INTER_CUBIC)
    grain_rows = cv2.GaussianBlur(rng.normal(0, 1, (height, 1)).astype(np.float32), (1, 7), 0)
    grain = np.broadcast_to(grain_rows, (height, width)) * 10 + low * 6
    img = base[None, None, :] * shade[..., None] + grain[..., None]
    return with_noise(np.clip(img, 0, 255).astype(np.uint8), 2.0, seed)


@functools.lru_cache(maxsize=64)
def _qr_matrix(text: str, error_correction: int) -> Frame:
    code = qrcode.QRCode(error_correction=error_correction, border=4, box_size=1)
    code.add_data(text.encode("utf-8"))
    code.make(fit=True)
    matrix = np.array(code.get_matrix(), dtype=bool)
    return np.where(matrix, 0, 255).astype(np.uint8)


def qr_modules(text: str, *, error_correction: int = qrcode.constants.ERROR_CORRECT_M) -> Frame:
    """The QR code for ``text`` as a grey image with one pixel per module and a four-module quiet zone."""
    return _qr_matrix(text, error_correction).copy()


def quad_around(center: tuple[float, float], width: float, height: float, angle_deg: float) -> Quad:
    """Corners (top-left, top-right, bottom-right, bottom-left) of a rotated rectangle."""
    cx, cy = center
    a = np.deg2rad(angle_deg)
    ux, uy = np.cos(a), np.sin(a)
    vx, vy = -np.sin(a), np.cos(a)
    w2, h2 = width / 2, height / 2
    pts = [(-w2, -h2), (w2, -h2), (w2, h2), (-w2, h2)]
    return np.array([[cx + px * ux + py * vx, cy + px * uy + py * vy] for px, py in pts], dtype=np.float32)


def paste(frame: Frame, patch: Frame, corners: Quad, *, nearest: bool = False) -> None:
    """Draw ``patch`` (grey or BGR) onto ``frame`` in place so that its corners land on ``corners``."""
    h, w = patch.shape[:2]
    src = np.array([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(src, corners.astype(np.float32))
    size = (frame.shape[1], frame.shape[0])
    colour = patch if patch.ndim == 3 else cv2.cvtColor(patch, cv2.COLOR_GRAY2BGR)
    flags = cv2.INTER_NEAREST if nearest else cv2.INTER_LINEAR
    warped = cv2.warpPerspective(colour, matrix, size, flags=flags)
    mask = cv2.warpPerspective(np.full((h, w), 255, np.uint8), matrix, size, flags=cv2.INTER_LINEAR)
    alpha = (mask.astype(np.float32) / 255.0)[..., None]
    np.copyto(frame, (warped * alpha + frame * (1 - alpha)).astype(np.uint8))


def phone_showing(text: str, module_px: int = 5) -> Frame:
    """A phone lying on the desk, screen up, showing the QR code for ``text`` (white screen, black bezel)."""
    modules = qr_modules(text)
    qr = cv2.resize(modules, None, fx=module_px, fy=module_px, interpolation=cv2.INTER_NEAREST)
    side = qr.shape[0]
    screen_w, screen_h = side + 2 * module_px, int(side * 1.9)
    bezel = max(8, side // 14)
    phone = np.full((screen_h + 2 * bezel, screen_w + 2 * bezel, 3), 24, np.uint8)
    screen = np.full((screen_h, screen_w, 3), 250, np.uint8)
    cv2.rectangle(screen, (0, 0), (screen_w, side // 5), (92, 160, 40), -1)  # the app's green title bar
    top = (screen_h - side) // 2
    screen[top : top + side, module_px : module_px + side] = cv2.cvtColor(qr, cv2.COLOR_GRAY2BGR)
    phone[bezel : bezel + screen_h, bezel : bezel + screen_w] = screen
    return phone


def document_page(width: int = 840, title: str = "居民身份证明申请表", seed: int = 0) -> Frame:
    """A portrait A4 page: a black orientation block top-left, a title, and lines of text and rules."""
    height = round(width / A4_RATIO)
    rng = np.random.default_rng(seed)
    page = Image.new("RGB", (width, height), (246, 246, 242))
    draw = ImageDraw.Draw(page)
    margin = width // 12
    draw.rectangle((margin, margin, margin + width // 10, margin + width // 10), fill=(20, 20, 20))
    title_font = _font(width // 20)
    draw.text((margin + width // 7, margin), title, fill=(15, 15, 15), font=title_font)
    body = _font(width // 34)
    words = "申请人姓名 证件号码 联系电话 住址 事项名称 办理日期 签名 Applicant ID Phone Address"
    y = margin + width // 6
    while y < height - margin * 2:
        start = int(rng.integers(0, len(words) - 12))
        draw.text((margin, y), words[start : start + 24], fill=(40, 40, 40), font=body)
        draw.line((margin, y + width // 24, width - margin, y + width // 24), fill=(120, 120, 120), width=2)
        y += width // 14
    return cv2.cvtColor(np.asarray(page), cv2.COLOR_RGB2BGR)


def with_noise(frame: Frame, sigma: float, seed: int) -> Frame:
    """``frame`` plus Gaussian sensor noise of ``sigma`` grey levels, the same for the same ``seed``.

    NumPy's generator, not OpenCV's: ``cv2.randn`` after ``cv2.setRNGSeed`` gave different pixels in
    different processes. The noise is grey (one value for the three channels), a third of the work.
    """
    shape = (*frame.shape[:2], 1) if frame.ndim == 3 else frame.shape
    noise = np.random.default_rng(seed).standard_normal(shape, dtype=np.float32) * np.float32(sigma)
    noisy: Frame = np.clip(frame + noise, 0, 255).astype(np.uint8)
    return noisy


def qr_scene(text: str, seed: int = 0, size: tuple[int, int] = (1280, 720)) -> Frame:
    """A phone with a QR code on the desk, slightly turned, as a resident holds it under the camera."""
    w, h = size
    frame = draw_desk(w, h, seed)
    phone = phone_showing(text, module_px=5)
    ph, pw = phone.shape[:2]
    corners = quad_around((w * 0.5, h * 0.5), pw * 0.9, ph * 0.9, 8.0 + seed % 5)
    paste(frame, phone, corners)
    return frame


def document_scene(seed: int = 0, size: tuple[int, int] = (1280, 720), angle: float = 4.0) -> Frame:
    """A sheet of paper lying on the desk, a little turned."""
    w, h = size
    frame = draw_desk(w, h, seed)
    page = document_page(seed=seed)
    page_h = h * 0.86
    corners = quad_around((w * 0.5, h * 0.5), page_h * A4_RATIO, page_h, angle)
    paste(frame, page, corners)
    return frame


#: What the phone in the demo's ``"qr"`` scene shows (an appointment's code).
DEMO_QR_TEXT = "https://zwfw.example.gov.cn/yy?no=20261122-0042"


def scene_frames(
    name: str, size: tuple[int, int] = (1280, 720), seed: int = 0, qr_text: str = DEMO_QR_TEXT
) -> Sequence[Frame]:
    """One scene (``"qr"``, ``"document"`` or ``"empty"``) as a few frames that differ only by sensor noise;
    the ``"qr"`` scene's phone shows ``qr_text``."""
    if name == "qr":
        base = qr_scene(qr_text, seed, size)
    elif name == "document":
        base = document_scene(seed, size)
    elif name == "empty":
        base = draw_desk(*size, seed=seed)
    else:
        raise ValueError(f"unknown scene {name!r}")
    return [with_noise(base, 1.5, seed + i) for i in range(3)]

