"""The hall load forecast: a calendar Poisson regression with a recent-level correction, and its fallback.

Only the hours a hall is open are modelled (nights, weekends, public holidays and the hall's closed days are
neither fitted nor forecast: a closed hour's forecast is 0 by definition). For each open hour the expected count
is ``exp(hour + kind + kind×hour + break effects + trend)``, where the kind of day is its weekday, a 调休 working
day, or a public holiday (see :class:`~central.forecast.calendar.DayKind`), and the break effects mark the first
two working days after, and the last before, three or more days without work (the backlog after 春节 or 国庆).
It is fitted by ridge-penalised Poisson IRLS with weights halving every ``half_life_days``, so kinds seen rarely
(a 调休 Saturday) borrow from the average day. The level of the last open days then corrects the forecast,
fading with the lead, and so does the hourly shape of the last seven open days (each hour's departure from the
fit, shrunk towards none by 100 arrivals, fading 0.9 a day: :func:`central.forecast.corrections.recent_shape`).
The 80 % interval is the negative-binomial 10-90 % range around the forecast, its
dispersion measured on the last four weeks of history forecast from before them (not in-sample).

Halls with less than four weeks of history get the mean of the same weekday and hour instead
(:data:`FALLBACK_METHOD`). ``docs/performance.md`` has the measurement behind the choice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd

from central.forecast import corrections
from central.forecast.calendar import DayKind, HallCalendar, OpeningHours

Floats = npt.NDArray[np.float64]

MODEL_METHOD = "calendar Poisson regression + recent level"
FALLBACK_METHOD = "weekday-hour mean (history under 4 weeks)"
MIN_MODEL_HISTORY_DAYS = 28
_BREAK_DAYS = 3  # days without work that make a "long break" (a weekend is 2)
_KINDS = len(DayKind)


@dataclass(frozen=True)
class ModelParams:
    """The model's settings, chosen on tuning data that the bench does not score (docs/performance.md)."""

    half_life_days: float = 42.0
    history_days: int = 371
    ridge_interaction: float = 1.0
    ridge_effects: float = 1.0
    ridge_trend: float = 20.0
    level_alpha: float = 0.35
    level_decay: float = 0.9
    holdout_days: int = 28
    min_dispersion: float = 0.002
    short_days: int = 0  # the short-lead correction's days (0: off), central/forecast/corrections.py
    short_decay: float = 0.5
    short_weight: float = 1.0
    shape_days: int = 7  # the recent hourly shape's days (0: off)
    shape_prior: float = 100.0
    shape_decay: float = 0.9
    yearly_weight: float = 0.0  # the yearly correction's shrinkage (0: off)
    yearly_base_days: int = 7
    ridge_count_ref: float = 0.0  # > 0: the interactions' ridge shrinks as ref / (mean count an hour) below it


@dataclass(frozen=True)
class Forecast:
    """Forecast counts for each open hour ahead (``index``), with the 80 % interval and the method used."""

    index: pd.DatetimeIndex
    points: Floats
    lower80: Floats
    upper80: Floats
    method: str
    notes: tuple[str, ...] = field(default=())

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame({"point": self.points, "lower80": self.lower80, "upper80": self.upper80}, index=self.index)


@dataclass(frozen=True)
class _Slots:
    """Open hours as arrays: their time, day number (days since ``origin``), hour, kind and break flags."""

    times: pd.DatetimeIndex
    day: npt.NDArray[np.int64]
    hour: npt.NDArray[np.int64]
    kind: npt.NDArray[np.int64]
    flags: Floats  # columns: first working day after a long break, second day after, last day before


def _break_flags(day: dt.date, calendar: HallCalendar) -> tuple[float, float, float]:
    def off(d: dt.date) -> bool:
        return calendar.is_closed(d) or not calendar.is_working_day(d)

    def run(start: dt.date, step: int) -> int:
        n, d = 0, start
        while n < 10 and off(d):
            n += 1
            d += dt.timedelta(days=step)
        return n

    if off(day):
        return 0.0, 0.0, 0.0
    before = run(day - dt.timedelta(days=1), -1)
    after = run(day + dt.timedelta(days=1), 1)
    second = before == 0 and not off(day - dt.timedelta(days=1)) and run(day - dt.timedelta(days=2), -1) >= _BREAK_DAYS
    return float(before >= _BREAK_DAYS), float(second), float(after >= _BREAK_DAYS)


