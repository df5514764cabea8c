"""``kiosk-central usage …``: the usage rollup, the nightly job, a hall's hours and closed days, the chart.

``rollup`` counts the usage batches stored since the last run; ``nightly`` does that, drops what is past
retention and makes every hall's forecast for the next days (a systemd timer runs it at night:
``installer/packaging/central/hall-kiosk-central-nightly.timer``); ``hall H --hours 9-17 --closed D,D`` keeps a
hall's own opening hours and closed days; ``chart H --out FILE.svg`` writes the console's chart. Bad input gives
one readable line and exit 2.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

KEEP_DAYS = 400


class UsageInputError(Exception):
    """Input the operator can fix; printed as one line."""


def _date(text: str, what: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise UsageInputError(f"{what} {text!r} is not a date like 2026-12-01") from None


def add_commands(commands: Any) -> None:
    """Add ``usage rollup|nightly|hall|chart`` under ``commands`` (the ``kiosk-central`` sub-parsers)."""
    group = commands.add_parser("usage", help="usage analytics: count batches, the nightly forecast, halls, chart")
    actions = group.add_subparsers(dest="action", metavar="ACTION", parser_class=type(group), required=True)
    rollup = actions.add_parser("rollup", help="count the usage batches stored since the last run")
    rollup.set_defaults(handler=_guarded(_rollup))
    nightly = actions.add_parser("nightly", help="rollup, drop what is past retention, forecast every hall's next days")
    nightly.add_argument("--days", type=int, default=14, help="days ahead to forecast (1-62, default 14)")
    nightly.add_argument("--keep-days", type=int, default=KEEP_DAYS, help=f"days of counts kept (default {KEEP_DAYS})")
    nightly.add_argument("--today", help="the first day forecast (default: today)")
    nightly.set_defaults(handler=_guarded(_nightly))
    hall = actions.add_parser("hall", help="a hall's opening hours and its own closed days")
    hall.add_argument("hall", metavar="HALL")
    hall.add_argument("--hours", default="9-17", help="opening hours on working days, e.g. 9-17 or 9-12,13-17")
    hall.add_argument("--closed", default="", help="the hall's closed days, e.g. 2026-12-01,2026-12-02")
    hall.set_defaults(handler=_guarded(_hall))
    chart = actions.add_parser("chart", help="write a hall's usage chart (SVG) as the console shows it")
    chart.add_argument("hall", metavar="HALL")
    chart.add_argument("--out", type=Path, required=True, help="the SVG file to write")
    chart.add_argument("--weeks", type=int, default=6, help="weeks of history shown (default 6)")
    chart.set_defaults(handler=_guarded(_chart))
    for sub in (rollup, nightly, hall, chart):
        sub.add_argument("--db", required=True, help="sqlite:///PATH or postgresql://USER@HOST/DB")


def _guarded(handler: Any) -> Any:
    def run(args: argparse.Namespace) -> int:
        try:
            code: int = handler(args)
        except UsageInputError as exc:
            print(f"kiosk-central usage: {exc}", file=sys.stderr)
            return 2
        return code

    return run


def _rollup(args: argparse.Namespace) -> int:
    from central.db import open_engine
    from central.usage.rollup import rollup

    engine = open_engine(args.db)
    try:
        print(rollup(engine).describe())
    finally:
        engine.dispose()
    return 0


def _nightly(args: argparse.Namespace) -> int:
    from central.db import open_engine
    from central.usage.forecasts import refresh_forecasts
    from central.usage.rollup import prune, rollup

    if not 1 <= args.days <= 62:
        raise UsageInputError(f"--days {args.days}: give 1 to 62")
    if args.keep_days < 28:
        raise UsageInputError(f"--keep-days {args.keep_days}: keep at least 28 days (the forecast needs four weeks)")
    today = _date(args.today, "--today") if args.today else dt.date.today()
    engine = open_engine(args.db)
    try:
        print(rollup(engine).describe())
        print(f"{prune(engine, today, args.keep_days)} hourly count(s) past {args.keep_days} days dropped")
        for result in refresh_forecasts(engine, today, args.days):
            if result.error:
                print(f"hall {result.hall}: no forecast ({result.error})")
            else:
                print(f"hall {result.hall}: {result.hours} open hours forecast; method {result.method}")
            for note in result.notes:
                print(f"  note: {note}")
    finally:
        engine.dispose()
    return 0


def _hall(args: argparse.Namespace) -> int:
    from central.db import open_engine
    from central.usage.forecasts import HallSettings, set_hall

    name = args.hall.strip()
    if not name or len(name) > 64:
        raise UsageInputError(f"hall {args.hall!r}: give a name of 1-64 characters")
    closed = tuple(_date(t, "--closed day") for t in args.closed.split(",") if t.strip())
    settings = HallSettings(name, args.hours, closed)
    try:
        settings.opening_hours()
    except ValueError as exc:
        raise UsageInputError(str(exc)) from None
    engine = open_engine(args.db)
    try:
        set_hall(engine, settings)
    finally:
        engine.dispose()
    print(f"hall {name}: open {args.hours} on working days; {len(closed)} closed day(s) of its own")
    return 0


def _chart(args: argparse.Namespace) -> int:
    from central.db import open_engine
    from central.usage.chart import chart_data, render_svg

    if not 1 <= args.weeks <= 26:
        raise UsageInputError(f"--weeks {args.weeks}: give 1 to 26")
    engine = open_engine(args.db)
    try:
        data = chart_data(engine, args.hall, dt.date.today(), weeks=args.weeks)
    finally:
        engine.dispose()
    try:
        args.out.write_text(render_svg(data), encoding="utf-8")
    except OSError as exc:
        raise UsageInputError(f"cannot write {args.out}: {exc.strerror}") from None
    print(f"chart of hall {args.hall} written to {args.out}")
    return 0
