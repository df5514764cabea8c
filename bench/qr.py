"""QR decoding on the generated 1280×720 test set: the kiosk's pipeline against its peers, in one run.

    .venv/bin/python bench/qr.py [--positives 120] [--negatives 36] [--first 0]

Peers, each given the same BGR frame (grey conversion counted in its time):
- ``chosen``: ``devices.camera.qr.decode_qr`` (zxing-cpp with region crops and clean-up as fallbacks);
- ``zxing``: zxing-cpp restricted to QR codes, no rotation or inversion passes (its fastest fair setting;
  its own downscaling pass stays on, it helps on 1280×720);
- ``opencv``: ``cv2.QRCodeDetector().detectAndDecode``;
- ``opencv_aruco``: ``cv2.QRCodeDetectorAruco().detectAndDecode``.

The pipelines take turns frame by frame so that a busy moment of the shared machine hits them alike.
A read counts as a hit only when the text is the one encoded; any text from an empty frame is a false read.
The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import cv2
import numpy as np
import zxingcpp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from devices.camera.qr import decode_qr  # noqa: E402


def _load_generate() -> ModuleType:
    spec = importlib.util.spec_from_file_location("camera_test_generate", ROOT / "tests/devices/camera/generate.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


ONLY_QR = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
_opencv = cv2.QRCodeDetector()
_aruco = cv2.QRCodeDetectorAruco()


def chosen(frame: np.ndarray) -> str | None:
    raw = decode_qr(frame)
    return raw.text if raw else None


def zxing(frame: np.ndarray) -> str | None:
    grey = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    found = zxingcpp.read_barcodes(grey, formats=ONLY_QR, try_rotate=False, try_invert=False)
    return found[0].text if found else None


def opencv(frame: np.ndarray) -> str | None:
    text, _, _ = _opencv.detectAndDecode(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY))
    return text or None


def opencv_aruco(frame: np.ndarray) -> str | None:
    text, _, _ = _aruco.detectAndDecode(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY))
    return text or None


PIPELINES: dict[str, Callable[[np.ndarray], str | None]] = {
    "chosen": chosen,
    "zxing": zxing,
    "opencv": opencv,
    "opencv_aruco": opencv_aruco,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--positives", type=int, default=120)
    parser.add_argument("--negatives", type=int, default=36)
    parser.add_argument("--first", type=int, default=0, help="first frame index (300: a held-out set)")
    args = parser.parse_args()
    cv2.setNumThreads(1)  # fair and steady: every pipeline on one core, as on the kiosk's camera thread
    generate = _load_generate()
    cases = generate.qr_set(args.positives, args.negatives, first=args.first)
    for fn in PIPELINES.values():  # warm-up: first calls allocate
        fn(cases[0].frame)
    times: dict[str, list[float]] = {name: [] for name in PIPELINES}
    hits = dict.fromkeys(PIPELINES, 0)
    false_reads = dict.fromkeys(PIPELINES, 0)
    wrong = dict.fromkeys(PIPELINES, 0)
    names = list(PIPELINES)
    for index, case in enumerate(cases):
        order = names[index % len(names) :] + names[: index % len(names)]
        for name in order:
            start = time.perf_counter()
            text = PIPELINES[name](case.frame)
            times[name].append((time.perf_counter() - start) * 1000)
            if case.expected is None:
                false_reads[name] += text is not None
            elif text == case.expected:
                hits[name] += 1
            elif text is not None:
                wrong[name] += 1
    positives = sum(1 for c in cases if c.expected is not None)
    result: dict[str, object] = {
        "bench": "qr",
        "frames": len(cases),
        "positives": positives,
        "first": args.first,
        "size": "1280x720",
    }
    print(f"{'pipeline':14} {'hit rate':>9} {'false':>6} {'wrong':>6} {'median ms':>10} {'p90 ms':>8}")
    for name in names:
        median = statistics.median(times[name])
        p90 = float(np.percentile(times[name], 90))
        rate = hits[name] / positives
        print(f"{name:14} {rate:9.3f} {false_reads[name]:6d} {wrong[name]:6d} {median:10.2f} {p90:8.2f}")
        result[name] = {
            "hit_rate": round(rate, 4),
            "false_reads": false_reads[name],
            "wrong_reads": wrong[name],
            "median_ms": round(median, 2),
            "p90_ms": round(p90, 2),
        }
    chosen_median = statistics.median(times["chosen"])
    result["hit_ratio_vs_zxing"] = round(hits["chosen"] / max(1, hits["zxing"]), 3)
    result["median_ratio_vs_zxing"] = round(chosen_median / statistics.median(times["zxing"]), 3)
    result["goal_met"] = bool(hits["chosen"] >= hits["zxing"] and false_reads["chosen"] == 0 and chosen_median <= 10.0)
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
