"""Every screen of the staff member's client passes the accessibility audit with a desk's numbers, at a
laptop's 1366×768 and a desktop's 1920×1080 (body text ≥ 16 px, targets ≥ 32 px, contrast ≥ 4.5:1)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from accessibility.audit import format_violations
from kiosk.hall.catalog_store import bundled_catalog
from ui.assisted.audit import audit_assisted
from ui.assisted.screens import SIZES, render_assisted, screens


@pytest.mark.slow
def test_every_assisted_screen_passes_the_desktop_audit() -> None:
    report = audit_assisted(bundled_catalog())
    assert len(report.checked) == len(screens()) * len(SIZES)
    assert report.passed, format_violations(report.violations)


@pytest.mark.slow
def test_screenshots_render_every_assisted_screen_at_both_sizes(tmp_path: Path) -> None:
    written = render_assisted(bundled_catalog(), tmp_path)
    assert len(written) == len(screens()) * len(SIZES)
    laptop = QImage(str(tmp_path / "a03-case-list__desktop__laptop.png"))
    assert (laptop.width(), laptop.height()) == SIZES["laptop"]
