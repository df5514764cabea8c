"""The console's usage chart of one hall, drawn on the server as SVG (no script, no chart library).

Four panels: visits per day over the last weeks and the forecast's next days with its 80 % interval; the busiest
hours (mean visits in each weekday's hour); the services with the most abandoned visits and the step they were
left at; and the ratings (好差评). :func:`chart_data` reads them from the database, :func:`render_svg` draws.

A day's interval is the point plus or minus the root of the summed squares of its hours' half-widths (hours
taken as independent); it says how sure the forecast is, not a guarantee.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from sqlalchemy import Engine, select

from central.schema import usage_counts, usage_forecasts

WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
WIDTH = 960
_PLOT = (70, 60, 920, 300)  # left, top, right, bottom of the visits plot


@dataclass(frozen=True)
class DayForecast:
    day: dt.date
    point: float
    lower80: float
    upper80: float


@dataclass(frozen=True)
class ChartData:
    """What the chart shows for one hall."""

    hall: str
    history: tuple[tuple[dt.date, float], ...]
    forecast: tuple[DayForecast, ...] = ()
    method: str = ""
    #: (weekday 0-6, hour, mean visits), busiest first.
    busiest: tuple[tuple[int, int, float], ...] = ()
    #: (service code, step, abandoned visits), most first.
    abandoned: tuple[tuple[str, str, int], ...] = ()
    ratings: dict[int, int] = field(default_factory=dict)


def chart_data(engine: Engine, hall: str, today: dt.date, *, weeks: int = 6, top: int = 5) -> ChartData:
    """The hall's last ``weeks`` weeks before ``today`` and its stored forecast from ``today``."""
    first = today - dt.timedelta(days=7 * weeks)
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                usage_counts.c.hour, usage_counts.c.service_code, usage_counts.c.measure, usage_counts.c.value
            ).where(
                usage_counts.c.hall == hall,
                usage_counts.c.hour >= first.isoformat(),
                usage_counts.c.hour < today.isoformat(),
            )
        ).all()
        ahead = conn.execute(
            select(
                usage_forecasts.c.hour,
                usage_forecasts.c.point,
                usage_forecasts.c.lower80,
                usage_forecasts.c.upper80,
                usage_forecasts.c.method,
            )
            .where(usage_forecasts.c.hall == hall, usage_forecasts.c.hour >= today.isoformat())
            .order_by(usage_forecasts.c.hour)
        ).all()
    daily: dict[dt.date, float] = {first + dt.timedelta(days=i): 0.0 for i in range(7 * weeks)}
    slots: dict[tuple[int, int], float] = {}
    slot_days: dict[tuple[int, int], set[dt.date]] = {}
    abandoned: dict[tuple[str, str], float] = {}
    ratings: dict[int, int] = {}
    for hour, service, measure, value in rows:
        day, clock = dt.date.fromisoformat(hour[:10]), int(hour[11:13])
        if measure == "visits" and service == "":
            daily[day] = daily.get(day, 0.0) + float(value)
            key = (day.weekday(), clock)
            slots[key] = slots.get(key, 0.0) + float(value)
            slot_days.setdefault(key, set()).add(day)
        elif measure.startswith("abandoned:") and service:
            step = measure.split(":", 1)[1]
            abandoned[(service, step)] = abandoned.get((service, step), 0.0) + float(value)
        elif measure.startswith("rating:"):
            level = int(measure.split(":", 1)[1])
            ratings[level] = ratings.get(level, 0) + int(value)
    busiest = sorted(((w, h, total / len(slot_days[(w, h)])) for (w, h), total in slots.items()), key=lambda r: -r[2])
    worst = sorted(((s, st, int(n)) for (s, st), n in abandoned.items()), key=lambda r: (-r[2], r[0], r[1]))
    forecast: dict[dt.date, list[float]] = {}
    method = ""
    for hour, point, low, high, made_by in ahead:
        day = dt.date.fromisoformat(hour[:10])
        point_f = float(point)
        sums = forecast.setdefault(day, [0.0, 0.0, 0.0])
        sums[0] += point_f
        sums[1] += (point_f - float(low)) ** 2
        sums[2] += (float(high) - point_f) ** 2
        method = str(made_by)
    days = tuple(
        DayForecast(d, p, max(0.0, p - math.sqrt(lo)), p + math.sqrt(hi)) for d, (p, lo, hi) in sorted(forecast.items())
    )
    return ChartData(
        hall,
        tuple(sorted(daily.items())),
        days,
        method,
        tuple(busiest[:top]),
        tuple(worst[:top]),
        ratings,
    )


def _text(x: float, y: float, words: str, *, size: int = 14, anchor: str = "start", weight: str = "normal") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" font-weight="{weight}">'
        f"{escape(words)}</text>"
    )


