"""The screens of exporting to a drive, 修改后重新提交 and 代为查询 / 代为取号 pass the desk's accessibility audit
(body text ≥ 16 px, targets ≥ 32 px, contrast ≥ 4.5:1) at 1366×768 and 1920×1080, and ``kiosk screenshots``
renders them."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from accessibility.audit import format_violations
from kiosk.hall.catalog_store import bundled_catalog
from ui.assisted.screens import SIZES
from ui.assisted.screens_more import audit_assisted_more, render_assisted_more, screens


@pytest.mark.slow
def test_the_added_screens_pass_the_desktop_audit() -> None:
    report = audit_assisted_more(bundled_catalog())
    assert len(report.checked) == len(screens()) * len(SIZES)
    assert report.passed, format_violations(report.violations)


def test_the_added_screens_are_rendered_at_both_sizes(tmp_path: Path) -> None:
    written = render_assisted_more(bundled_catalog(), tmp_path)
    assert len(written) == len(screens()) * len(SIZES)
    shot = QImage(str(tmp_path / "a20-query-result__desktop__laptop.png"))
    assert (shot.width(), shot.height()) == SIZES["laptop"]
