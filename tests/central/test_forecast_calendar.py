"""The hall calendar: public holidays closed, 调休 weekend days open, the hall's own closed days, and the model's
forecast around 国庆 2025 (a 调休 Sunday before, eight days off, a 调休 Saturday after)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from central.forecast.calendar import DayKind, HallCalendar, OpeningHours
from central.forecast.generate import generate_hall
from central.forecast.model import MODEL_METHOD, forecast_hall

D = dt.date


def test_a_makeup_saturday_is_a_working_day_and_a_holiday_is_not() -> None:
    calendar = HallCalendar.china()
    hours = OpeningHours()
    assert calendar.is_working_day(D(2024, 10, 12))  # Saturday worked for 国庆 2024
    assert calendar.kind(D(2024, 10, 12)) is DayKind.MAKEUP
    assert hours.on(D(2024, 10, 12), calendar) == hours.working
    assert not calendar.is_working_day(D(2024, 10, 1))
    assert calendar.kind(D(2024, 10, 1)) is DayKind.HOLIDAY
    assert hours.on(D(2024, 10, 1), calendar) == ()
    assert hours.on(D(2024, 10, 19), calendar) == ()  # an ordinary Saturday
    assert calendar.kind(D(2024, 10, 14)) is DayKind.MON


def test_the_halls_own_closed_days_have_no_hours() -> None:
    calendar = HallCalendar.china([D(2024, 10, 15)])
    assert OpeningHours().on(D(2024, 10, 15), calendar) == ()
    assert OpeningHours().on(D(2024, 10, 16), calendar) != ()
    assert calendar.with_closed([D(2024, 10, 16)]).is_closed(D(2024, 10, 16))


def test_past_the_published_years_monday_to_friday_stands_in() -> None:
    calendar = HallCalendar.china()
    far = D(2031, 1, 6)  # a Monday no State Council notice covers yet
    assert not calendar.covers(far)
    assert calendar.is_working_day(far)
    assert not calendar.is_working_day(D(2031, 1, 4))


@pytest.mark.parametrize(
    ("text", "working"),
    [("9-17", tuple(range(9, 17))), ("9-12,13-17", (9, 10, 11, 13, 14, 15, 16)), ("0-24", tuple(range(24)))],
)
def test_opening_hours_parse(text: str, working: tuple[int, ...]) -> None:
    assert OpeningHours.parse(text).working == working


@pytest.mark.parametrize("text", ["9", "17-9", "9-25", "a-b", "", "9-12,x"])
def test_bad_opening_hours_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="opening hours"):
        OpeningHours.parse(text)


def test_forecast_over_national_day_opens_the_makeup_days_and_expects_the_backlog() -> None:
    hall = generate_hall("district", end=D(2025, 9, 26), seed=3)
    counts = pd.Series(hall.frame["count"].to_numpy(float), index=pd.DatetimeIndex(hall.frame["timestamp"]))
    calendar = HallCalendar.china(hall.closed_days)
    forecast = forecast_hall(counts, hall.hours, calendar, 16, start=D(2025, 9, 27))
    assert forecast.method == MODEL_METHOD
    daily = forecast.frame()["point"].groupby(forecast.index.date).sum()
    days = set(daily.index)
    assert D(2025, 9, 28) in days  # 调休 Sunday
    assert D(2025, 10, 11) in days  # 调休 Saturday
    assert not days & {D(2025, 10, 1) + dt.timedelta(days=i) for i in range(8)}  # 国庆 and 中秋
    assert D(2025, 9, 27) not in days  # an ordinary Saturday
    # The first day back carries the backlog: well above the next ordinary Thursday... of the same week type.
    ordinary = daily[D(2025, 10, 10)]  # Friday, an ordinary working day after the first day back
    assert daily[D(2025, 10, 9)] > 1.2 * ordinary
    assert (forecast.lower80 <= forecast.points).all()
    assert (forecast.points <= forecast.upper80).all()
