"""``kiosk-central forecast --hall H --db URL`` (or ``--csv FILE``): print a hall's forecast for each opening
hour ahead, with its busiest hours.

With ``--db`` the counts are the platform's own (``central/usage/``: the terminals' usage batches, counted by
``kiosk-central usage rollup``) and the hall's hours and closed days are those kept with
``kiosk-central usage hall``. The CSV has the columns timestamp, series, count (hourly; ``series`` names the
hall). ``--export FILE.csv`` or ``FILE.xlsx`` writes the hall's hourly counts and the forecast. Bad input gives
one readable line and exit 2.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas and the model load when the command runs, not when the parser is built
    import pandas as pd

    from central.forecast.calendar import HallCalendar
    from central.forecast.model import Forecast

_MAX_DAYS = 62


class ForecastInputError(Exception):
    """Input the operator can fix; printed as one line."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--hall", required=True, help="the hall (the CSV's series column)")
    parser.add_argument("--csv", type=Path, help="hourly counts: columns timestamp, series, count")
    parser.add_argument("--db", help="the platform's database (sqlite:///PATH or postgresql://...): its counts")
    parser.add_argument("--export", type=Path, help="write counts and forecast to FILE.csv or FILE.xlsx")
    parser.add_argument("--days", type=int, default=14, help=f"days ahead (1-{_MAX_DAYS}, default 14)")
    parser.add_argument("--hours", default="9-17", help="opening hours on working days, e.g. 9-17 or 9-12,13-17")
    parser.add_argument("--closed", default="", help="the hall's own closed days, e.g. 2026-12-01,2026-12-02")
    parser.add_argument("--from", dest="start", help="first day forecast (default: the day after the last count)")
    parser.add_argument("--json", action="store_true", help="one JSON object per open hour instead of a table")