def _visits_panel(data: ChartData) -> list[str]:
    left, top, right, bottom = _PLOT
    days = [d for d, _ in data.history] + [f.day for f in data.forecast]
    if not days:
        return [_text(left, top + 20, "还没有使用记录 No usage counted yet")]
    first = min(days)
    span = max(1, (max(days) - first).days)
    highest = max([v for _, v in data.history] + [f.upper80 for f in data.forecast] + [1.0])
    scale = 10 ** math.floor(math.log10(highest))
    ceiling = math.ceil(highest / scale) * scale

    def x(day: dt.date) -> float:
        return left + (right - left) * (day - first).days / span

    def y(value: float) -> float:
        return float(bottom - (bottom - top) * value / ceiling)

    parts = [
        f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="#444"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{bottom}" stroke="#444"/>',
        _text(left - 8, y(ceiling) + 5, f"{ceiling:g}", size=12, anchor="end"),
        _text(left - 8, bottom + 5, "0", size=12, anchor="end"),
    ]
    for day in days:
        if day.weekday() == 0:
            parts.append(_text(x(day), bottom + 20, day.strftime("%m-%d"), size=12, anchor="middle"))
    if data.forecast:
        upper = " ".join(f"{x(f.day):.1f},{y(f.upper80):.1f}" for f in data.forecast)
        lower = " ".join(f"{x(f.day):.1f},{y(f.lower80):.1f}" for f in reversed(data.forecast))
        parts.append(f'<polygon class="interval" points="{upper} {lower}" fill="#f4a261" fill-opacity="0.3"/>')
        line = " ".join(f"{x(f.day):.1f},{y(f.point):.1f}" for f in data.forecast)
        parts.append(
            f'<polyline class="forecast" points="{line}" fill="none" stroke="#e76f51" stroke-width="2" '
            'stroke-dasharray="6 4"/>'
        )
    if data.history:
        line = " ".join(f"{x(d):.1f},{y(v):.1f}" for d, v in data.history)
        parts.append(f'<polyline class="history" points="{line}" fill="none" stroke="#1d3557" stroke-width="2"/>')
    legend = "每日到访（实线）与预测（虚线，阴影为 80% 区间） Visits per day, forecast dashed, 80 % interval shaded"
    parts.append(_text(left, top - 12, legend, size=13))
    if data.method:
        parts.append(_text(right, top - 12, f"方法 method: {data.method}", size=11, anchor="end"))
    return parts


def _bars(title: str, rows: list[tuple[str, float]], top: float, empty: str) -> list[str]:
    parts = [_text(_PLOT[0], top, title, size=16, weight="bold")]
    if not rows:
        return [*parts, _text(_PLOT[0], top + 26, empty, size=13)]
    highest = max(v for _, v in rows) or 1.0
    for i, (label, value) in enumerate(rows):
        y = top + 14 + i * 26
        width = 360 * value / highest
        parts.append(_text(_PLOT[0] + 330, y + 14, label, size=13, anchor="end"))
        parts.append(f'<rect class="bar" x="{_PLOT[0] + 340}" y="{y}" width="{width:.1f}" height="18" fill="#457b9d"/>')
        parts.append(_text(_PLOT[0] + 348 + width, y + 14, f"{value:g}", size=13))
    return parts


def render_svg(data: ChartData) -> str:
    """The chart as an SVG document (UTF-8 text)."""
    parts = [_text(_PLOT[0], 28, f"{data.hall} 使用统计与预测 Usage and forecast", size=20, weight="bold")]
    parts += _visits_panel(data)
    busiest = [(f"{WEEKDAYS[w]} {h:02d}:00", round(v, 1)) for w, h, v in data.busiest]
    y = 360.0
    parts += _bars("最忙的时段 Busiest hours (mean visits)", busiest, y, "暂无数据 No data yet")
    y += 40 + 26 * max(1, len(busiest))
    left = [(f"{service} · {step}", float(n)) for service, step, n in data.abandoned]
    parts += _bars("中途离开最多的事项及步骤 Most abandoned services, and where", left, y, "暂无 None")
    y += 40 + 26 * max(1, len(left))
    rated = sum(data.ratings.values())
    mean = sum(level * n for level, n in data.ratings.items()) / rated if rated else 0.0
    title = f"好差评 Ratings: {rated} 条, 平均 {mean:.2f}" if rated else "好差评 Ratings"
    ratings = [(f"{level} 星", float(data.ratings.get(level, 0))) for level in (5, 4, 3, 2, 1)] if rated else []
    parts += _bars(title, ratings, y, "暂无评价 No ratings yet")
    y += 40 + 26 * max(1, len(ratings))
    height = int(y)
    body = "\n".join(parts)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" '
        f'font-family="Noto Sans CJK SC, sans-serif" role="img">\n<title>{escape(data.hall)} usage</title>\n'
        f'<rect width="100%" height="100%" fill="#ffffff"/>\n{body}\n</svg>\n'
    )
