"""The kiosk window: a top bar (elder toggle, volume, repeat), the current screen, a bottom bar (back, start
over, call staff) and an overlay for the idle warning and notices. It renders what the controller tells it.

When the screen changes, a button that stands where a *different* button stood a moment ago ignores taps for
:data:`TAP_GUARD_SECONDS` (:class:`TapGuard`): a finger already on its way to the old button (a slow or a second
tap on 完成) must not press the new one (跳过 on the rating).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, Qt, QTimer
from PySide6.QtGui import QPaintEvent, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from accessibility.themes import Theme
from kiosk.visit.strings import Texts
from ui.parts import button, label
from ui.scrolling import give_back
from ui.style import style_sheet

TECHNICIAN_TAPS = 5
TECHNICIAN_TAP_SECONDS = 3.0
#: How long a new button ignores taps where a different button stood on the screen before (≥ 600 ms: an older
#: person's tap, aimed at the old button, can land that late).
TAP_GUARD_SECONDS = 0.6
_PRESSES = (
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseButtonRelease,
    QEvent.Type.MouseButtonDblClick,
    QEvent.Type.TouchBegin,
)


@dataclass(frozen=True)
class _Spot:
    """Where a button stood (window coordinates), which one it was, and until when a tap there may be late."""

    rect: QRect
    name: str
    until: float


def button_identity(widget: QAbstractButton) -> str:
    """A button is "the same" across two screens when its name (or, without one, its text) is."""
    return widget.objectName() or widget.text()


class TapGuard(QObject):
    """Swallows taps on a button that appeared where a different button was less than ``seconds`` ago.

    The same button in the same place (the bottom bar's 呼叫工作人员, a screen re-drawn) is never held back.
    """

    def __init__(self, window: QWidget, *, seconds: float = TAP_GUARD_SECONDS) -> None:
        super().__init__(window)
        self.window = window
        self.seconds = seconds
        self.clock: Callable[[], float] = time.monotonic
        self._spots: list[_Spot] = []

    def leaving(self, parts: Iterable[QWidget]) -> None:
        """These parts are about to go (or be covered): their visible buttons become spots for a while."""
        now = self.clock()
        self._spots = [spot for spot in self._spots if spot.until > now]
        if self.seconds <= 0:
            return
        for part in parts:
            for widget in _buttons(part):
                if widget.isVisible() and widget.isEnabled():
                    self._spots.append(_Spot(self._rect(widget), button_identity(widget), now + self.seconds))

    def changed_in_place(self, widget: QAbstractButton) -> None:
        """A button that kept its place but changed its meaning (往下看 becoming 确认提交): taps on it are held
        for the guard's time, as if it had just appeared there."""
        if self.seconds > 0:
            self._spots.append(_Spot(self._rect(widget), "", self.clock() + self.seconds))

    def watch(self, parts: Iterable[QWidget]) -> None:
        """The new parts' buttons: each tap on them is checked against the spots."""
        for part in parts:
            for widget in _buttons(part):
                widget.installEventFilter(self)

    def holds(self, widget: QAbstractButton) -> bool:
        """Whether a tap on ``widget`` now would be swallowed."""
        now = self.clock()
        rect = self._rect(widget)
        name = button_identity(widget)
        return any(spot.until > now and spot.name != name and spot.rect.intersects(rect) for spot in self._spots)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        return event.type() in _PRESSES and isinstance(watched, QAbstractButton) and self.holds(watched)

    def _rect(self, widget: QWidget) -> QRect:
        return QRect(widget.mapTo(self.window, QPoint(0, 0)), widget.size())


def _buttons(part: QWidget) -> list[QAbstractButton]:
    found = part.findChildren(QAbstractButton)
    return [part, *found] if isinstance(part, QAbstractButton) else list(found)


@dataclass(frozen=True)
class ShellActions:
    toggle_elder: Callable[[], None]
    volume_down: Callable[[], None]
    volume_up: Callable[[], None]
    repeat: Callable[[], None]
    back: Callable[[], None]
    start_over: Callable[[], None]
    call_staff: Callable[[], None]
    #: Five taps on an empty part of the top bar within three seconds: technician mode (behind its PIN).
    technician: Callable[[], None]


@dataclass(frozen=True)
class OverlayButton:
    text: str
    on_click: Callable[[], None]
    name: str
    role: str = "success"


class KioskWindow(QWidget):
    def __init__(self, actions: ShellActions) -> None:
        super().__init__()
        self.setObjectName("kiosk-window")
        self._actions = actions
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(0)
        self._top: QWidget = QWidget()
        self._body: QWidget = QWidget()
        self._bottom: QWidget = QWidget()
        for part in (self._top, self._body, self._bottom):
            self._layout.addWidget(part)
        self._overlay: QFrame | None = None
        self.screen_name = ""
        self._landscape: bool | None = None
        #: Called when the window turns between portrait and landscape (screens lay out differently).
        self.orientation_did_change: list[Callable[[], None]] = []
        #: Called once, after the window first painted (start-up work that can wait starts then).
        self.window_did_first_paint: list[Callable[[], None]] = []
        self._painted = False
        self._bar_taps: list[float] = []
        self.tap_guard = TapGuard(self)
        self.theme_name = ""

    # ------------------------------------------------------------------ rendering
    def apply_theme(self, theme: Theme) -> None:
        self.theme_name = theme.name
        self.setStyleSheet(style_sheet(theme))
        # A second style sheet set before the window is first shown is not re-applied by Qt on its own.
        self.style().unpolish(self)
        self.style().polish(self)

    def show_screen(
        self, screen: QWidget, screen_name: str, theme: Theme, texts: Texts, hall_name: str, *, can_back: bool
    ) -> None:
        """Replace the bars and the body; old widgets are deleted (nothing of the last screen lingers).

        Portrait: the hall's name and the voice and text-size buttons on top, back / start over / call staff at
        the bottom. Landscape: every one of those buttons in a single strip on top, so the screen keeps its
        height for the keypad or keyboard.
        """
        self.screen_name = screen_name
        self._landscape = self.width() > self.height()
        navigation = self._navigation(theme, texts, screen_name, can_back=can_back)
        # The attract screen has the big 长辈版 door of its own (ui/screens/attract.py).
        settings = self._settings(theme, texts, elder_toggle=screen_name != "attract")
        if self._landscape:
            top = self._bar(theme, "top-bar", [*navigation, _spacer(), *settings])
            top.installEventFilter(self)
            bottom = QWidget()
            bottom.setObjectName("bottom-bar")
        else:
            title = QLabel(hall_name)
            title.setObjectName("hall-name")
            title.setWordWrap(True)
            top = self._bar(theme, "top-bar", settings, title=title)
            top.installEventFilter(self)
            bottom = self._bar(theme, "bottom-bar", navigation)
        if self._overlay is None:
            self.tap_guard.leaving((self._top, self._body, self._bottom))
        self.tap_guard.watch((top, screen, bottom))
        for old, new in ((self._top, top), (self._body, screen), (self._bottom, bottom)):
            self._layout.replaceWidget(old, new)
            give_back(old, self)  # its finger-scrolled areas serve the next screens (ui/scrolling.py)
            old.hide()
            old.setParent(None)
            old.deleteLater()
        self._top, self._body, self._bottom = top, screen, bottom
        self._layout.setStretchFactor(screen, 1)
        self._set_content_visible(self._overlay is None)
        if self._overlay is not None:
            self._overlay.raise_()

    def _bar(self, theme: Theme, name: str, widgets: list[QWidget], *, title: QLabel | None = None) -> QFrame:
        bar = QFrame()
        bar.setProperty("role", "bar")
        bar.setObjectName(name)
        outer = QVBoxLayout(bar)
        pad = theme.spacing_px // 2
        outer.setContentsMargins(pad * 2, pad, pad * 2, pad)
        outer.setSpacing(pad)
        if title is not None:
            outer.addWidget(title)
        strip = QHBoxLayout()
        strip.setSpacing(theme.spacing_px)
        for widget in widgets:
            strip.addWidget(widget)
        outer.addLayout(strip)
        return bar

    def _settings(self, theme: Theme, texts: Texts, *, elder_toggle: bool = True) -> list[QWidget]:
        """Text size, volume and repeat: on every screen, one tap each (text size on the attract screen is its
        big door instead)."""
        elder = theme.name == "elder"
        toggle = button(
            texts("shell.elder_off" if elder else "shell.elder_on"),
            self._actions.toggle_elder,
            "secondary",
            name="elder-toggle",
        )
        toggle.setAccessibleDescription(texts("shell.elder_describe"))
        return [
            *([toggle] if elder_toggle else []),
            button(texts("shell.volume_down"), self._actions.volume_down, "secondary", name="volume-down"),
            button(texts("shell.volume_up"), self._actions.volume_up, "secondary", name="volume-up"),
            button(texts("shell.repeat"), self._actions.repeat, "secondary", name="repeat"),
        ]

    def _navigation(self, theme: Theme, texts: Texts, screen_name: str, *, can_back: bool) -> list[QWidget]:
        """Back, start over and call staff (呼叫工作人员 on every citizen screen)."""
        widgets: list[QWidget] = []
        if can_back:
            widgets.append(button("◀ " + texts("shell.back"), self._actions.back, "secondary", name="back"))
        if screen_name not in ("attract", "thanks"):
            widgets.append(button(texts("shell.start_over"), self._actions.start_over, "secondary", name="start-over"))
        widgets.append(button("☎ " + texts("shell.call_staff"), self._actions.call_staff, "danger", name="call-staff"))
        return widgets

    # ------------------------------------------------------------------ overlay
    def show_overlay(
        self,
        theme: Theme,
        title: str,
        message: str,
        buttons: list[OverlayButton],
        *,
        name: str,
        extra: QWidget | None = None,
    ) -> QLabel:
        """A panel over everything (idle warning, staff called); returns the message label to update."""
        self.hide_overlay()
        self.tap_guard.leaving((self._top, self._body, self._bottom))
        overlay = QFrame(self)
        overlay.setObjectName(name)
        overlay.setProperty("role", "overlay")
        layout = QVBoxLayout(overlay)
        pad = theme.spacing_px * (3 if extra is None else 1)
        layout.setContentsMargins(pad, pad, pad, pad)
        layout.setSpacing(theme.spacing_px * 2)
        layout.addStretch(1)
        layout.addWidget(label(title, "title", center=True))
        text = label(message, "heading", center=True)
        text.setObjectName(f"{name}-message")
        layout.addWidget(text)
        if extra is not None:
            layout.addWidget(extra)
        for item in buttons:
            widget = button(item.text, item.on_click, item.role, name=item.name)
            if extra is None:  # a lone choice ("继续办理") is made twice as tall; beside a keypad it keeps its size
                widget.setMinimumHeight(theme.target_px * 2)
            layout.addWidget(widget)
        layout.addStretch(1)
        overlay.setGeometry(self.rect())
        self.tap_guard.watch((overlay,))
        self._set_content_visible(False)
        overlay.show()
        overlay.raise_()
        self._overlay = overlay
        return text

    def _set_content_visible(self, visible: bool) -> None:
        """Under an overlay the screen is hidden, not just covered: nothing behind it can be tapped or read."""
        for part in (self._top, self._body, self._bottom):
            part.setVisible(visible)

    def hide_overlay(self) -> None:
        if self._overlay is not None:
            self.tap_guard.leaving((self._overlay,))
            self._overlay.hide()
            self._overlay.setParent(None)
            self._overlay.deleteLater()
            self._overlay = None
            self._set_content_visible(True)

    @property
    def overlay(self) -> QFrame | None:
        return self._overlay

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Five taps on the top bar's empty part within three seconds open technician mode. A quick second tap
        arrives as a double-click instead of a press: it is a tap too."""
        taps = (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonDblClick)
        if event.type() in taps and watched is self._top:
            now = time.monotonic()
            self._bar_taps = [t for t in self._bar_taps if now - t < TECHNICIAN_TAP_SECONDS] + [now]
            if len(self._bar_taps) >= TECHNICIAN_TAPS:
                self._bar_taps.clear()
                self._actions.technician()
        return False

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            for callback in self.window_did_first_paint:
                QTimer.singleShot(0, callback)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._overlay is not None:
            self._overlay.setGeometry(self.rect())
        if self._landscape is not None and (self.width() > self.height()) != self._landscape:
            for callback in list(self.orientation_did_change):
                callback()

    def find_button(self, name: str) -> QPushButton | None:
        return self.findChild(QPushButton, name, Qt.FindChildOption.FindChildrenRecursively)


def _spacer() -> QWidget:
    gap = QWidget()
    gap.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)
    return gap
