"""The attract screen (首页): hall name, the hall's time, one big "开始办理" button, the big door to 长辈版,
notices, language and contrast."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from kiosk.visit.views import AttractView
from ui.parts import Panes, ScreenContext, button, card, label, row, tall

#: How often the clock looks at the time (it redraws only when the minute changes).
CLOCK_TICK_MS = 1000


def build(view: AttractView, ctx: ScreenContext) -> QWidget:
    t, theme = ctx.texts, ctx.theme
    panes = Panes(ctx)
    info, action = panes.info, panes.action
    info.addWidget(label(view.hall_name, "title", center=True))
    info.addWidget(HallClock(ctx.clock or _local_now))
    info.addStretch(1)
    info.addWidget(tall(button(t("attract.start"), ctx.actions.start, "success", name="start"), theme.target_px * 2))
    info.addWidget(elder_door(ctx))
    info.addStretch(1)
    choices = row(
        theme,
        button(t("shell.language"), ctx.actions.toggle_language, "secondary", name="language"),
        button(t("shell.contrast"), ctx.actions.toggle_high_contrast, "secondary", name="contrast"),
    )
    if view.notices:
        action.addWidget(label(t("attract.notices"), "heading"))
        for title, body in view.notices[: 2 if ctx.landscape else 3]:
            action.addWidget(card(theme, label(title), label(body, "small")))
    action.addStretch(1)
    (info if ctx.landscape else action).addWidget(choices)
    return panes.finish(fill=False)


def elder_door(ctx: ScreenContext) -> QPushButton:
    """长辈版 as real 适老化 home screens show it: wide, tall, in a colour of its own, saying what it gives.

    In elder mode the same place says 退出长辈版 (a door is found where it was). The shell's top bar leaves its
    small text-size button out on this screen.
    """
    t, theme = ctx.texts, ctx.theme
    elder = theme.name == "elder"
    title = t("shell.elder_off") if elder else t("shell.elder_on")
    door = button("", ctx.actions.toggle_elder, "secondary" if elder else "elder-door", name="elder-toggle")
    door.setAccessibleName(title)
    door.setAccessibleDescription(t("shell.elder_describe"))
    words = QVBoxLayout(door)  # the name big, what it gives beneath; a tap on either is the button's
    words.setContentsMargins(theme.spacing_px, theme.spacing_px // 4, theme.spacing_px, theme.spacing_px // 4)
    words.setSpacing(0)
    words.addWidget(label(title, "heading", wrap=False, center=True))
    if not elder:
        words.addWidget(label(t("attract.elder_door_hint"), wrap=False, center=True))
    door.setProperty("door", True)  # 1.5 targets tall (ui/style.py): the second-largest target, after 开始办理
    return door


class HallClock(QLabel):
    """The date and time in the hall's time zone, kept current while the attract screen is up."""

    def __init__(self, now: Callable[[], datetime]) -> None:
        super().__init__()
        self.setObjectName("hall-clock")
        self.setProperty("role", "heading")
        self.setWordWrap(False)
        self._now = now
        self._timer = QTimer(self)
        self._timer.setInterval(CLOCK_TICK_MS)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.refresh()

    def refresh(self) -> None:
        shown = self._now().strftime("%Y-%m-%d  %H:%M")
        if shown != self.text():
            self.setText(shown)
            self.setAccessibleName(shown)


def _local_now() -> datetime:
    return datetime.now().astimezone()
