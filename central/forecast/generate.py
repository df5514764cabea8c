"""A synthetic hall's hourly arrivals: weekly and daily shape, holidays and 调休, trend, noise and a closure.

What it models, each from how halls behave: Monday is the busiest day and Friday afternoon the quietest; the
morning peaks at ten and the afternoon at three, with a dip at noon; a 调休 Saturday draws less than a weekday;
the first working days after a long holiday bring the backlog (and the last one before it a rush); demand grows
over the years and wanders from week to week (a slowly mean-reverting level); counts are over-dispersed
(negative binomial); and the hall closes for a few days once (its registered closed days count zero).
Public holidays and 调休 follow China's official calendar.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from central.forecast.calendar import HallCalendar, OpeningHours

_WEEKDAY = (1.25, 1.05, 1.0, 0.95, 0.82)
_MAKEUP = 0.85
_HOURS = (9, 10, 11, 12, 13, 14, 15, 16)
_SHAPE = (0.75, 1.3, 1.2, 0.55, 0.85, 1.25, 1.2, 0.9)
_MONDAY_MORNING = (1.15, 1.1, 1.05, 1.0, 1.0, 0.95, 0.9, 0.85)
_FRIDAY = (1.0, 1.0, 1.0, 1.0, 1.0, 0.95, 0.85, 0.7)


@dataclass(frozen=True)
class SyntheticHall:
    """The generated counts (one row per open hour, closed days' hours at zero) and what generated them."""

    frame: pd.DataFrame  # columns: timestamp, series, count
    closed_days: frozenset[dt.date]
    hours: OpeningHours


def generate_hall(
    name: str = "hall",
    *,
    start: dt.date = dt.date(2024, 7, 1),
    end: dt.date = dt.date(2026, 6, 21),
    mean_per_hour: float = 30.0,
    seed: int = 1,
    closure: tuple[dt.date, int] | None = (dt.date(2025, 11, 17), 3),
    growth_per_year: float = 0.12,
    dispersion: float = 0.03,
) -> SyntheticHall:
    """Hourly counts of one hall from ``start`` to ``end`` on China's working days, 9:00-17:00."""
    rng = np.random.default_rng(seed)
    calendar = HallCalendar.china()
    hours = OpeningHours(working=_HOURS)
    closed: set[dt.date] = set()
    if closure is not None:
        closed = {closure[0] + dt.timedelta(days=i) for i in range(closure[1])}
    rows: list[tuple[pd.Timestamp, float]] = []
    level = 0.0
    days = (end - start).days + 1
    for i in range(days):
        day = start + dt.timedelta(days=i)
        level = 0.85 * level + rng.normal(0.0, 0.06)
        if not calendar.is_working_day(day):
            continue
        weekday = day.weekday()
        factor = _WEEKDAY[weekday] if weekday < 5 else _MAKEUP
        factor *= 1.0 + growth_per_year * i / 365.0
        factor *= 1.0 + 0.06 * np.sin(2 * np.pi * (day.timetuple().tm_yday - 80) / 365.0)
        factor *= _break_effect(day, calendar)
        mean = mean_per_hour * factor * np.exp(level)
        for j, h in enumerate(_HOURS):
            shape = _SHAPE[j] * (_MONDAY_MORNING[j] if weekday == 0 else _FRIDAY[j] if weekday == 4 else 1.0)
            mu = mean * shape
            count = 0.0 if day in closed else float(rng.poisson(rng.gamma(1.0 / dispersion, mu * dispersion)))
            rows.append((pd.Timestamp(day) + pd.Timedelta(hours=h), count))
    frame = pd.DataFrame(rows, columns=["timestamp", "count"])
    frame.insert(1, "series", name)
    return SyntheticHall(frame=frame, closed_days=frozenset(closed), hours=hours)


def _break_effect(day: dt.date, calendar: HallCalendar) -> float:
    def off_run(step: int) -> int:
        n, d = 0, day + dt.timedelta(days=step)
        while n < 10 and not calendar.is_working_day(d):
            n += 1
            d += dt.timedelta(days=step)
        return n

    before, after = off_run(-1), off_run(1)
    if before >= 3:
        return 1.4
    if after >= 3:
        return 1.15
    if _second_after_break(day, calendar):
        return 1.15
    return 1.0


def _second_after_break(day: dt.date, calendar: HallCalendar) -> bool:
    """Whether ``day`` is the second working day after three or more days off."""
    prev = day - dt.timedelta(days=1)
    if not calendar.is_working_day(prev):
        return False
    n, d = 0, prev - dt.timedelta(days=1)
    while n < 10 and not calendar.is_working_day(d):
        n += 1
        d -= dt.timedelta(days=1)
    return n >= 3


def generate_halls(seed: int = 1, end: dt.date = dt.date(2026, 6, 21)) -> list[SyntheticHall]:
    """Three halls: a county hall (≈ 6 an hour), a district hall (≈ 30) and a city hall (≈ 120)."""
    return [
        generate_hall("county", mean_per_hour=6.0, seed=seed, end=end),
        generate_hall("district", mean_per_hour=30.0, seed=seed + 100, end=end),
        generate_hall("city", mean_per_hour=120.0, seed=seed + 200, end=end, closure=(dt.date(2026, 3, 16), 2)),
    ]
