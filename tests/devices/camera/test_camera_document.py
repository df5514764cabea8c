"""Document capture on generated photos of a page on a desk."""

from __future__ import annotations

from types import ModuleType

import cv2
import numpy as np
import pytest

from devices.camera import scenes
from devices.camera.document import capture_document, find_page
from devices.camera.quality import QualityIssue


def _corner_error(found: tuple[tuple[float, float], ...], truth: np.ndarray) -> float:
    """Largest distance from a true corner to the nearest found one (order-free: a page laid sideways)."""
    pts = np.array(found)
    return max(float(np.min(np.hypot(*(pts - corner).T))) for corner in truth)


def _marker_is_top_left(jpeg: bytes) -> bool:
    """The black block drawn top-left on the page is top-left in the output, and nowhere else."""
    page = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_GRAYSCALE)
    h, w = page.shape
    box = (slice(int(0.09 * h * 0.707), int(0.16 * h * 0.707)), slice(int(0.09 * w), int(0.16 * w)))
    corners = {
        "tl": page[box[0], box[1]],
        "tr": page[box[0], w - box[1].stop : w - box[1].start],
        "bl": page[h - box[0].stop : h - box[0].start, box[1]],
        "br": page[h - box[0].stop : h - box[0].start, w - box[1].stop : w - box[1].start],
    }
    means = {name: float(region.mean()) for name, region in corners.items()}
    return means["tl"] < 80 and all(value > 150 for name, value in means.items() if name != "tl")


@pytest.mark.parametrize("angle", [0, 7, -12, 25, -35])
def test_a_turned_page_is_found_and_comes_out_upright(gen: ModuleType, angle: float) -> None:
    case = gen.page_frame(angle, seed=abs(int(angle)))
    capture = capture_document(case.frame)
    assert capture.ok, capture.issues
    assert capture.outline is not None
    assert _corner_error(capture.outline.corners, case.corners) < 3.0
    assert _marker_is_top_left(capture.jpeg)
    width, height = capture.size
    assert width < height
    assert 1600 <= height <= 2000
    assert abs(width / height - 210 / 297) < 0.01  # snapped to A4
    assert len(capture.jpeg) <= 1_000_000


def test_a_page_seen_at_a_slant_is_straightened(gen: ModuleType) -> None:
    case = gen.page_frame(5, seed=11, tilt=0.05)
    capture = capture_document(case.frame)
    assert capture.ok, capture.issues
    assert capture.outline is not None
    assert _corner_error(capture.outline.corners, case.corners) < 3.0
    assert _marker_is_top_left(capture.jpeg)


def test_a_page_laid_sideways_is_turned_to_portrait(gen: ModuleType) -> None:
    capture = capture_document(gen.page_frame(90, seed=5).frame)
    assert capture.ok
    assert capture.size[0] < capture.size[1]
    assert _marker_is_top_left(capture.jpeg)


def test_a_blurred_page_asks_the_person_to_hold_still(gen: ModuleType) -> None:
    capture = capture_document(gen.page_frame(5, seed=12, blur=2.5).frame)
    assert capture.issues == (QualityIssue.BLUR,)
    assert capture.advice == "画面模糊，请保持不动 / the picture is blurred, please hold still"


def test_a_page_cut_off_at_the_edge_asks_to_move_it_to_the_middle(gen: ModuleType) -> None:
    capture = capture_document(gen.page_frame(5, seed=3, offset=(520, 0)).frame)
    assert capture.issues[0] is QualityIssue.CUT_OFF
    assert capture.advice.startswith("请把材料放在拍摄区中间")


def test_a_finger_on_the_page_is_noticed(gen: ModuleType) -> None:
    case = gen.page_frame(3, seed=4)
    frame = case.frame.copy()
    tl, _, _, bl = case.corners
    x, y = ((tl + bl) / 2).astype(int)
    cv2.ellipse(frame, (int(x) + 10, int(y)), (70, 22), 0, 0, 360, (120, 150, 215), -1)  # a fingertip
    capture = capture_document(frame)
    assert capture.issues[0] is QualityIssue.FINGER
    assert capture.advice == "请移开手指 / move your finger away"


def test_glare_on_the_page_is_noticed(gen: ModuleType) -> None:
    case = gen.page_frame(2, seed=6)
    frame = case.frame.copy()
    cv2.circle(frame, (660, 300), 45, (255, 255, 255), -1)
    capture = capture_document(cv2.GaussianBlur(frame, (0, 0), 1.0))
    assert QualityIssue.GLARE in capture.issues


def test_a_small_page_is_reported_too_small(gen: ModuleType) -> None:
    capture = capture_document(gen.page_frame(5, seed=14, height_frac=0.3).frame)
    assert capture.issues[0] is QualityIssue.TOO_SMALL


def test_an_empty_desk_has_no_page() -> None:
    frame = scenes.desk(1280, 720, seed=1)
    assert find_page(frame) is None
    capture = capture_document(frame)
    assert capture.jpeg == b""
    assert capture.issues == (QualityIssue.NO_PAGE,)
    assert capture.advice == "请把材料放在拍摄区中间 / put the paper in the middle of the capture area"


def test_a_bowed_page_asks_to_lay_it_flat(gen: ModuleType) -> None:
    case = gen.page_frame(4, seed=9)
    frame = case.frame.copy()
    _, tr, br, _ = case.corners
    side = br - tr
    outward = np.array([side[1], -side[0]]) / float(np.hypot(*side))
    # The right edge lifts and bows outward by 16 px in the middle, as a curled sheet does.
    cv2.fillConvexPoly(frame, np.array([tr, (tr + br) / 2 + outward * 16, br], np.int32), (240, 240, 236))
    capture = capture_document(frame)
    assert capture.issues == (QualityIssue.NOT_FLAT,)
    assert capture.advice == "请把材料放平 / lay the paper flat"
