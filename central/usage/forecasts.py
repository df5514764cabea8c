"""The nightly forecast per hall from its hourly counts, the hall's own hours and closed days, and what a
terminal's heartbeat answer carries of it.

Each hall's visits per hour (``usage_counts``, measure ``visits``) go to
:func:`central.forecast.model.forecast_hall` with China's calendar (public holidays, 调休 working days) and the
hall's closed days (``usage_halls``); the result replaces the hall's rows in ``usage_forecasts``. A hall with
under four weeks of history gets the model's stated fallback (the mean of the same weekday and hour), and the
method is stored with every row, so whoever reads a forecast sees how it was made.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from central.clock import iso, utc_now
from central.schema import usage_counts, usage_forecasts, usage_halls, usage_terminals

if TYPE_CHECKING:
    import pandas as pd

    from central.forecast.calendar import HallCalendar, OpeningHours

log = logging.getLogger("central.usage")

DEFAULT_HOURS = "9-17"
#: Days ahead the nightly job forecasts.
HORIZON_DAYS = 14
#: Hours of forecast a heartbeat answer carries (today's and tomorrow's opening hours, whatever the time zone).
HEARTBEAT_HOURS = 48


@dataclass(frozen=True)
class HallSettings:
    """A hall's opening hours and its own closed days (renovation, a system cut-over)."""

    hall: str
    hours: str = DEFAULT_HOURS
    closed_days: tuple[dt.date, ...] = ()

    def opening_hours(self) -> OpeningHours:
        from central.forecast.calendar import OpeningHours

        return OpeningHours.parse(self.hours)

    def calendar(self) -> HallCalendar:
        from central.forecast.calendar import HallCalendar

        return HallCalendar.china(self.closed_days)


@dataclass(frozen=True)
class HallForecastResult:
    """What the nightly job made for one hall."""

    hall: str
    method: str
    hours: int
    notes: tuple[str, ...] = ()
    error: str = ""


def hall_settings(engine: Engine, hall: str) -> HallSettings:
    with engine.connect() as conn:
        row = conn.execute(
            select(usage_halls.c.opening_hours, usage_halls.c.closed_days).where(usage_halls.c.hall == hall)
        ).first()
    if row is None:
        return HallSettings(hall)
    closed = tuple(dt.date.fromisoformat(d) for d in str(row[1]).split(",") if d.strip())
    return HallSettings(hall, str(row[0]), closed)


def set_hall(engine: Engine, settings: HallSettings) -> None:
    """Keep a hall's opening hours and closed days (checked: raises ``ValueError`` with a readable message)."""
    settings.opening_hours()
    values = {
        "opening_hours": settings.hours,
        "closed_days": ",".join(sorted(d.isoformat() for d in settings.closed_days)),
        "updated_at": iso(utc_now()),
    }
    with engine.begin() as conn:
        done = conn.execute(update(usage_halls).where(usage_halls.c.hall == settings.hall).values(**values))
        if done.rowcount == 0:
            conn.execute(insert(usage_halls).values(hall=settings.hall, **values))


def halls(engine: Engine) -> list[str]:
    """Every hall with counted visits."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(usage_counts.c.hall)
            .where(usage_counts.c.measure == "visits")
            .distinct()
            .order_by(usage_counts.c.hall)
        ).all()
    return [str(r[0]) for r in rows]


def hourly_visits(engine: Engine, hall: str) -> pd.Series:
    """The hall's visits per local hour (a naive DatetimeIndex); hours with no visit are absent."""
    import pandas as pd

    with engine.connect() as conn:
        rows = conn.execute(
            select(usage_counts.c.hour, usage_counts.c.value)
            .where(usage_counts.c.hall == hall, usage_counts.c.service_code == "", usage_counts.c.measure == "visits")
            .order_by(usage_counts.c.hour)
        ).all()
    index = pd.DatetimeIndex([pd.Timestamp(f"{hour}:00") for hour, _ in rows])
    return pd.Series([float(v) for _, v in rows], index=index, dtype=float)


def filled_hours(counts: pd.Series, settings: HallSettings, last_day: dt.date) -> pd.Series:
    """Counts with the open hours of days the hall had any visit filled with 0 (a counted day's quiet hour had
    no visit; a day with none at all stays unknown: a gap in the terminals' reports, or a closure)."""
    import pandas as pd

    if counts.empty:
        return counts
    hours, calendar = settings.opening_hours(), settings.calendar()
    days = sorted({t.date() for t in counts.index if t.date() <= last_day})
    stamps = [pd.Timestamp(day) + pd.Timedelta(hours=h) for day in days for h in hours.on(day, calendar)]
    full = counts.reindex(counts.index.union(pd.DatetimeIndex(stamps)))
    return full.fillna(0.0)


