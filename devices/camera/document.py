"""Document capture (高拍仪拍材料): find the page on the desk, straighten it, check it, and make a JPEG.

The page is the largest four-cornered outline in the frame (a bright, low-colour region on the desk, or
failing that a closed edge outline). Its corners are refined by fitting a straight line to each side, ordered
top-left, top-right, bottom-right, bottom-left, and the page is warped to an upright rectangle, exactly A4
portrait when its proportions are close. :mod:`devices.camera.quality` then says what a person should fix
(lay it flat, move a finger, hold still, turn away from the light), and the result is a JPEG with its long
side about 1800 px and at most about 1 MB.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from devices.camera.frames import Frame, check_frame, fit_within, to_grey
from devices.camera.quality import QualityIssue, in_order, page_issues, placement_issues

Points = npt.NDArray[np.float32]
Contour = npt.NDArray[Any]

#: Page finding runs on a copy with this long side: outlines need no more, and it keeps the work bounded.
_WORK_LONG_SIDE = 800
#: The output's long side, in pixels: readable for a clerk, small enough to send.
OUTPUT_LONG_SIDE = 1800
#: Pages are checked on a straightened copy this long (600 px wide for A4), the size the checks were tuned at.
CHECK_LONG_SIDE = 849
#: Largest JPEG made, in bytes.
MAX_JPEG_BYTES = 1_000_000
#: Width over height of an A4 sheet in portrait.
A4_RATIO = 210.0 / 297.0
#: Proportions within this fraction of A4 are snapped to A4 exactly.
_A4_TOLERANCE = 0.08
#: The page must be at least this much lighter (grey levels) than the desk just around it.
_MIN_CONTRAST = 25.0


@dataclass(frozen=True)
class PageOutline:
    """Where the page lies in the frame (pixels of the frame), and how its outline looks."""

    corners: tuple[tuple[float, float], ...]  # top-left, top-right, bottom-right, bottom-left
    area_fraction: float  # of the frame
    touches_edge: bool  # the outline runs along the frame's border: part of the page is outside
    bulge: float  # how far the outline strays from the straight quadrilateral, as a fraction of its size


@dataclass(frozen=True)
class DocumentCapture:
    """One capture of a paper document: the upright JPEG (empty if no page) and what a person should fix."""

    jpeg: bytes
    size: tuple[int, int]  # width, height of the JPEG
    outline: PageOutline | None
    issues: tuple[QualityIssue, ...]

    @property
    def ok(self) -> bool:
        return bool(self.jpeg) and not self.issues

    @property
    def advice(self) -> str:
        """What to tell the person first (Chinese / English), empty when the capture is good."""
        return self.issues[0].advice if self.issues else ""


def order_corners(points: Points) -> Points:
    """Four points ordered clockwise from the top-left (smallest x + y) as the camera sees them."""
    pts = np.asarray(points, dtype=np.float32).reshape(4, 2)
    center = pts.mean(axis=0)
    angles = np.arctan2(pts[:, 1] - center[1], pts[:, 0] - center[0])
    pts = pts[np.argsort(angles)]  # clockwise on screen, because y grows downwards
    start = int(np.argmin(pts.sum(axis=1)))
    return np.roll(pts, -start, axis=0)


def _page_masks(small: Frame) -> list[Frame]:
    """Binary masks in which the page may be one blob: bright-and-grey regions, then closed edges."""
    grey = cv2.GaussianBlur(to_grey(small), (5, 5), 0)
    masks = []
    if small.ndim == 3:
        hsv = cv2.cvtColor(small, cv2.COLOR_BGR2HSV)
        bright = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)[1]
        grey_ish = cv2.inRange(hsv[:, :, 1], 0, 60)
        masks.append(cv2.bitwise_and(bright, grey_ish))
    else:
        masks.append(cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)[1])
    median = float(np.median(grey))
    edges = cv2.Canny(grey, 0.66 * median, 1.33 * median)
    masks.append(cv2.dilate(edges, np.ones((3, 3), np.uint8)))
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (9, 9))
    # Closing fills the text and rules printed on the page, so the page is one solid region.
    return [cv2.morphologyEx(mask, cv2.MORPH_CLOSE, kernel) for mask in masks]


def _refine(contour: Contour, rough: Points) -> Points:
    """Corners from straight lines fitted to each side's outline points (sub-pixel, robust to rounding)."""
    pts = contour.reshape(-1, 2).astype(np.float32)
    lines = []
    for i in range(4):
        a, b = rough[i], rough[(i + 1) % 4]
        side = b - a
        length = float(np.hypot(*side))
        if length < 1:
            return rough
        normal = np.array([-side[1], side[0]]) / length
        along = ((pts - a) @ side) / (length * length)
        near = np.abs((pts - a) @ normal) < max(3.0, 0.02 * length)
        chosen = pts[near & (along > 0.1) & (along < 0.9)]
        if len(chosen) < 5:
            return rough
        vx, vy, x0, y0 = cv2.fitLine(chosen, cv2.DIST_HUBER, 0, 0.01, 0.01).ravel()
        lines.append((np.array([x0, y0]), np.array([vx, vy])))
    corners = []
    for i in range(4):
        (p1, d1), (p2, d2) = lines[i - 1], lines[i]
        matrix = np.array([d1, -d2]).T
        if abs(np.linalg.det(matrix)) < 1e-6:
            return rough
        t = np.linalg.solve(matrix, p2 - p1)
        corners.append(p1 + t[0] * d1)
    refined = np.array(corners, dtype=np.float32)
    if np.max(np.abs(refined - rough)) > 0.05 * float(np.hypot(*(rough[2] - rough[0]))):
        return rough
    return refined


