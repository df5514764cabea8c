"""The nightly job (``kiosk-central usage nightly``) forecasts each hall from its counted visits: a new hall gets
the stated fallback, a gap of missing days does not sink the forecast, a 调休 Saturday is a working day, the
hall's own closed day has no hours, counts past retention go; ``kiosk-central forecast --hall H --db`` prints
it and exports it; the console's chart draws it."""

from __future__ import annotations

import csv
import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import Engine, func, insert, select

from central.cli import main
from central.db import open_engine
from central.forecast.calendar import HallCalendar, OpeningHours
from central.forecast.model import FALLBACK_METHOD, MODEL_METHOD
from central.schema import usage_counts, usage_forecasts
from central.usage.chart import chart_data, render_svg

HOURS = OpeningHours.parse("9-17")
#: A shape through the day: a morning peak, a lunch dip, an afternoon bump.
SHAPE = {9: 1.3, 10: 1.6, 11: 1.3, 12: 0.5, 13: 0.8, 14: 1.1, 15: 1.0, 16: 0.6}


@pytest.fixture
def db(tmp_path: Path) -> Iterator[tuple[str, Engine]]:
    url = f"sqlite:///{tmp_path / 'central.db'}"
    engine = open_engine(url)
    yield url, engine
    engine.dispose()


def fill(
    engine: Engine,
    hall: str,
    first: dt.date,
    last: dt.date,
    *,
    skip: frozenset[dt.date] | set[dt.date] = frozenset(),
    seed: int = 3,
) -> int:
    """Counted visits per open hour of China's calendar, Poisson around 20 × the day's shape."""
    rng = np.random.default_rng(seed)
    calendar = HallCalendar.china()
    rows = []
    day = first
    while day <= last:
        if day not in skip:
            for hour in HOURS.on(day, calendar):
                visits = int(rng.poisson(20 * SHAPE[hour] * (1.2 if day.weekday() == 0 else 1.0)))
                rows.append(
                    {
                        "hall": hall,
                        "hour": f"{day.isoformat()}T{hour:02d}",
                        "service_code": "",
                        "measure": "visits",
                        "value": float(visits),
                    }
                )
        day += dt.timedelta(days=1)
    with engine.begin() as conn:
        conn.execute(insert(usage_counts), rows)
    return len(rows)


def forecast_rows(engine: Engine, hall: str) -> list[tuple[str, float, float, float, str]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                usage_forecasts.c.hour,
                usage_forecasts.c.point,
                usage_forecasts.c.lower80,
                usage_forecasts.c.upper80,
                usage_forecasts.c.method,
            )
            .where(usage_forecasts.c.hall == hall)
            .order_by(usage_forecasts.c.hour)
        ).all()
    return [(str(h), float(p), float(lo), float(hi), str(m)) for h, p, lo, hi, m in rows]


def nightly(url: str, today: dt.date, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["usage", "nightly", "--db", url, "--today", today.isoformat()]) == 0
    return capsys.readouterr().out


def test_a_new_hall_with_two_weeks_gets_the_stated_fallback(
    db: tuple[str, Engine], capsys: pytest.CaptureFixture[str]
) -> None:
    url, engine = db
    fill(engine, "新厅", dt.date(2026, 11, 9), dt.date(2026, 11, 22))
    out = nightly(url, dt.date(2026, 11, 23), capsys)
    assert f"hall 新厅: 80 open hours forecast; method {FALLBACK_METHOD}" in out
    rows = forecast_rows(engine, "新厅")
    assert {r[4] for r in rows} == {FALLBACK_METHOD}
    ten = [r for r in rows if r[0].endswith("T10")]
    assert all(20 <= r[1] <= 45 for r in ten)  # around 20 × 1.6 (Mondays 1.2 × that)


def test_a_gap_of_missing_days_does_not_sink_the_forecast(
    db: tuple[str, Engine], capsys: pytest.CaptureFixture[str]
) -> None:
    url, engine = db
    gap = {dt.date(2026, 10, 12) + dt.timedelta(days=i) for i in range(12)}  # the terminals did not report
    fill(engine, "老厅", dt.date(2026, 8, 3), dt.date(2026, 11, 20), skip=gap)
    out = nightly(url, dt.date(2026, 11, 23), capsys)
    assert f"method {MODEL_METHOD}" in out
    rows = forecast_rows(engine, "老厅")
    tuesday = [r for r in rows if r[0].startswith("2026-11-24")]
    assert len(tuesday) == 8
    total = sum(r[1] for r in tuesday)
    assert 0.8 * 164 <= total <= 1.2 * 164  # the day's true mean: 20 × the shape's sum (8.2)
    assert all(lo <= p <= hi for _, p, lo, hi, _ in rows)


