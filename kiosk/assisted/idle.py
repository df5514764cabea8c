"""The idle lock of a staff member's laptop (闲置锁定), as data: a warning, then a lock that keeps the work.

Unlike the kiosk's idle wipe, nothing is erased: the case in progress is already sealed in the staff member's
vault (every change of a draft is written at once), the lock only drops the session's data key from memory and
asks for the password again. :meth:`kiosk.assisted.cases.CaseBook.hold_for_resume` notes which case was open,
so the same staff member's next login reopens it. Any input counts as activity — typing into a field as much as
a click — so a staff member in the middle of a long form is never locked out of it (one of MOSIP's users'
complaints: a timeout firing during active work).

The clock is the caller's (monotonic seconds): the UI feeds it, tests step it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

IdlePhase = Literal["active", "warning", "locked"]


@dataclass(frozen=True)
class IdleSettings:
    """``lock_after`` seconds without input lock the session; the warning shows ``warn_before`` seconds earlier."""

    lock_after: float = 300.0
    warn_before: float = 30.0

    def __post_init__(self) -> None:
        if not 0 < self.warn_before < self.lock_after:
            raise ValueError("the warning must come before the lock")


@dataclass(frozen=True)
class IdleState:
    """What the window shows now: nothing, the warning with its countdown, or the lock screen."""

    phase: IdlePhase
    #: Whole seconds until the lock (0 once locked).
    seconds_left: int

    @property
    def message(self) -> str:
        if self.phase == "warning":
            return f"{self.seconds_left} 秒后将锁定屏幕，正在办理的案件会保留；移动鼠标或按任意键继续"
        if self.phase == "locked":
            return "屏幕已锁定，正在办理的案件已加密保存；请重新登录继续办理"
        return ""


class IdleLock:
    """One session's idle clock: :meth:`touch` on every input, :meth:`state` on every tick of the window."""

    def __init__(self, settings: IdleSettings, now: float) -> None:
        self.settings = settings
        self._last_input = now
        self._locked = False

    def touch(self, now: float) -> None:
        """Input arrived (a key, a click, the mouse moved, a card was read); ignored once locked."""
        if not self._locked and now >= self._last_input:
            self._last_input = now

    def lock(self) -> None:
        """Lock at once (the staff member stepped away and pressed 锁定)."""
        self._locked = True

    @property
    def locked(self) -> bool:
        return self._locked

    def state(self, now: float) -> IdleState:
        left = self.settings.lock_after - (now - self._last_input)
        if self._locked or left <= 0:
            self._locked = True
            return IdleState("locked", 0)
        if left <= self.settings.warn_before:
            return IdleState("warning", max(1, int(left + 0.999)))
        return IdleState("active", int(left))

    def unlocked(self, now: float) -> None:
        """The same staff member (or another) logged in again: the clock starts afresh."""
        self._locked = False
        self._last_input = now
