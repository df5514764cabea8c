"""What the kiosk imports before its first paint stays light: no OpenCV, HTTP, SQL or platform libraries.

The attract screen paints before the hall opens (docs/architecture.md, "Start-up"); a heavy import on that path
is seconds of black screen on a hall's terminal each morning.
"""

from __future__ import annotations

import os
import subprocess
import sys

from devices.camera.quality import QualityIssue
from kiosk.hall.notices import quality_notice
from kiosk.visit.strings import CATALOG

BEFORE_FIRST_PAINT = (
    "ui.launch",
    "ui.controller",
    "ui.bridge",
    "kiosk.hall.opening",
    "kiosk.hall.catalog_store",
    "kiosk.paths",
    "kiosk.visit.session",
    "accessibility.voice_factory",
)
HEAVY = ("cv2", "numpy", "requests", "sqlalchemy", "fastapi", "uvicorn", "alembic", "escpos", "serial")


def test_nothing_heavy_is_imported_before_the_first_paint() -> None:
    script = (
        "import importlib, sys\n"
        f"for name in {BEFORE_FIRST_PAINT!r}: importlib.import_module(name)\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def test_every_capture_problem_has_a_sentence() -> None:
    for issue in QualityIssue:
        assert quality_notice((issue,)).key in CATALOG
