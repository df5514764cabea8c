"""Scrolling by finger: every scroll area on the kiosk follows a swipe and keeps moving after it (kinetic).

A touch screen's swipe arrives as a mouse drag; :func:`kinetic` lets the area's viewport take that drag as a
scroll. A tap that does not move still reaches the button under the finger.

Each :class:`QScroller` registers a gesture recognizer of a new gesture type with Qt, which Qt and the binding
never forget (≈ 5 KB a scroller, measured: a new enum class in the binding, the recognizer's entries in Qt's
gesture manager). Screens are built anew on every change, so a screen takes its area from
:func:`kinetic_area` and the shell gives it back (:func:`give_back`) when the screen goes: the hall's months of
visits use the same few scrollers.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtWidgets import QAbstractScrollArea, QScrollArea, QScrollBar, QScroller, QScrollerProperties, QWidget

#: Spare areas kept for the next screens (two screens with an area can stand side by side during a change).
SPARES = 2
SPARE_NAME = "kinetic-spare"
_spares: list[QScrollArea] = []


def kinetic(area: QAbstractScrollArea) -> QAbstractScrollArea:
    """Swipe to scroll ``area`` (touch or mouse drag), with momentum; returns the area."""
    viewport = area.viewport()
    if QScroller.hasScroller(viewport):
        return area  # a spare: its scroller stays (grabbing again would register another gesture type)
    QScroller.grabGesture(viewport, QScroller.ScrollerGestureType.LeftMouseButtonGesture)
    scroller = QScroller.scroller(viewport)
    properties = scroller.scrollerProperties()
    # No rubber band past the ends: an elderly reader takes the bounce for something that went wrong.
    off = QScrollerProperties.OvershootPolicy.OvershootAlwaysOff
    properties.setScrollMetric(QScrollerProperties.ScrollMetric.VerticalOvershootPolicy, off)
    properties.setScrollMetric(QScrollerProperties.ScrollMetric.HorizontalOvershootPolicy, off)
    scroller.setScrollerProperties(properties)
    return area


def kinetic_area() -> QScrollArea:
    """A scroll area that scrolls by finger: a spare one a screen gave back, else a new one. Its scroll bars
    are new (whatever the last screen connected to them went with them). A spare is hidden: show it once it is
    in its screen's layout."""
    while _spares:
        area = _spares.pop()
        # Only from a window on the glass: one closed (a screenshot's, the audit's) took its theme's style with it.
        if shiboken6.isValid(area) and area.window().isVisible():
            area.setParent(None)
            area.setVerticalScrollBar(QScrollBar())
            area.setHorizontalScrollBar(QScrollBar())
            area.setObjectName("")
            return area
    area = QScrollArea()
    kinetic(area)
    return area


def give_back(part: QWidget, keeper: QWidget) -> None:
    """``part`` is going: its finger-scrolled areas are emptied and kept (hidden, under ``keeper``, the window)
    for the next screens, so their scrollers live on."""
    if not keeper.isVisible():
        return  # a window not on the glass keeps nothing for later
    for area in part.findChildren(QScrollArea):
        if len(_spares) >= SPARES or not QScroller.hasScroller(area.viewport()):
            continue
        QScroller.scroller(area.viewport()).stop()
        content = area.takeWidget()
        if content is not None:
            content.deleteLater()
        area.setParent(keeper)
        area.hide()  # explicitly: a window shown again must not show it at its corner
        area.setObjectName(SPARE_NAME)
        _spares.append(area)