def _date(text: str, what: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ForecastInputError(f"{what} {text!r} is not a date like 2026-12-01") from None


def _counts(path: Path | None, hall: str) -> pd.Series:
    import pandas as pd

    if path is None:
        raise ForecastInputError(f"no hourly counts for hall {hall!r}: give --db URL (the platform's) or --csv FILE")
    try:
        data = pd.read_csv(path)
    except FileNotFoundError:
        raise ForecastInputError(f"{path}: no such file") from None
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise ForecastInputError(f"{path}: cannot read it as CSV ({exc})") from None
    missing = {"timestamp", "series", "count"} - set(data.columns)
    if missing:
        raise ForecastInputError(
            f"{path}: missing column(s) {', '.join(sorted(missing))} (need timestamp, series, count)"
        )
    rows = data[data["series"].astype(str) == hall]
    if rows.empty:
        halls = sorted(data["series"].astype(str).unique())[:5]
        raise ForecastInputError(f"{path}: no rows for hall {hall!r} (halls there: {', '.join(halls) or 'none'})")
    stamps = pd.to_datetime(rows["timestamp"], errors="coerce")
    values = pd.to_numeric(rows["count"], errors="coerce")
    bad = stamps.isna() | (values < 0)
    if bad.any():
        line = int(bad.to_numpy().nonzero()[0][0])
        raise ForecastInputError(f"{path}: hall {hall!r} row {line + 1} has a bad timestamp or a negative count")
    return pd.Series(values.to_numpy(dtype=float), index=pd.DatetimeIndex(stamps))


def _day_label(day: dt.date, calendar: HallCalendar) -> str:
    from central.forecast.calendar import DayKind

    if calendar.is_closed(day):
        return "闭厅 hall closed"
    kind = calendar.kind(day)
    if kind == DayKind.MAKEUP:
        return "调休上班"
    if kind == DayKind.HOLIDAY:
        return "节假日"
    return "工作日" if calendar.is_working_day(day) else "休息日"


def _print_table(hall: str, forecast: Forecast, start: dt.date, days: int, calendar: HallCalendar) -> None:
    import pandas as pd

    frame = forecast.frame()
    print(f"hall {hall}: {days} days from {start}; calendar {calendar.name}; method {forecast.method}")
    for note in forecast.notes:
        print(f"note: {note}")
    print("80 % of hours should fall inside the (low-high) range")
    for i in range(days):
        day = start + dt.timedelta(days=i)
        label = f"{day} {day.strftime('%a')} {_day_label(day, calendar)}"
        rows = frame[pd.DatetimeIndex(frame.index).normalize() == pd.Timestamp(day)]
        if rows.empty:
            print(f"{label}: closed")
            continue
        cells = "  ".join(
            f"{t.hour:02d}h {r.point:.0f} ({r.lower80:.0f}-{r.upper80:.0f})"
            for t, r in zip(rows.index, rows.itertuples(), strict=True)
        )
        print(f"{label}: total {rows['point'].sum():.0f} | {cells}")


def _busiest(forecast: Forecast, top: int = 5) -> str:
    frame = forecast.frame().sort_values("point", ascending=False).head(top)
    cells = [f"{t:%m-%d %a} {t.hour:02d}h {r.point:.0f}" for t, r in zip(frame.index, frame.itertuples(), strict=True)]
    return "busiest hours 最忙时段: " + ", ".join(cells)


def _from_db(args: argparse.Namespace) -> int:
    from central.db import open_engine
    from central.usage.export import write_export
    from central.usage.forecasts import forecast_hall_from_db, hourly_visits

    if args.csv is not None:
        raise ForecastInputError("give --db or --csv, not both")
    if not 1 <= args.days <= _MAX_DAYS:
        raise ForecastInputError(f"--days {args.days}: give 1 to {_MAX_DAYS}")
    start = _date(args.start, "--from") if args.start else dt.date.today()
    engine = open_engine(args.db)
    try:
        try:
            forecast, settings = forecast_hall_from_db(engine, args.hall, start, args.days)
        except ValueError as exc:
            raise ForecastInputError(f"hall {args.hall!r}: {exc} (kiosk-central usage rollup counts them)") from None
        counts = hourly_visits(engine, args.hall)
    finally:
        engine.dispose()
    if args.export is not None:
        try:
            write_export(args.export, args.hall, counts, forecast)
        except (OSError, ValueError) as exc:
            raise ForecastInputError(f"cannot write {args.export}: {exc}") from None
    _print_table(args.hall, forecast, start, args.days, settings.calendar())
    print(_busiest(forecast))
    return 0


def run(args: argparse.Namespace) -> int:
    import pandas as pd

    from central.forecast.calendar import HallCalendar, OpeningHours
    from central.forecast.model import forecast_hall

    if args.db:
        try:
            return _from_db(args)
        except ForecastInputError as exc:
            print(f"kiosk-central forecast: {exc}", file=sys.stderr)
            return 2
    try:
        if not 1 <= args.days <= _MAX_DAYS:
            raise ForecastInputError(f"--days {args.days}: give 1 to {_MAX_DAYS}")
        try:
            hours = OpeningHours.parse(args.hours)
        except ValueError as exc:
            raise ForecastInputError(str(exc)) from None
        closed = [_date(t, "--closed day") for t in args.closed.split(",") if t.strip()]
        start = _date(args.start, "--from") if args.start else None
        counts = _counts(args.csv, args.hall)
        calendar = HallCalendar.china(closed)
        try:
            forecast = forecast_hall(counts, hours, calendar, args.days, start=start)
        except ValueError as exc:
            raise ForecastInputError(f"hall {args.hall!r}: {exc}") from None
    except ForecastInputError as exc:
        print(f"kiosk-central forecast: {exc}", file=sys.stderr)
        return 2
    first = start or (counts.dropna().index.max() + pd.Timedelta(days=1)).date()
    if args.json:
        for when, point, low, high in zip(
            forecast.index, forecast.points, forecast.lower80, forecast.upper80, strict=True
        ):
            record = {"hall": args.hall, "hour": when.isoformat(), "point": round(float(point), 1)}
            record |= {"lower80": float(low), "upper80": float(high), "method": forecast.method}
            print(json.dumps(record, ensure_ascii=False))
    else:
        _print_table(args.hall, forecast, first, args.days, calendar)
    return 0
