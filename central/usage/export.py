"""A hall's hourly counts and forecast as a CSV file or an Excel workbook (``kiosk-central forecast --export``).

CSV: one row per hour, columns ``hour, kind, visits, forecast, lower80, upper80`` (``kind``: counted or
forecast), UTF-8 with a byte-order mark so Excel opens the Chinese right. Excel: two sheets, 实际 (counted) and
预测 (forecast), written with openpyxl.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

HEADER = ("hour", "kind", "visits", "forecast", "lower80", "upper80")


def export_rows(
    counts: pd.Series, forecast: Any
) -> list[tuple[str, str, float | str, float | str, float | str, float | str]]:
    rows: list[tuple[str, str, float | str, float | str, float | str, float | str]] = [
        (f"{t:%Y-%m-%d %H:00}", "counted", float(v), "", "", "") for t, v in counts.items()
    ]
    rows += [
        (f"{t:%Y-%m-%d %H:00}", "forecast", "", round(float(p), 2), float(lo), float(hi))
        for t, p, lo, hi in zip(forecast.index, forecast.points, forecast.lower80, forecast.upper80, strict=True)
    ]
    return rows


def write_export(path: Path, hall: str, counts: pd.Series, forecast: Any) -> None:
    """Write ``path`` as CSV or Excel by its suffix; ``ValueError`` for another suffix."""
    rows = export_rows(counts, forecast)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(HEADER)
            writer.writerows(rows)
        return
    if suffix != ".xlsx":
        raise ValueError("the file must end in .csv or .xlsx")
    from openpyxl import Workbook

    book = Workbook()
    counted = book.active
    counted.title = "实际 counted"
    counted.append(["hall", "hour", "visits"])
    for hour, kind, visits, *_ in rows:
        if kind == "counted":
            counted.append([hall, hour, visits])
    ahead = book.create_sheet("预测 forecast")
    ahead.append(["hall", "hour", "forecast", "lower80", "upper80", "method"])
    for hour, kind, _, point, low, high in rows:
        if kind == "forecast":
            ahead.append([hall, hour, point, low, high, forecast.method])
    book.save(path)