def open_slots(first: dt.date, last: dt.date, hours: OpeningHours, calendar: HallCalendar, origin: dt.date) -> _Slots:
    """Every open hour from ``first`` to ``last`` (inclusive) with its features."""
    days: list[dt.date] = []
    hour_lists: list[tuple[int, ...]] = []
    day_kinds: list[int] = []
    day_flags: list[tuple[float, float, float]] = []
    day = first
    while day <= last:
        open_hours = hours.on(day, calendar)
        if open_hours:
            days.append(day)
            hour_lists.append(open_hours)
            day_kinds.append(int(calendar.kind(day)))
            day_flags.append(_break_flags(day, calendar))
        day += dt.timedelta(days=1)
    counts = np.fromiter((len(h) for h in hour_lists), dtype=np.int64, count=len(days))
    day_no = np.repeat(np.asarray([(d - origin).days for d in days], dtype=np.int64), counts)
    hour_no = np.asarray([h for hs in hour_lists for h in hs], dtype=np.int64)
    stamps = np.datetime64(origin, "h") + (day_no * 24 + hour_no).astype("timedelta64[h]")
    return _Slots(
        times=pd.DatetimeIndex(stamps.astype("datetime64[ns]")),
        day=day_no,
        hour=hour_no,
        kind=np.repeat(np.asarray(day_kinds, dtype=np.int64), counts),
        flags=np.repeat(np.asarray(day_flags, dtype=np.float64).reshape(-1, 3), counts, axis=0),
    )


def _hourly(counts: pd.Series) -> pd.Series:
    if not isinstance(counts.index, pd.DatetimeIndex):
        raise ValueError("counts need a DatetimeIndex (hourly timestamps)")
    values = pd.to_numeric(counts, errors="coerce").astype(float)
    values.index = counts.index.floor("h")
    return values.groupby(level=0).sum(min_count=1)


class _Design:
    """The regression's columns for a set of slots, and the ridge penalty of each column."""

    def __init__(self, hours: tuple[int, ...], params: ModelParams) -> None:
        self.hour_pos = {h: i for i, h in enumerate(hours)}
        self.n_hours = len(hours)
        n_h, n_k = self.n_hours, _KINDS
        self.n_cols = 1 + n_h + n_k + n_k * n_h + 3 + 1
        penalty = np.zeros(self.n_cols)
        penalty[1 : 1 + n_h + n_k] = 1e-3
        self.interactions = slice(1 + n_h + n_k, 1 + n_h + n_k + n_k * n_h)
        penalty[self.interactions] = params.ridge_interaction
        penalty[-4:-1] = params.ridge_effects
        penalty[-1] = params.ridge_trend
        self.penalty = penalty

    def matrix(self, slots: _Slots) -> Floats:
        n = len(slots.day)
        n_h = self.n_hours
        x = np.zeros((n, self.n_cols))
        rows = np.arange(n)
        hour_idx = np.fromiter((self.hour_pos[h] for h in slots.hour), dtype=np.int64, count=n)
        x[:, 0] = 1.0
        x[rows, 1 + hour_idx] = 1.0
        x[rows, 1 + n_h + slots.kind] = 1.0
        x[rows, 1 + n_h + _KINDS + slots.kind * n_h + hour_idx] = 1.0
        # A public holiday on which the place is open starts from Sunday's shape and departs from it.
        holiday = slots.kind == DayKind.HOLIDAY
        x[rows[holiday], 1 + n_h + DayKind.SUN] = 1.0
        x[rows[holiday], 1 + n_h + _KINDS + DayKind.SUN * n_h + hour_idx[holiday]] = 1.0
        x[:, -4:-1] = slots.flags
        x[:, -1] = slots.day / 365.0
        return x


def _poisson_ridge(x: Floats, y: Floats, weights: Floats, penalty: Floats) -> Floats:
    scale = max(float(np.average(y, weights=weights)), 1e-3)
    beta = np.zeros(x.shape[1])
    eta = np.log(y + 0.1 * scale + 0.5)  # start near the data: a few iterations suffice
    for _ in range(25):
        mu = np.exp(np.clip(eta, -20.0, 20.0))
        w = weights * mu / scale
        z = eta + (y - mu) / mu
        xtw = x.T * w
        new = np.linalg.solve(xtw @ x + np.diag(penalty), xtw @ z)
        done = float(np.max(np.abs(new - beta))) < 1e-4
        beta = new
        eta = x @ beta
        if done:
            break
    return beta


