"""Rolling-origin evaluation of a hall forecast against the weekly seasonal-naive forecast.

For each origin (every ``step_days`` day in the last ``weeks`` weeks of the series) the forecaster sees only the
counts before it and forecasts ``horizon_days`` days; every open hour in the window with an observed count is
scored. MASE here is the forecast's absolute error over the seasonal-naive forecast's on the same hours (so the
naive forecast scores 1.0): the naive forecast of an hour is the count of the same hour on the same weekday in
the latest week before the origin in which that day was open (else the same hour of the latest open day).
Daily WAPE sums each open day's hours first. Coverage is the share of hours inside the 80 % interval.
Days open by the calendar with no arrival in any opening hour are the hall's closed days (:func:`closures`):
the forecaster is told of them, as a hall registers its closures ahead, and they are not scored.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from central.forecast.calendar import HallCalendar, OpeningHours
from central.forecast.model import Forecast, open_slots

Forecaster = Callable[[pd.Series, HallCalendar, dt.date, int], Forecast]
SHORT_LEADS = (1, 3)
LONG_LEADS = (7, 14)


@dataclass(frozen=True)
class Score:
    """One series' (or a pool of series') figures; the sums let scores pool across series."""

    series: str
    method: str
    mase_1_3d: float
    mase_1_2w: float
    wape_daily: float
    coverage80: float
    fit_s_mean: float
    fit_s_max: float
    origins: int
    hours_scored: int
    abs_err_short: float
    naive_err_short: float
    abs_err_long: float
    naive_err_long: float
    day_abs_err: float
    day_total: float
    naive_day_abs_err: float
    covered: int

    @property
    def naive_wape_daily(self) -> float:
        return self.naive_day_abs_err / self.day_total if self.day_total > 0 else float("nan")

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def hourly(counts: pd.Series) -> pd.Series:
    """Counts summed per hour, NaN dropped."""
    values = pd.to_numeric(counts, errors="coerce").astype(float)
    values.index = pd.DatetimeIndex(counts.index).floor("h")
    return values.groupby(level=0).sum(min_count=1).dropna()


def closures(series: pd.Series, hours: OpeningHours, calendar: HallCalendar) -> set[dt.date]:
    """Days the calendar has open on which every observed opening hour counted zero."""
    if series.empty:
        return set()
    first, last = series.index.min().date(), series.index.max().date()
    slots = open_slots(first, last, hours, calendar, first)
    observed = series.reindex(slots.times)
    frame = pd.DataFrame({"date": slots.times.date, "y": observed.to_numpy()}).dropna()
    totals = frame.groupby("date")["y"].sum()
    return set(totals.index[totals == 0])


def _naive(valid: dict[pd.Timestamp, float], when: pd.Timestamp, origin: pd.Timestamp) -> float:
    back = when - pd.Timedelta(days=7)
    while back > when - pd.Timedelta(days=7 * 12):
        if back < origin and back in valid:
            return valid[back]
        back -= pd.Timedelta(days=7)
    back = origin.normalize() - pd.Timedelta(days=1) + pd.Timedelta(hours=when.hour)
    for _ in range(60):
        if back in valid:
            return valid[back]
        back -= pd.Timedelta(days=1)
    return float("nan")


def evaluate(
    name: str,
    counts: pd.Series,
    hours: OpeningHours,
    calendar: HallCalendar,
    forecaster: Forecaster,
    *,
    weeks: int = 8,
    horizon_days: int = 14,
    step_days: int = 1,
    method: str = "",
) -> Score:
    """Score ``forecaster`` on the last ``weeks`` weeks of ``counts`` from rolling origins."""
    series = hourly(counts)
    if series.empty:
        raise ValueError(f"{name}: no counts")
    calendar = calendar.with_closed(closures(series, hours, calendar))
    first, last = series.index.min().date(), series.index.max().date()
    window_start = last - dt.timedelta(days=7 * weeks - 1)
    slots = open_slots(first, last, hours, calendar, first)
    observed = series.reindex(slots.times).dropna()
    valid = dict(zip(pd.DatetimeIndex(observed.index), observed.to_numpy(dtype=float).tolist(), strict=True))
    rows: list[tuple[int, int, float, float, float, float, float, dt.date]] = []
    fit_times: list[float] = []
    methods: set[str] = set()
    origin_day = window_start
    n_origins = 0
    while origin_day <= last:
        history = series[series.index < pd.Timestamp(origin_day)]
        began = time.perf_counter()
        forecast = forecaster(history, calendar, origin_day, horizon_days)
        fit_times.append(time.perf_counter() - began)
        methods.add(forecast.method)
        n_origins += 1
        origin = pd.Timestamp(origin_day)
        for i, when in enumerate(forecast.index):
            actual = valid.get(pd.Timestamp(when))
            if actual is None:
                continue
            lead = (when.date() - origin_day).days + 1
            naive = _naive(valid, pd.Timestamp(when), origin)
            rows.append(
                (
                    n_origins,
                    lead,
                    actual,
                    float(forecast.points[i]),
                    float(forecast.lower80[i]),
                    float(forecast.upper80[i]),
                    naive,
                    when.date(),
                )
            )
        origin_day += dt.timedelta(days=step_days)
    if not rows:
        raise ValueError(f"{name}: nothing to score in the last {weeks} weeks")
    frame = pd.DataFrame(rows, columns=["origin", "lead", "y", "f", "lo", "hi", "naive", "date"]).dropna()
    err = (frame["y"] - frame["f"]).abs()
    naive_err = (frame["y"] - frame["naive"]).abs()
    short = frame["lead"].between(*SHORT_LEADS)
    long = frame["lead"].between(*LONG_LEADS)
    days = frame.groupby(["origin", "date"])[["y", "f", "naive"]].sum()
    day_abs = float((days["y"] - days["f"]).abs().sum())
    naive_day_abs = float((days["y"] - days["naive"]).abs().sum())
    day_total = float(days["y"].sum())
    covered = int(((frame["y"] >= frame["lo"]) & (frame["y"] <= frame["hi"])).sum())

    def ratio(a: float, b: float) -> float:
        return a / b if b > 0 else float("nan")

    return Score(
        series=name,
        method=method or " / ".join(sorted(methods)),
        mase_1_3d=ratio(float(err[short].sum()), float(naive_err[short].sum())),
        mase_1_2w=ratio(float(err[long].sum()), float(naive_err[long].sum())),
        wape_daily=ratio(day_abs, day_total),
        coverage80=covered / len(frame),
        fit_s_mean=float(np.mean(fit_times)),
        fit_s_max=float(np.max(fit_times)),
        origins=n_origins,
        hours_scored=len(frame),
        abs_err_short=float(err[short].sum()),
        naive_err_short=float(naive_err[short].sum()),
        abs_err_long=float(err[long].sum()),
        naive_err_long=float(naive_err[long].sum()),
        day_abs_err=day_abs,
        day_total=day_total,
        naive_day_abs_err=naive_day_abs,
        covered=covered,
    )


def pooled(scores: list[Score], name: str = "all") -> Score:
    """The scores of several series pooled: error sums added, so big series weigh more (as a province's total)."""
    if not scores:
        raise ValueError("no scores to pool")

    def total(attr: str) -> float:
        return float(sum(getattr(s, attr) for s in scores))

    hours = sum(s.hours_scored for s in scores)
    return Score(
        series=name,
        method=scores[0].method,
        mase_1_3d=total("abs_err_short") / total("naive_err_short"),
        mase_1_2w=total("abs_err_long") / total("naive_err_long"),
        wape_daily=total("day_abs_err") / total("day_total"),
        coverage80=total("covered") / hours,
        fit_s_mean=float(np.mean([s.fit_s_mean for s in scores])),
        fit_s_max=max(s.fit_s_max for s in scores),
        origins=sum(s.origins for s in scores),
        hours_scored=hours,
        abs_err_short=total("abs_err_short"),
        naive_err_short=total("naive_err_short"),
        abs_err_long=total("abs_err_long"),
        naive_err_long=total("naive_err_long"),
        day_abs_err=total("day_abs_err"),
        day_total=total("day_total"),
        naive_day_abs_err=total("naive_day_abs_err"),
        covered=int(total("covered")),
    )
