"""Which days a hall is open and what kind of day each is: public holidays, 调休 working days, its own closures.

China's official calendar (holidays and the weekend days worked in exchange, 调休) comes from the
``chinese-calendar`` package, which knows the years the State Council has published; past its last year the
calendar falls back to Monday-Friday and says so (:attr:`HallCalendar.covers`). The hall adds its own closed
days (renovation, a system cut-over). Other countries' calendars plug in as a ``working_day`` function.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field


class DayKind(enum.IntEnum):
    """The kind of a day as far as arrivals go; the model keeps a separate hourly shape for each."""

    MON = 0
    TUE = 1
    WED = 2
    THU = 3
    FRI = 4
    SAT = 5
    SUN = 6
    MAKEUP = 7  # 调休: a Saturday or Sunday worked in exchange for a holiday
    HOLIDAY = 8  # a public holiday on which the hall (or the place counted) is open anyway


def _weekdays_only(day: dt.date) -> bool:
    return day.weekday() < 5


@functools.lru_cache(maxsize=8192)
def china_working_day(day: dt.date) -> bool:
    """True on a working day of China's official calendar, 调休 weekend days included.

    Raises ``NotImplementedError`` for a year ``chinese-calendar`` does not know yet.
    """
    import chinese_calendar

    return bool(chinese_calendar.is_workday(day))


@dataclass(frozen=True)
class HallCalendar:
    """A hall's calendar: the country's working days plus the hall's own closed days."""

    working_day: Callable[[dt.date], bool] = _weekdays_only
    closed_days: frozenset[dt.date] = field(default_factory=frozenset)
    name: str = "Monday-Friday"

    @classmethod
    def china(cls, closed_days: Iterable[dt.date] = ()) -> HallCalendar:
        """China's official calendar (public holidays and 调休) and the hall's closed days."""
        return cls(working_day=china_working_day, closed_days=frozenset(closed_days), name="China (chinese-calendar)")

    def with_closed(self, days: Iterable[dt.date]) -> HallCalendar:
        return HallCalendar(self.working_day, self.closed_days | frozenset(days), self.name)

    def covers(self, day: dt.date) -> bool:
        """Whether the country's calendar knows ``day`` (else Monday-Friday stands in for it)."""
        try:
            self.working_day(day)
        except NotImplementedError:
            return False
        return True

    def is_working_day(self, day: dt.date) -> bool:
        """A working day of the country's calendar (a 调休 Saturday is one; a public holiday is not)."""
        try:
            return self.working_day(day)
        except NotImplementedError:
            return _weekdays_only(day)

    def is_closed(self, day: dt.date) -> bool:
        """One of the hall's own closed days."""
        return day in self.closed_days

    def kind(self, day: dt.date) -> DayKind:
        weekday = day.weekday()
        working = self.is_working_day(day)
        if working:
            return DayKind.MAKEUP if weekday >= 5 else DayKind(weekday)
        if weekday < 5:
            return DayKind.HOLIDAY
        return DayKind(weekday)


@dataclass(frozen=True)
class OpeningHours:
    """The hours (0-23, each the hour starting then) a hall is open on working days and on rest days.

    Halls in China open on working days only (``rest=()``): public holidays, weekends that are not 调休 and the
    hall's closed days have no opening hours.
    """

    working: tuple[int, ...] = (9, 10, 11, 12, 13, 14, 15, 16)
    rest: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        for hours in (self.working, self.rest):
            if any(not 0 <= h <= 23 for h in hours) or len(set(hours)) != len(hours):
                raise ValueError(f"opening hours must be distinct hours 0-23, got {hours}")

    @classmethod
    def parse(cls, text: str, *, rest_days_too: bool = False) -> OpeningHours:
        """``"9-17"`` (open 9:00 to 17:00) or ``"9-12,13-17"``; raises ``ValueError`` with a readable message."""
        hours: list[int] = []
        for part in text.split(","):
            start_text, sep, end_text = part.strip().partition("-")
            if not sep or not start_text.isdigit() or not end_text.isdigit():
                raise ValueError(f"opening hours {text!r}: write them as 9-17 or 9-12,13-17")
            start, end = int(start_text), int(end_text)
            if not 0 <= start < end <= 24:
                raise ValueError(f"opening hours {text!r}: each range needs 0 <= start < end <= 24")
            hours.extend(range(start, end))
        ordered = tuple(sorted(set(hours)))
        return cls(working=ordered, rest=ordered if rest_days_too else ())

    def on(self, day: dt.date, calendar: HallCalendar) -> tuple[int, ...]:
        """The hours the hall is open on ``day`` (empty when it is closed)."""
        if calendar.is_closed(day):
            return ()
        return self.working if calendar.is_working_day(day) else self.rest

    @property
    def all_hours(self) -> tuple[int, ...]:
        return tuple(sorted(set(self.working) | set(self.rest)))
