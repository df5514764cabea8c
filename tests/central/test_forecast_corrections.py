"""The forecast's short-lead correction: a change in a hall's hours seen over the last week shows in the next
days' forecast at a busy hall, and a single odd hour at a small hall hardly moves it."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from central.forecast.calendar import HallCalendar
from central.forecast.generate import SyntheticHall, generate_hall
from central.forecast.model import forecast_hall

D = dt.date
START = D(2026, 6, 22)  # a Monday; the history ends on Sunday 2026-06-21


def _counts(hall: SyntheticHall) -> pd.Series:
    return pd.Series(hall.frame["count"].to_numpy(float), index=pd.DatetimeIndex(hall.frame["timestamp"]))


def _at(forecast_index: pd.DatetimeIndex, day: D, hour: int) -> int:
    return int(np.flatnonzero(forecast_index == pd.Timestamp(day) + pd.Timedelta(hours=hour))[0])


def test_a_busier_afternoon_hour_last_week_raises_the_next_days_forecast_at_a_busy_hall() -> None:
    hall = generate_hall("city", mean_per_hour=120.0, seed=3, end=D(2026, 6, 21), closure=None)
    calendar = HallCalendar.china(hall.closed_days)
    counts = _counts(hall)
    before = forecast_hall(counts, hall.hours, calendar, 14, start=START)
    hours = pd.DatetimeIndex(counts.index)
    last_week = (hours >= pd.Timestamp(START - dt.timedelta(days=7))) & (hours.hour == 16)
    changed = counts.copy()
    changed[last_week] *= 1.6  # the 16:00 hour of every day last week, 60 % busier
    after = forecast_hall(changed, hall.hours, calendar, 14, start=START)

    def rise(hour: int, day: D = START) -> float:
        i = _at(after.index, day, hour)
        return float(after.points[i] / before.points[i])

    assert rise(16) > 1.25, rise(16)  # tomorrow's 16:00 follows the change
    assert abs(rise(10) - 1.0) < 0.08, rise(10)  # the morning hardly moves
    assert rise(16) - 1.0 > 2.0 * (rise(16, START + dt.timedelta(days=11)) - 1.0)  # it fades with the lead (Friday)


def test_one_odd_hour_at_a_small_hall_hardly_moves_the_forecast() -> None:
    hall = generate_hall("county", mean_per_hour=6.0, seed=3, end=D(2026, 6, 21), closure=None)
    calendar = HallCalendar.china(hall.closed_days)
    counts = _counts(hall)
    before = forecast_hall(counts, hall.hours, calendar, 14, start=START)
    friday_four = pd.Timestamp(D(2026, 6, 19)) + pd.Timedelta(hours=16)
    changed = counts.copy()
    changed[changed.index == friday_four] += 15.0  # a group of fifteen came at once
    after = forecast_hall(changed, hall.hours, calendar, 14, start=START)
    i = _at(after.index, START, 16)
    assert float(after.points[i] / before.points[i]) < 1.15
