"""A debug hook for driving the real window from outside (``bench/usability.py``): where things are, what a tap hit.

With ``KIOSK_LAYOUT_PROBE=/path/probe.json`` in its environment, ``kiosk run`` keeps that file up to date (written
whole, then renamed, so a reader never sees half of it):

- ``screen``, ``overlay``, ``theme``: what the window shows now;
- ``buttons``: every visible button with its name, its text and its rectangle on the screen (global pixels, what
  ``xdotool mousemove`` takes), and ``pads``: the other touch areas (the signature pad);
- ``texts``: every visible label's text;
- ``history``: each screen or overlay shown, with when it came (``time.time()``);
- ``presses``: each press on the window: where, which button or pad it hit (``null``: nothing), and whether the
  window held it back (a late tap on a button that had just appeared, :class:`ui.shell.TapGuard`).

Nothing of a citizen's data goes into it beyond what the screen shows; it is off unless the variable is set.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, QPoint, QTimer
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QWidget

from ui.shell import KioskWindow

#: The environment variable naming the file.
PROBE_VARIABLE = "KIOSK_LAYOUT_PROBE"
#: How often the file is brought up to date (only written when something changed).
PROBE_INTERVAL_MS = 100
#: Touch areas that are not buttons, by object name.
PADS = ("signature-pad", "handwriting-pad")


def attach_from_environment(window: KioskWindow) -> LayoutProbe | None:
    """The probe, if ``KIOSK_LAYOUT_PROBE`` names a file; None otherwise."""
    where = os.environ.get(PROBE_VARIABLE, "")
    return LayoutProbe(window, Path(where)) if where else None


class LayoutProbe(QObject):
    def __init__(self, window: KioskWindow, path: Path) -> None:
        super().__init__(window)
        self.window = window
        self.path = path
        self.history: list[dict[str, Any]] = []
        self.presses: list[dict[str, Any]] = []
        self._last = ""
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self._timer = QTimer(self)
        self._timer.setInterval(PROBE_INTERVAL_MS)
        self._timer.timeout.connect(self.write)
        self._timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # A second tap soon after the first at the same place comes as a double click, not as a press.
        pressed = event.type() in (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonDblClick)
        if pressed and isinstance(event, QMouseEvent) and watched is self._press_target(event):
            self._note_press(event)  # once, at the widget first given the press
        return False

    def _press_target(self, event: QMouseEvent) -> QWidget | None:
        return QApplication.widgetAt(event.globalPosition().toPoint())

    def _note_press(self, event: QMouseEvent) -> None:
        point = event.globalPosition().toPoint()
        widget = QApplication.widgetAt(point)
        hit: QWidget | None = None
        while widget is not None:
            if isinstance(widget, QAbstractButton) and widget.isEnabled():
                hit = widget
                break
            if widget.objectName() in PADS or bool(widget.property("touchTarget")):
                hit = widget
                break
            widget = widget.parentWidget()
        held = isinstance(hit, QAbstractButton) and self.window.tap_guard.holds(hit)
        self.presses.append(
            {
                "t": time.time(),
                "x": point.x(),
                "y": point.y(),
                "hit": hit.objectName() or _text(hit) if hit is not None else None,
                "held": held,
                "screen": self.window.screen_name,
            }
        )

    def snapshot(self) -> dict[str, Any]:
        window = self.window
        overlay = window.overlay
        root: QWidget = overlay if overlay is not None else window
        buttons, pads, texts = [], [], []
        for widget in root.findChildren(QWidget):
            if not widget.isVisible() or widget.visibleRegion().isEmpty():
                continue
            corner = widget.mapToGlobal(QPoint(0, 0))
            box = [corner.x(), corner.y(), widget.width(), widget.height()]
            if isinstance(widget, QAbstractButton):
                buttons.append(
                    {"name": widget.objectName(), "text": _text(widget), "rect": box, "enabled": widget.isEnabled()}
                )
            elif widget.objectName() in PADS:
                pads.append({"name": widget.objectName(), "rect": box})
            elif isinstance(widget, QLabel) and widget.accessibleName():
                texts.append(widget.accessibleName())
        return {
            "screen": window.screen_name,
            "overlay": overlay.objectName() if overlay is not None else None,
            "theme": window.theme_name,
            "buttons": buttons,
            "pads": pads,
            "texts": texts,
        }

    def write(self) -> None:
        shot = self.snapshot()
        where = (shot["screen"], shot["overlay"])
        if not self.history or (self.history[-1]["screen"], self.history[-1]["overlay"]) != where:
            self.history.append({"screen": where[0], "overlay": where[1], "since": time.time()})
        shot["history"] = self.history
        shot["presses"] = self.presses
        text = json.dumps(shot, ensure_ascii=False)
        if text == self._last:
            return
        self._last = text
        partial = self.path.with_suffix(".part")
        partial.write_text(text, encoding="utf-8")
        partial.replace(self.path)


def _text(widget: QWidget) -> str:
    if isinstance(widget, QAbstractButton):
        return widget.text() or widget.accessibleName()
    return widget.accessibleName()
