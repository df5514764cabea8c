"""The accessibility audit of the staff member's client, with a desk's numbers instead of the kiosk's.

Every screen of :mod:`ui.assisted.screens`, at 1366×768 and 1920×1080, goes through
:func:`accessibility.audit.audit_widget` with the desktop theme (body text ≥ 16 px, targets ≥ 32 px). What a
desk differs in: text contrast must reach 4.5:1 (WCAG 2.2 AA for a screen read from a chair; the palette aims
at 7:1 anyway); there is no voice, so the spoken-prompt rules do not apply; a mouse pointer needs no 16 px
between 32 px targets (WCAG 2.5.8 asks 24 px targets or spacing, which 32 px targets meet without it); lists
and forms scroll with the wheel and the scroll bar, not a finger's swipe. A widget cut by the edge of the
scroll area it sits in is read where it shows whole (the pixels under its cut part are not its background).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import AbstractContextManager

from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QScrollArea, QWidget

from accessibility.audit import Violation, audit_widget, describe
from accessibility.audit_run import AuditReport
from kiosk.visit.catalog import Catalog
from ui.assisted.desk import AssistedDesk
from ui.assisted.screens import SIZES, Drive, build, demo_laptop, screens
from ui.assisted.style import DESKTOP

DESKTOP_MIN_CONTRAST = 4.5
#: Rules of the kiosk that a staff member's desk does not have (see the module's docstring).
NOT_ON_A_DESK = frozenset({"voice-prompt", "error-spoken", "target-spacing", "scroll-by-finger"})
_RATIO = re.compile(r"^([0-9.]+):1$")


def _cut_by_scrolling(root: QWidget) -> set[str]:
    """Widgets partly outside the viewport of the scroll area they are in (as the audit names them)."""
    cut: set[str] = set()
    for area in root.findChildren(QScrollArea):
        viewport = area.viewport()
        seen = QRect(viewport.mapTo(root, QPoint(0, 0)), viewport.size())
        content = area.widget()
        if content is None:
            continue
        for widget in content.findChildren(QWidget):
            box = QRect(widget.mapTo(root, QPoint(0, 0)), widget.size())
            if widget.isVisible() and box.intersects(seen) and not seen.contains(box):
                cut.add(describe(widget))
    return cut


def _applies(violation: Violation, cut: set[str]) -> bool:
    if violation.rule in NOT_ON_A_DESK:
        return False
    if violation.rule == "contrast" and violation.widget in cut:
        return False
    if violation.rule == "contrast":
        found = _RATIO.match(violation.measured)
        return found is None or float(found.group(1)) < DESKTOP_MIN_CONTRAST
    return True


def audit_assisted(catalog: Catalog) -> AuditReport:
    """Every screen of :mod:`ui.assisted.screens` through the desk's audit."""
    return audit_screens(demo_laptop(catalog), screens())


def audit_screens(
    laptop: AbstractContextManager[Callable[[], AssistedDesk]], listed: list[tuple[str, Drive]]
) -> AuditReport:
    """Each of ``listed`` over a laptop of ``laptop``, at every size of :data:`SIZES`, with a desk's numbers."""
    found: list[Violation] = []
    checked: list[tuple[str, str, str]] = []
    with laptop as make:
        for size_name, size in SIZES.items():
            for label, drive in listed:
                window = build(make, drive, size)
                violations = audit_widget(
                    window,
                    DESKTOP,
                    screen_name=label,
                    has_voice_prompt=True,
                    error_messages={},
                    orientation=size_name,
                    glass=size,
                )
                cut = _cut_by_scrolling(window)
                found += [v for v in violations if _applies(v, cut)]
                checked.append((label, DESKTOP.name, size_name))
                window.close()
                window.deleteLater()
    return AuditReport(tuple(found), tuple(checked))