def _level_factor(day: npt.NDArray[np.int64], y: Floats, mu: Floats, params: ModelParams) -> float:
    """The recent level against the fit: an exponentially weighted mean of each open day's log ratio."""
    level = 0.0
    last_days = np.unique(day)[-20:]
    for d in last_days:
        sel = day == d
        ratio = np.log((float(y[sel].sum()) + 1.0) / (float(mu[sel].sum()) + 1.0))
        level = (1.0 - params.level_alpha) * level + params.level_alpha * ratio
    return level


def _fit_predict(hist: _Slots, y: Floats, target: _Slots, hours: tuple[int, ...], params: ModelParams) -> Floats:
    """Fit on the observed history slots and return the expected counts of ``target``; days count from origin."""
    design = _Design(hours, params)
    age = -hist.day.astype(np.float64)
    weights = 0.5 ** (age / params.half_life_days)
    penalty = design.penalty.copy()
    if params.ridge_count_ref > 0.0:
        mean_count = max(float(np.average(y, weights=weights)), 1e-3)
        penalty[design.interactions] *= min(1.0, params.ridge_count_ref / mean_count)
    beta = _poisson_ridge(design.matrix(hist), y, weights, penalty)
    fitted = np.exp(np.clip(design.matrix(hist) @ beta, -20.0, 20.0))
    level = _level_factor(hist.day, y, fitted, params)
    lead = np.maximum(target.day, 1).astype(np.float64)
    eta = design.matrix(target) @ beta + level * params.level_decay ** (lead - 1.0)
    if params.shape_days > 0:
        shape = corrections.recent_shape(
            hist.day, hist.hour, y, fitted, target.hour, n_days=params.shape_days, prior=params.shape_prior
        )
        eta += shape * params.shape_decay ** (lead - 1.0)
    if params.short_days > 0 or params.yearly_weight > 0.0:
        days, ratios = corrections.day_ratios(hist.day, y, fitted)
        eta += params.short_weight * corrections.short_lead(
            days, ratios, level, lead, n_days=params.short_days, decay=params.short_decay
        )
        if params.yearly_weight > 0.0:
            plain_slot = (hist.kind != DayKind.HOLIDAY) & (hist.flags.sum(axis=1) == 0)
            plain = np.zeros(len(days), dtype=bool)
            plain[np.searchsorted(days, hist.day[plain_slot])] = True
            eta += corrections.yearly(
                days, ratios, plain, target.day, weight=params.yearly_weight, base_days=params.yearly_base_days
            )
    mu = np.exp(np.clip(eta, -20.0, 20.0))
    return np.asarray(mu, dtype=np.float64)


def _dispersion(y: Floats, mu: Floats, floor: float) -> float:
    """Negative-binomial dispersion φ (variance μ + φμ²) by the method of moments."""
    if len(y) == 0:
        return max(floor, 0.05)
    phi = float(np.sum((y - mu) ** 2 - mu) / max(float(np.sum(mu**2)), 1e-9))
    return max(phi, floor)


def _interval(mu: Floats, phi: float) -> tuple[Floats, Floats]:
    from scipy.stats import nbinom

    n = 1.0 / phi
    p = n / (n + np.maximum(mu, 1e-9))
    lower = np.asarray(nbinom.ppf(0.1, n, p), dtype=np.float64)
    upper = np.asarray(nbinom.ppf(0.9, n, p), dtype=np.float64)
    return lower, upper


def _fallback(hist: _Slots, y: Floats, target: _Slots, floor: float) -> tuple[Floats, float]:
    frame = pd.DataFrame({"kind": hist.kind, "hour": hist.hour, "y": y})
    by_kind_hour = frame.groupby(["kind", "hour"])["y"].mean()
    working = frame[frame["kind"] <= DayKind.FRI]
    by_hour = (working if len(working) else frame).groupby("hour")["y"].mean()
    overall = float(frame["y"].mean())
    mu = np.empty(len(target.day))
    for i, (kind, hour) in enumerate(zip(target.kind, target.hour, strict=True)):
        key = (int(kind), int(hour))
        if key in by_kind_hour.index:
            mu[i] = by_kind_hour[key]
        elif int(hour) in by_hour.index:
            mu[i] = by_hour[int(hour)]
        else:
            mu[i] = overall
    fitted = by_kind_hour.reindex(pd.MultiIndex.from_arrays([hist.kind, hist.hour])).to_numpy(dtype=float)
    return mu, 1.5 * _dispersion(y, fitted, floor)


