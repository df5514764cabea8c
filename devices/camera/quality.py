"""Is this capture of a paper good enough to send, and if not, what should the person do about it?

Each problem is a :class:`QualityIssue` whose ``advice`` is said to the resident in plain words, Chinese
first: "请把材料放平 / lay the paper flat". The checks are cheap (a few milliseconds on a straightened
page) so they can run on every frame while the resident is still arranging the paper:

- placement, from the outline: no page, too small, cut off at the frame edge, not lying flat;
- the straightened page: a finger or hand on it (skin tones touching the page border), glare (blobs
  of saturated white), blur (variance of the Laplacian, only judged when the page has print on it).
"""

from __future__ import annotations

import enum

import cv2
import numpy as np

from devices.camera.frames import Frame, to_grey

#: The page is judged on a copy of this width; the thresholds below were measured at this size.
CHECK_WIDTH = 600
#: Below this variance of the Laplacian a page with print on it is too blurred to read.
BLUR_VARIANCE = 120.0
#: A page whose grey levels vary less than this (standard deviation) is blank: its blur cannot be judged.
MIN_CONTRAST_FOR_BLUR = 8.0
#: Saturated highlight blobs covering more than this fraction of the page are glare.
GLARE_FRACTION = 0.01
#: Skin-toned area touching the page border, as a fraction of the page, that counts as a finger.
FINGER_FRACTION = 0.004
#: The page must fill at least this fraction of the frame.
MIN_AREA_FRACTION = 0.12
#: Outline straying further than this (fraction of the page's size) from a straight quadrilateral: not flat.
MAX_BULGE = 0.01


class QualityIssue(enum.Enum):
    """Something to fix before the capture is good; the value is what to tell the person.

    Members are in the order they are worth telling: the first one present is said first.
    """

    NO_PAGE = "请把材料放在拍摄区中间 / put the paper in the middle of the capture area"
    CUT_OFF = "请把材料放在拍摄区中间，不要超出边框 / move the paper to the middle, it is cut off at the edge"
    TOO_SMALL = "材料太小或离得太远，请放在拍摄区中间 / the paper looks too small, put it in the middle of the area"
    FINGER = "请移开手指 / move your finger away"
    NOT_FLAT = "请把材料放平 / lay the paper flat"
    GLARE = "光线太强，请调整角度 / too much glare, tilt the paper away from the light"
    BLUR = "画面模糊，请保持不动 / the picture is blurred, please hold still"

    @property
    def advice(self) -> str:
        return self.value


def in_order(issues: list[QualityIssue]) -> tuple[QualityIssue, ...]:
    """Issues without repeats, most important first; a finger explains a bent outline, so that goes."""
    present = set(issues)
    if QualityIssue.FINGER in present:
        present.discard(QualityIssue.NOT_FLAT)
    return tuple(issue for issue in QualityIssue if issue in present)


def placement_issues(area_fraction: float, touches_edge: bool, bulge: float) -> list[QualityIssue]:
    issues = []
    if touches_edge:
        issues.append(QualityIssue.CUT_OFF)
    elif area_fraction < MIN_AREA_FRACTION:
        issues.append(QualityIssue.TOO_SMALL)
    if bulge > MAX_BULGE and not touches_edge:
        issues.append(QualityIssue.NOT_FLAT)
    return issues


def _resized(page: Frame) -> Frame:
    h, w = page.shape[:2]
    return cv2.resize(page, (CHECK_WIDTH, max(1, round(h * CHECK_WIDTH / w))), interpolation=cv2.INTER_AREA)


def sharpness(grey: Frame) -> float:
    """Variance of the Laplacian: high on crisp print, low when the picture is blurred."""
    return float(cv2.Laplacian(grey, cv2.CV_64F).var())


def glare_fraction(grey: Frame) -> float:
    """Fraction of the page covered by blobs of saturated white (single bright pixels do not count)."""
    saturated = cv2.morphologyEx((grey >= 252).astype(np.uint8), cv2.MORPH_OPEN, np.ones((5, 5), np.uint8))
    return float(saturated.mean())


def finger_fraction(page: Frame) -> float:
    """Fraction of the page that is skin-toned and connected to the page's border (a finger reaching in)."""
    if page.ndim != 3:
        return 0.0
    ycrcb = cv2.cvtColor(page, cv2.COLOR_BGR2YCrCb)
    skin = cv2.inRange(ycrcb, (40, 138, 80), (255, 175, 125))
    skin = cv2.morphologyEx(skin, cv2.MORPH_OPEN, np.ones((5, 5), np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(skin)
    h, w = skin.shape
    total = 0
    for label in range(1, count):
        x, y, bw, bh, area = stats[label]
        if x <= 2 or y <= 2 or x + bw >= w - 2 or y + bh >= h - 2:
            total += int(area)
    del labels
    return total / float(h * w)


def page_issues(page: Frame) -> list[QualityIssue]:
    """What is wrong with a straightened page, most important first."""
    small = _resized(page)
    grey = to_grey(small)
    issues = []
    if finger_fraction(small) > FINGER_FRACTION:
        issues.append(QualityIssue.FINGER)
    if glare_fraction(grey) > GLARE_FRACTION:
        issues.append(QualityIssue.GLARE)
    if float(grey.std()) >= MIN_CONTRAST_FOR_BLUR and sharpness(grey) < BLUR_VARIANCE:
        issues.append(QualityIssue.BLUR)
    return issues
