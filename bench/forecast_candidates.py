"""The methods the hall forecast was chosen from, as forecasters for ``central.forecast.evaluate``.

Each MSTL candidate works on the open hours only, laid end to end (closed days dropped), with a daily period of
the hours per open day and a weekly one of the open days per ordinary week times that; the forecast is mapped
back onto the open hours ahead. They need every open day to have the same hours.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import numpy as np
import pandas as pd

from central.forecast.calendar import HallCalendar, OpeningHours
from central.forecast.evaluate import Forecaster
from central.forecast.model import FALLBACK_METHOD, Forecast, ModelParams, forecast_hall, open_slots


def _compressed(
    history: pd.Series, hours: OpeningHours, calendar: HallCalendar, start: dt.date, horizon: int
) -> tuple[np.ndarray, pd.DatetimeIndex, int, int]:
    first = max(history.index.min().date(), start - dt.timedelta(days=371))
    past = open_slots(first, start - dt.timedelta(days=1), hours, calendar, start)
    future = open_slots(start, start + dt.timedelta(days=horizon - 1), hours, calendar, start)
    y = history.reindex(past.times).to_numpy(dtype=float)
    frame = pd.DataFrame({"day": past.day, "y": y})
    totals = frame.groupby("day")["y"].transform(lambda v: v.sum(min_count=1)).to_numpy()
    keep = ~np.isnan(totals) & (totals > 0)
    y = y[keep]
    # A missing hour inside a kept day: the same hour a week of open days before, else the day's mean.
    y = pd.Series(y).interpolate(limit_direction="both").to_numpy()
    per_day = len(hours.working)
    days_per_week = 7 if hours.rest else 5
    return y, future.times, per_day, per_day * days_per_week


def mstl_statsmodels(hours: OpeningHours) -> Forecaster:
    """statsmodels: MSTL (daily and weekly periods) + a damped additive ETS on the deseasonalised series."""

    def run(history: pd.Series, calendar: HallCalendar, start: dt.date, horizon: int) -> Forecast:
        from statsmodels.tsa.exponential_smoothing.ets import ETSModel
        from statsmodels.tsa.seasonal import MSTL

        y, index, day, week = _compressed(history, hours, calendar, start, horizon)
        n = len(index)
        log_y = np.log1p(y)
        result = MSTL(log_y, periods=(day, week), stl_kwargs={"robust": False}).fit()
        seasonal = np.asarray(result.seasonal)
        ahead = np.zeros(n)
        for k, period in enumerate((day, week)):
            last = seasonal[-period:, k]
            ahead += np.resize(last, n)
        deseason = log_y - seasonal.sum(axis=1)
        ets = ETSModel(pd.Series(deseason), error="add", trend="add", damped_trend=True).fit(disp=False)
        pred = ets.get_prediction(start=len(deseason), end=len(deseason) + n - 1)
        bounds = np.asarray(pred.pred_int(alpha=0.2))
        mean = np.asarray(pred.predicted_mean) + ahead
        lower = bounds[:, 0] + ahead
        upper = bounds[:, 1] + ahead
        return Forecast(index, np.expm1(mean), np.expm1(lower), np.expm1(upper), "MSTL + ETS (statsmodels)")

    return run


def mstl_statsforecast(hours: OpeningHours) -> Forecaster:
    """statsforecast: MSTL (daily and weekly periods) with AutoETS on the trend, its own 80 % interval."""

    def run(history: pd.Series, calendar: HallCalendar, start: dt.date, horizon: int) -> Forecast:
        from statsforecast.models import MSTL, AutoETS

        y, index, day, week = _compressed(history, hours, calendar, start, horizon)
        model = MSTL(season_length=[day, week], trend_forecaster=AutoETS(model="ZZN"))
        out = model.forecast(y=np.log1p(y), h=len(index), level=[80])
        return Forecast(
            index,
            np.expm1(out["mean"]),
            np.expm1(out["lo-80"]),
            np.expm1(out["hi-80"]),
            "MSTL + AutoETS (statsforecast)",
        )

    return run


def calendar_model(hours: OpeningHours, params: ModelParams | None = None) -> Forecaster:
    """The chosen method (``central.forecast.model.forecast_hall``)."""

    def run(history: pd.Series, calendar: HallCalendar, start: dt.date, horizon: int) -> Forecast:
        return forecast_hall(history, hours, calendar, horizon, start=start, params=params)

    return run


def fallback_only(hours: OpeningHours) -> Forecaster:
    """The fallback for new halls, run on the last four weeks only (what a new hall would have)."""

    def run(history: pd.Series, calendar: HallCalendar, start: dt.date, horizon: int) -> Forecast:
        recent = history[history.index >= pd.Timestamp(start - dt.timedelta(days=27))]
        forecast = forecast_hall(recent, hours, calendar, horizon, start=start)
        assert forecast.method == FALLBACK_METHOD
        return forecast

    return run


CANDIDATES: dict[str, Callable[[OpeningHours], Forecaster]] = {
    "calendar": calendar_model,
    "mstl-statsmodels": mstl_statsmodels,
    "mstl-statsforecast": mstl_statsforecast,
    "fallback": fallback_only,
}
