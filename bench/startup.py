"""Start-up: process start to the attract screen's first paint, in demo mode, offscreen.

Peer, in the same run: a bare PySide6 process that shows one label (what Qt itself costs on this machine).
Prints one JSON line at the end: medians, the ratio, and the goal (≤ 1.0 s median).

    .venv/bin/python bench/startup.py [--runs 10]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

KIOSK_CHILD = r"""
import sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication
import ui.launch as launch

class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and obj.objectName() == "kiosk-window":
            print(f"PAINT {time.time():.6f}", flush=True)
            QTimer.singleShot(0, QApplication.instance().quit)
            QApplication.instance().removeEventFilter(self)
        return False

app = QApplication(sys.argv[:1])
watcher = FirstPaint()
app.installEventFilter(watcher)
from kiosk.config import parse_config
config = parse_config(f'data_dir = "{sys.argv[1]}"\n[voice]\nengine = "record"\n')
launch.run_app(config, demo=True, mode="kiosk", windowed=True)
"""

BARE_CHILD = r"""
import sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QLabel

class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and obj is label:
            print(f"PAINT {time.time():.6f}", flush=True)
            QTimer.singleShot(0, app.quit)
            app.removeEventFilter(self)
        return False

app = QApplication(sys.argv[:1])
label = QLabel("开始办理")
watcher = FirstPaint()
app.installEventFilter(watcher)
label.resize(1080, 1920)
label.show()
app.exec()
"""


def one_run(code: str, data_dir: str) -> float:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    started = time.time()
    result = subprocess.run(
        [sys.executable, "-c", code, data_dir], capture_output=True, text=True, env=env, timeout=120, check=False
    )
    for line in result.stdout.splitlines():
        if line.startswith("PAINT "):
            return float(line.split()[1]) - started
    raise RuntimeError(f"no first paint: {result.stderr[-2000:]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        one_run(KIOSK_CHILD, data_dir)  # first start makes keys, caches and the demo database
        kiosk, bare = [], []
        for _ in range(args.runs):
            kiosk.append(one_run(KIOSK_CHILD, data_dir))
            bare.append(one_run(BARE_CHILD, data_dir))
    kiosk_median, bare_median = statistics.median(kiosk), statistics.median(bare)
    print(
        json.dumps(
            {
                "bench": "startup",
                "runs": args.runs,
                "kiosk_first_paint_median_s": round(kiosk_median, 3),
                "kiosk_first_paint_max_s": round(max(kiosk), 3),
                "bare_qt_first_paint_median_s": round(bare_median, 3),
                "ratio_kiosk_to_bare_qt": round(kiosk_median / bare_median, 2),
                "goal_median_s": 1.0,
                "meets_goal": kiosk_median <= 1.0,
            }
        )
    )


if __name__ == "__main__":
    main()