def _stands_out(grey: Frame, quad: Points) -> bool:
    """The region inside ``quad`` is clearly lighter than a band around it, as paper on a desk is."""
    inside = np.zeros(grey.shape, np.uint8)
    cv2.fillConvexPoly(inside, quad.astype(np.int32), 255)
    band = max(5, int(0.03 * max(grey.shape)))
    around = cv2.dilate(inside, np.ones((band, band), np.uint8))
    around = cv2.subtract(around, cv2.dilate(inside, np.ones((3, 3), np.uint8)))
    if cv2.countNonZero(around) < 50:  # the page fills the view: nothing to compare with
        return True
    return float(cv2.mean(grey, inside)[0]) - float(cv2.mean(grey, around)[0]) > _MIN_CONTRAST


def find_page(frame: Frame) -> PageOutline | None:
    """The page's outline in ``frame``, or None when nothing page-like is there."""
    frame = check_frame(frame)
    w = frame.shape[1]
    small = fit_within(frame, _WORK_LONG_SIDE)
    scale = w / small.shape[1]
    sh, sw = small.shape[:2]
    best: tuple[float, Contour, Points] | None = None
    grey = to_grey(small)
    for mask in _page_masks(small):
        contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
        for contour in sorted(contours, key=cv2.contourArea, reverse=True)[:3]:
            area = cv2.contourArea(contour)
            if area < 0.03 * sh * sw or area > 0.97 * sh * sw:
                continue
            hull = cv2.convexHull(contour)
            quad = cv2.approxPolyDP(hull, 0.02 * cv2.arcLength(hull, closed=True), closed=True)
            if len(quad) != 4 or not cv2.isContourConvex(quad):
                continue
            corners = order_corners(quad.reshape(4, 2).astype(np.float32))
            if area < 0.85 * cv2.contourArea(corners) or not _stands_out(grey, corners):
                continue
            if best is None or area > best[0]:
                best = (area, contour, corners)
        if best is not None:
            break
    if best is None:
        return None
    area, contour, rough = best
    corners = _refine(contour, rough)
    quad_area = float(cv2.contourArea(corners))
    size = float(np.sqrt(max(quad_area, 1.0)))
    pts = contour.reshape(-1, 2)
    distances = [abs(cv2.pointPolygonTest(corners, (float(x), float(y)), measureDist=True)) for x, y in pts[::4]]
    bulge = float(np.percentile(distances, 98)) / size if distances else 0.0
    margin = 2
    touches = bool(
        (pts[:, 0] <= margin).sum()
        + (pts[:, 0] >= sw - 1 - margin).sum()
        + (pts[:, 1] <= margin).sum()
        + (pts[:, 1] >= sh - 1 - margin).sum()
        > 0.05 * len(pts)
    )
    full = corners * scale
    return PageOutline(
        corners=tuple((float(x), float(y)) for x, y in full),
        area_fraction=area / float(sh * sw),
        touches_edge=touches,
        bulge=bulge,
    )


def _output_size(corners: Points, long_side: int) -> tuple[int, int]:
    tl, tr, br, bl = corners
    width = max(np.hypot(*(tr - tl)), np.hypot(*(br - bl)))
    height = max(np.hypot(*(bl - tl)), np.hypot(*(br - tr)))
    ratio = width / height
    portrait = ratio <= 1
    short_over_long = ratio if portrait else 1 / ratio
    if abs(short_over_long - A4_RATIO) / A4_RATIO < _A4_TOLERANCE:
        short_over_long = A4_RATIO
    short_side = round(long_side * short_over_long)
    return (short_side, long_side) if portrait else (long_side, short_side)


