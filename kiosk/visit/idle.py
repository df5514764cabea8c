"""Idle handling as a pure clock: after inactivity, a warning with a countdown; then the session ends.

WCAG 2.2 (2.2.1 Timing Adjustable) asks for a warning of at least 20 s and at least ten extensions; elder mode
doubles the timeouts (the theme's ``timeout_factor``). The UI ticks this clock once a second and renders what it
says; it holds no timing rules of its own.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class IdlePhase(enum.Enum):
    ACTIVE = "active"
    WARNING = "warning"
    EXPIRED = "expired"


@dataclass(frozen=True)
class IdleStatus:
    phase: IdlePhase
    seconds_left: int
    can_extend: bool


@dataclass
class IdleClock:
    """Counts from the last touch; ``idle_seconds`` of quiet, then ``warning_seconds`` of warning."""

    idle_seconds: float
    warning_seconds: float
    max_extensions: int = 12
    factor: float = 1.0
    _last_touch: float = 0.0
    _extensions: int = 0

    def __post_init__(self) -> None:
        if self.warning_seconds < 20:
            raise ValueError("the warning must last at least 20 seconds")

    @property
    def extensions(self) -> int:
        return self._extensions

    def restart(self, now: float, factor: float | None = None) -> None:
        """A new session (or a new theme's factor): full time, extensions counted afresh."""
        if factor is not None:
            self.factor = factor
        self._last_touch = now
        self._extensions = 0

    def touch(self, now: float) -> None:
        """Any tap while active resets the quiet period; a tap during the warning does not (use extend)."""
        if self.status(now).phase is IdlePhase.ACTIVE:
            self._last_touch = now

    def extend(self, now: float) -> bool:
        """The big "继续办理" button: back to full time, if extensions remain."""
        if self._extensions >= self.max_extensions:
            return False
        self._extensions += 1
        self._last_touch = now
        return True

    def set_factor(self, factor: float, now: float) -> None:
        self.factor = factor
        self._last_touch = now

    def status(self, now: float) -> IdleStatus:
        quiet = self.idle_seconds * self.factor
        warning = self.warning_seconds * self.factor
        elapsed = now - self._last_touch
        can_extend = self._extensions < self.max_extensions
        if elapsed < quiet:
            return IdleStatus(IdlePhase.ACTIVE, int(quiet + warning - elapsed), can_extend)
        if elapsed < quiet + warning:
            left = quiet + warning - elapsed
            return IdleStatus(IdlePhase.WARNING, max(1, int(left + 0.999)), can_extend)
        return IdleStatus(IdlePhase.EXPIRED, 0, can_extend)
