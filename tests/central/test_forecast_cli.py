"""``kiosk-central forecast``: the table for a hall from a CSV, and one line with exit 2 on bad input."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from central.cli import main
from central.forecast.generate import generate_hall


@pytest.fixture(scope="module")
def csv_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    hall = generate_hall("district", start=dt.date(2025, 6, 2), end=dt.date(2025, 9, 26), seed=2)
    path = tmp_path_factory.mktemp("forecast") / "counts.csv"
    hall.frame.to_csv(path, index=False)
    return path


def test_prints_each_day_with_its_hours_makeup_days_and_holidays(
    csv_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["forecast", "--hall", "district", "--csv", str(csv_file), "--days", "16"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("hall district: 16 days from 2025-09-27")
    assert "calendar China" in out[0]
    assert "method calendar Poisson regression" in out[0]
    days = {line[:10]: line for line in out if line[:4] == "2025"}
    assert "调休上班: total" in days["2025-09-28"]
    assert "09h " in days["2025-09-28"]
    assert days["2025-10-01"].endswith("节假日: closed")
    assert days["2025-09-27"].endswith("休息日: closed")
    assert "调休上班: total" in days["2025-10-11"]


def test_closed_days_and_json(csv_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["forecast", "--hall", "district", "--csv", str(csv_file), "--closed", "2025-09-29", "--json"]
    assert main([*args, "--from", "2025-09-29", "--days", "2"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["hour"][:10] for r in records] == ["2025-09-30"] * 8
    assert all(r["lower80"] <= r["point"] <= r["upper80"] for r in records)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--hall", "nowhere"], "no rows for hall 'nowhere'"),
        (["--hall", "district", "--days", "0"], "--days 0"),
        (["--hall", "district", "--hours", "17-9"], "opening hours"),
        (["--hall", "district", "--closed", "2025-13-01"], "is not a date"),
        (["--hall", "district", "--from", "soon"], "is not a date"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    csv_file: Path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    assert main(["forecast", "--csv", str(csv_file), *extra]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert message in err


def test_missing_or_wrong_files_are_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["forecast", "--hall", "h"]) == 2
    assert "or --csv FILE" in capsys.readouterr().err
    assert main(["forecast", "--hall", "h", "--csv", str(tmp_path / "none.csv")]) == 2
    assert "no such file" in capsys.readouterr().err
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("when,hall,n\n2025-01-01 09:00,h,3\n", encoding="utf-8")
    assert main(["forecast", "--hall", "h", "--csv", str(wrong)]) == 2
    assert "missing column(s) count, series, timestamp" in capsys.readouterr().err
    bad = tmp_path / "bad.csv"
    bad.write_text("timestamp,series,count\nyesterday,h,3\n", encoding="utf-8")
    assert main(["forecast", "--hall", "h", "--csv", str(bad)]) == 2
    assert "bad timestamp" in capsys.readouterr().err