def _text_runs_vertically(grey: Frame) -> bool:
    """True when the page's ink forms columns rather than rows: the page lies sideways."""
    small = cv2.resize(grey, (200, 200), interpolation=cv2.INTER_AREA)
    ink = (small < 128).astype(np.float32)
    return float(np.var(ink.mean(axis=0))) > 1.5 * float(np.var(ink.mean(axis=1)))


def _warp(frame: Frame, outline: PageOutline, long_side: int) -> Frame:
    corners = np.array(outline.corners, dtype=np.float32)
    out_w, out_h = _output_size(corners, long_side)
    target = np.array([[0, 0], [out_w - 1, 0], [out_w - 1, out_h - 1], [0, out_h - 1]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(corners, target)
    return cv2.warpPerspective(frame, matrix, (out_w, out_h), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)


def _turns_for(page: Frame) -> tuple[int, ...]:
    """The ``cv2.rotate`` codes that make a warped page upright: none, unless it lies sideways.

    A page laid sideways has its lines running down; turn it so they run across. Which way round cannot
    be told from the outline; more ink at the top (title, header) is the usual page, so prefer that.
    """
    if page.shape[1] <= page.shape[0] or not _text_runs_vertically(to_grey(page)):
        return ()
    grey = to_grey(cv2.rotate(page, cv2.ROTATE_90_CLOCKWISE))
    quarter = grey.shape[0] // 4
    if (grey[-quarter:] < 128).mean() > 1.3 * (grey[:quarter] < 128).mean():
        return (cv2.ROTATE_90_COUNTERCLOCKWISE,)
    return (cv2.ROTATE_90_CLOCKWISE,)


def _turned(page: Frame, turns: tuple[int, ...]) -> Frame:
    for code in turns:
        page = cv2.rotate(page, code)
    return page


def straighten(frame: Frame, outline: PageOutline, long_side: int = OUTPUT_LONG_SIDE) -> Frame:
    """The page cut out of ``frame`` as an upright rectangle with the given long side."""
    page = _warp(frame, outline, long_side)
    return _turned(page, _turns_for(page))


def encode_jpeg(page: Frame, max_bytes: int = MAX_JPEG_BYTES) -> bytes:
    """``page`` as a JPEG of at most ``max_bytes``: lower quality first, then fewer pixels."""
    image = page
    while True:
        for quality in (88, 80, 70, 60):
            ok, buffer = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
            if ok and len(buffer) <= max_bytes:
                return buffer.tobytes()
        if max(image.shape[:2]) < 400:
            raise ValueError("page cannot be encoded under the size limit")
        image = fit_within(image, int(max(image.shape[:2]) * 0.8))


@dataclass(frozen=True)
class Assessment:
    """One frame judged, before any encoding: the outline, what to fix, and how to make the full page."""

    outline: PageOutline | None
    issues: tuple[QualityIssue, ...]
    frame: Frame | None = None
    turns: tuple[int, ...] = ()


def assess_frame(frame: object) -> Assessment:
    """Find and judge the page in one frame; the checks run on a small straightened copy (a few ms)."""
    checked = check_frame(frame)
    outline = find_page(checked)
    if outline is None:
        return Assessment(None, (QualityIssue.NO_PAGE,))
    issues = placement_issues(outline.area_fraction, outline.touches_edge, outline.bulge)
    small = _warp(checked, outline, CHECK_LONG_SIDE)
    turns = _turns_for(small)
    issues += page_issues(_turned(small, turns))
    return Assessment(outline, in_order(issues), checked, turns)


def encode_capture(assessment: Assessment) -> DocumentCapture:
    """The full-size upright page of an assessed frame as a JPEG (empty when there was no page)."""
    if assessment.outline is None or assessment.frame is None:
        return DocumentCapture(b"", (0, 0), assessment.outline, assessment.issues)
    page = _turned(_warp(assessment.frame, assessment.outline, OUTPUT_LONG_SIDE), assessment.turns)
    return DocumentCapture(encode_jpeg(page), (page.shape[1], page.shape[0]), assessment.outline, assessment.issues)


def capture_document(frame: object) -> DocumentCapture:
    """Find, straighten, check and encode the page in one frame; an empty capture says why when none."""
    return encode_capture(assess_frame(frame))
