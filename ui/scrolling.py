"""Scrolling by finger: every scroll area on the kiosk follows a swipe and keeps moving after it (kinetic).

A touch screen's swipe arrives as a mouse drag; :func:`kinetic` lets the area's viewport take that drag as a
scroll. A tap that does not move still reaches the button under the finger.
"""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractScrollArea, QScroller, QScrollerProperties


def kinetic(area: QAbstractScrollArea) -> QAbstractScrollArea:
    """Swipe to scroll ``area`` (touch or mouse drag), with momentum; returns the area."""
    viewport = area.viewport()
    QScroller.grabGesture(viewport, QScroller.ScrollerGestureType.LeftMouseButtonGesture)
    scroller = QScroller.scroller(viewport)
    properties = scroller.scrollerProperties()
    # No rubber band past the ends: an elderly reader takes the bounce for something that went wrong.
    off = QScrollerProperties.OvershootPolicy.OvershootAlwaysOff
    properties.setScrollMetric(QScrollerProperties.ScrollMetric.VerticalOvershootPolicy, off)
    properties.setScrollMetric(QScrollerProperties.ScrollMetric.HorizontalOvershootPolicy, off)
    scroller.setScrollerProperties(properties)
    return area