def forecast_hall(
    counts: pd.Series,
    hours: OpeningHours,
    calendar: HallCalendar,
    horizon_days: int = 14,
    *,
    start: dt.date | None = None,
    params: ModelParams | None = None,
) -> Forecast:
    """Forecast a hall's count for every open hour of ``horizon_days`` days from ``start``.

    ``counts``: hourly counts indexed by (naive, local) timestamps; hours missing or NaN are unknown, not zero.
    Hours outside the opening hours are ignored, and so are open days with no arrival at all (a closure the
    calendar was not told of, or a recording outage). ``start`` defaults to the day after the last count; only
    counts before it are used. Raises ``ValueError`` when there is nothing to learn from.
    """
    from threadpoolctl import threadpool_limits

    # The matrices are small: BLAS threads only contend with each other and with the platform's workers.
    with threadpool_limits(limits=1, user_api="blas"):
        return _forecast(counts, hours, calendar, horizon_days, start=start, params=params or ModelParams())


def _forecast(
    counts: pd.Series,
    hours: OpeningHours,
    calendar: HallCalendar,
    horizon_days: int,
    *,
    start: dt.date | None,
    params: ModelParams,
) -> Forecast:
    if horizon_days < 1:
        raise ValueError("horizon_days must be at least 1")
    series = _hourly(counts).dropna()
    if start is None:
        if series.empty:
            raise ValueError("no counts given")
        start = (series.index.max() + pd.Timedelta(days=1)).date()
    series = series[series.index < pd.Timestamp(start)]
    origin = start - dt.timedelta(days=1)
    notes: list[str] = []
    future = open_slots(start, start + dt.timedelta(days=horizon_days - 1), hours, calendar, origin)
    if any(not calendar.covers(start + dt.timedelta(days=i)) for i in range(horizon_days)):
        notes.append(f"{calendar.name} does not cover every day ahead: Monday-Friday stands in")
    if series.empty:
        raise ValueError(f"no counts before {start}")
    first = max(series.index.min().date(), start - dt.timedelta(days=params.history_days))
    hist_all = open_slots(first, origin, hours, calendar, origin)
    observed = series.reindex(hist_all.times).to_numpy(dtype=float)
    keep = ~np.isnan(observed)
    frame = pd.DataFrame({"day": hist_all.day, "y": np.where(keep, observed, 0.0)})
    day_totals = frame.groupby("day")["y"].transform("sum").to_numpy()
    keep &= day_totals > 0
    if not keep.any():
        raise ValueError(f"no arrivals in opening hours before {start}")
    hist = _subset(hist_all, keep)
    y = observed[keep]
    empty = np.empty(0)
    if len(future.day) == 0:
        return Forecast(future.times, empty, empty, empty, MODEL_METHOD, tuple(notes))
    span = int(hist.day.max() - hist.day.min()) + 1
    if span < MIN_MODEL_HISTORY_DAYS:
        mu, phi = _fallback(hist, y, future, params.min_dispersion)
        method = FALLBACK_METHOD
    else:
        mu = _fit_predict(hist, y, future, hours.all_hours, params)
        phi = _holdout_dispersion(hist, y, hours.all_hours, params)
        method = MODEL_METHOD
    lower, upper = _interval(mu, phi)
    return Forecast(future.times, mu, lower, upper, method, tuple(notes))


def _subset(slots: _Slots, mask: npt.NDArray[np.bool_]) -> _Slots:
    return _Slots(slots.times[mask], slots.day[mask], slots.hour[mask], slots.kind[mask], slots.flags[mask])


def _shift(slots: _Slots, days: int) -> _Slots:
    return _Slots(slots.times, slots.day + days, slots.hour, slots.kind, slots.flags)


def _holdout_dispersion(hist: _Slots, y: Floats, hours: tuple[int, ...], params: ModelParams) -> float:
    """φ from forecasting the last ``holdout_days`` of history from before them, as the forecast itself will be."""
    cut = -params.holdout_days  # slots with day > cut are held out
    before = hist.day <= cut
    if int(hist.day[before].max(initial=cut)) - int(hist.day[before].min(initial=0)) < MIN_MODEL_HISTORY_DAYS:
        design_mu = _fit_predict(hist, y, hist, hours, params)
        return 1.5 * _dispersion(y, design_mu, params.min_dispersion)
    shift = -cut
    train = _shift(_subset(hist, before), shift)
    test = _shift(_subset(hist, ~before), shift)
    mu = _fit_predict(train, y[before], test, hours, params)
    return _dispersion(y[~before], mu, params.min_dispersion)
