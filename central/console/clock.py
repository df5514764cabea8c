"""The console's clock: the real time, or a time a test moves forward (terminal states are ages against it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from central.clock import utc_now


@dataclass
class ConsoleClock:
    """``now()`` is the real UTC time plus ``offset``; ``advance`` moves it (tests drive heartbeat ages with it)."""

    offset: timedelta = timedelta(0)

    def now(self) -> datetime:
        return utc_now() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)