def forecast_hall_from_db(
    engine: Engine, hall: str, start: dt.date, days: int = HORIZON_DAYS
) -> tuple[Any, HallSettings]:
    """The hall's forecast from its stored counts (``central.forecast.model.Forecast``); ``ValueError`` when
    there is nothing to learn from."""
    from central.forecast.model import forecast_hall

    settings = hall_settings(engine, hall)
    counts = filled_hours(hourly_visits(engine, hall), settings, start - dt.timedelta(days=1))
    if counts.empty:
        raise ValueError(f"no counted visits for hall {hall!r}")
    return forecast_hall(counts, settings.opening_hours(), settings.calendar(), days, start=start), settings


def refresh_forecasts(engine: Engine, today: dt.date, days: int = HORIZON_DAYS) -> list[HallForecastResult]:
    """The nightly job's forecast: every hall's next ``days`` days from ``today``, replacing the last one."""
    results: list[HallForecastResult] = []
    made_at = iso(utc_now())
    for hall in halls(engine):
        try:
            forecast, _ = forecast_hall_from_db(engine, hall, today, days)
        except ValueError as exc:
            results.append(HallForecastResult(hall, "", 0, error=str(exc)))
            continue
        rows = [
            {
                "hall": hall,
                "hour": when.strftime("%Y-%m-%dT%H"),
                "point": float(point),
                "lower80": float(low),
                "upper80": float(high),
                "method": forecast.method,
                "made_at": made_at,
            }
            for when, point, low, high in zip(
                forecast.index, forecast.points, forecast.lower80, forecast.upper80, strict=True
            )
        ]
        with engine.begin() as conn:
            conn.execute(delete(usage_forecasts).where(usage_forecasts.c.hall == hall))
            if rows:
                conn.execute(insert(usage_forecasts), rows)
        results.append(HallForecastResult(hall, forecast.method, len(rows), tuple(forecast.notes)))
        log.info("forecast for hall %s: %d open hours (%s)", hall, len(rows), forecast.method)
    return results


def stored_forecast(engine: Engine, hall: str, since: str = "", limit: int | None = None) -> list[dict[str, Any]]:
    """The hall's stored forecast rows from hour ``since`` (``YYYY-MM-DDTHH``; empty: all), in order."""
    query = (
        select(
            usage_forecasts.c.hour,
            usage_forecasts.c.point,
            usage_forecasts.c.lower80,
            usage_forecasts.c.upper80,
            usage_forecasts.c.method,
        )
        .where(usage_forecasts.c.hall == hall, usage_forecasts.c.hour >= since)
        .order_by(usage_forecasts.c.hour)
    )
    if limit is not None:
        query = query.limit(limit)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return [
        {"hour": str(h), "point": round(float(p), 2), "lower80": float(lo), "upper80": float(hi), "method": str(m)}
        for h, p, lo, hi, m in rows
    ]


def terminal_forecast(engine: Engine, terminal_id: str, now: dt.datetime | None = None) -> dict[str, Any] | None:
    """What a terminal's heartbeat answer carries: its hall's forecast for the hours around now (None when the
    platform does not know its hall yet or has no forecast)."""
    with engine.connect() as conn:
        row = conn.execute(select(usage_terminals.c.hall).where(usage_terminals.c.terminal_id == terminal_id)).first()
    if row is None:
        return None
    hall = str(row[0])
    moment = now or utc_now()
    since = (moment - dt.timedelta(hours=14)).strftime("%Y-%m-%dT%H")  # the hall's local hour is at most UTC+14
    hours = [
        {k: r[k] for k in ("hour", "point", "lower80", "upper80")}
        for r in stored_forecast(engine, hall, since, limit=HEARTBEAT_HOURS)
    ]
    return {"hall": hall, "hours": hours} if hours else None


def heartbeat_forecast(engine: Engine, terminal_id: str) -> dict[str, Any] | None:
    """:func:`terminal_forecast` for the heartbeat's answer: a database hiccup here never fails the beat."""
    try:
        return terminal_forecast(engine, terminal_id)
    except SQLAlchemyError:
        log.warning("heartbeat of %s: the usage forecast could not be read", terminal_id)
        return None