def test_a_makeup_saturday_is_forecast_as_a_working_day_and_a_closed_day_is_not(
    db: tuple[str, Engine], capsys: pytest.CaptureFixture[str]
) -> None:
    url, engine = db
    fill(engine, "调休厅", dt.date(2026, 7, 6), dt.date(2026, 9, 30))
    assert main(["usage", "hall", "调休厅", "--db", url, "--hours", "9-17", "--closed", "2026-10-13"]) == 0
    nightly(url, dt.date(2026, 10, 9), capsys)
    days = {r[0][:10] for r in forecast_rows(engine, "调休厅")}
    assert "2026-10-10" in days  # 调休: the Saturday after 国庆 is worked
    assert "2026-10-11" not in days  # an ordinary Sunday
    assert "2026-10-13" not in days  # the hall's own closed day
    assert {"2026-10-09", "2026-10-12", "2026-10-14"} <= days
    capsys.readouterr()
    assert main(["usage", "hall", "调休厅", "--db", url, "--hours", "17-9"]) == 2
    assert main(["usage", "hall", "调休厅", "--db", url, "--closed", "10月13日"]) == 2
    errors = capsys.readouterr().err
    assert "opening hours '17-9'" in errors and "'10月13日' is not a date" in errors
    assert "Traceback" not in errors


def test_counts_past_retention_are_dropped(db: tuple[str, Engine], capsys: pytest.CaptureFixture[str]) -> None:
    url, engine = db
    fill(engine, "厅", dt.date(2025, 6, 2), dt.date(2026, 11, 20))
    assert main(["usage", "nightly", "--db", url, "--today", "2026-11-23", "--keep-days", "100"]) == 0
    with engine.connect() as conn:
        oldest = conn.execute(select(func.min(usage_counts.c.hour))).scalar_one()
    assert oldest >= (dt.date(2026, 11, 23) - dt.timedelta(days=100)).isoformat()
    assert main(["usage", "nightly", "--db", url, "--keep-days", "3"]) == 2
    assert "keep at least 28 days" in capsys.readouterr().err


def test_the_forecast_command_prints_busiest_hours_and_exports(
    db: tuple[str, Engine], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, engine = db
    fill(engine, "厅", dt.date(2026, 8, 3), dt.date(2026, 11, 20))
    out_csv, out_xlsx = tmp_path / "hall.csv", tmp_path / "hall.xlsx"
    args = ["forecast", "--hall", "厅", "--db", url, "--from", "2026-11-23", "--days", "7"]
    assert main([*args, "--export", str(out_csv)]) == 0
    out = capsys.readouterr().out
    assert "busiest hours 最忙时段: " in out
    assert "10h" in out.split("busiest hours")[1]  # the morning peak
    assert "80 %" in out
    with out_csv.open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert {r["kind"] for r in rows} == {"counted", "forecast"}
    assert main([*args, "--export", str(out_xlsx)]) == 0
    from openpyxl import load_workbook

    book = load_workbook(out_xlsx)
    assert book.sheetnames == ["实际 counted", "预测 forecast"]
    assert book["预测 forecast"].max_row == 1 + 5 * 8  # five working days of eight hours
    capsys.readouterr()
    assert main(["forecast", "--hall", "没有的厅", "--db", url]) == 2
    assert "no counted visits for hall '没有的厅'" in capsys.readouterr().err


def test_the_chart_draws_history_forecast_and_where_visits_were_left(
    db: tuple[str, Engine], capsys: pytest.CaptureFixture[str]
) -> None:
    url, engine = db
    fill(engine, "厅", dt.date(2026, 8, 3), dt.date(2026, 11, 20))
    with engine.begin() as conn:
        conn.execute(
            insert(usage_counts),
            [
                {
                    "hall": "厅",
                    "hour": "2026-11-20T10",
                    "service_code": "JZZ-04",
                    "measure": "abandoned:form:contract",
                    "value": 7.0,
                },
                {
                    "hall": "厅",
                    "hour": "2026-11-20T10",
                    "service_code": "GLJT-01",
                    "measure": "abandoned:identify",
                    "value": 2.0,
                },
                {"hall": "厅", "hour": "2026-11-20T11", "service_code": "GLJT-01", "measure": "rating:5", "value": 3.0},
                {"hall": "厅", "hour": "2026-11-20T11", "service_code": "GLJT-01", "measure": "rating:2", "value": 1.0},
            ],
        )
    nightly(url, dt.date(2026, 11, 23), capsys)
    svg = render_svg(chart_data(engine, "厅", dt.date(2026, 11, 23), weeks=4))
    root = ET.fromstring(svg)  # well-formed SVG
    ns = "{http://www.w3.org/2000/svg}"
    assert root.find(f".//{ns}polyline[@class='history']") is not None
    assert root.find(f".//{ns}polyline[@class='forecast']") is not None
    assert root.find(f".//{ns}polygon[@class='interval']") is not None
    texts = [t.text or "" for t in root.iter(f"{ns}text")]
    assert texts.index("JZZ-04 · form:contract") < texts.index("GLJT-01 · identify")  # most abandoned first
    assert any("4 条, 平均 4.25" in t for t in texts)
    assert any(t.startswith("周一 10:00") for t in texts)  # Monday mornings are the busiest
    out = Path(url.removeprefix("sqlite:///")).with_name("chart.svg")
    assert main(["usage", "chart", "厅", "--db", url, "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8").startswith("<svg")
