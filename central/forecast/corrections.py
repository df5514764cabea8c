"""Corrections to the calendar regression's forecast from the residuals of its own fit, in log space.

The one in use is the **recent hourly shape**: how each hour of the last open days departed from the fit once
each day's own level is taken out, ``log((Σy + prior) / (Σμ·level + prior))``, so a busy hall follows a shift in
its day (evenings getting busier before Christmas) within days while a small hall's noise is shrunk away. Two
more were measured and are off by default; they work on each open day's log ratio of arrivals to the fit,
``log((Σy + 1) / (Σμ + 1))``:

- **short lead**: the last ``days`` open days' ratio beyond the slow recent level, added at lead 1 and fading by
  ``decay`` a day (a busy spell, a quiet week before a holiday, that the slow level follows too late);
- **yearly**: the same dates a year before (52 weeks, so weekdays align), each day's ratio over a week around it
  against the week before the origin a year before, shrunk by ``weight``: the season the regression has no term
  for (the Christmas weeks). Public holidays and the days around long breaks are left out of both weeks, as the
  regression has its own terms for them; a movable season (春节) is not aligned by this and stays unmodelled.

``docs/performance.md`` has the measurements behind the settings.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]

YEAR_DAYS = 364  # 52 weeks: the same weekday a year before
_WINDOW = 3  # days either side of the year-before date
_MIN_DAYS = 3  # observed days needed in each year-before week


def day_ratios(day: Ints, y: Floats, mu: Floats) -> tuple[Ints, Floats]:
    """Each open day's number and its log ratio of arrivals to the fit, days in order."""
    days, inverse = np.unique(day, return_inverse=True)
    y_sum = np.bincount(inverse, weights=y, minlength=len(days))
    mu_sum = np.bincount(inverse, weights=mu, minlength=len(days))
    return days.astype(np.int64), np.log((y_sum + 1.0) / (mu_sum + 1.0))


def short_lead(days: Ints, ratios: Floats, level: float, lead: Floats, *, n_days: int, decay: float) -> Floats:
    """The log correction at each ``lead`` (days ahead, 1 = tomorrow): the last days' ratio over ``level``."""
    if n_days <= 0 or len(days) == 0:
        return np.zeros(len(lead))
    recent = float(np.mean(ratios[-n_days:]))
    return np.asarray((recent - level) * decay ** (np.maximum(lead, 1.0) - 1.0), dtype=np.float64)


def recent_shape(
    day: Ints, hour: Ints, y: Floats, mu: Floats, target_hour: Ints, *, n_days: int, prior: float
) -> Floats:
    """The log correction of each target hour: how the last ``n_days`` open days' hours departed from the fit,
    each day's own level taken out, shrunk towards none by ``prior`` arrivals (so a small hall's noise stays)."""
    out = np.zeros(len(target_hour))
    if n_days <= 0 or len(day) == 0:
        return out
    days, ratios = day_ratios(day, y, mu)
    recent = day >= days[-min(n_days, len(days))]
    level = np.exp(ratios[np.searchsorted(days, day[recent])])
    expected = mu[recent] * level
    for h in np.unique(target_hour).tolist():
        sel = hour[recent] == h
        if sel.any():
            ratio = (float(y[recent][sel].sum()) + prior) / (float(expected[sel].sum()) + prior)
            out[target_hour == h] = np.log(ratio)
    return out


def yearly(
    days: Ints, ratios: Floats, plain: npt.NDArray[np.bool_], target_day: Ints, *, weight: float, base_days: int = 7
) -> Floats:
    """The log correction for each target day (day numbers from the origin, the origin's day being 0).

    ``plain`` marks the history days usable a year on (not a public holiday, not beside a long break).
    """
    out = np.zeros(len(target_day))
    if weight <= 0.0 or len(days) == 0:
        return out
    known = dict(zip(days[plain].tolist(), ratios[plain].tolist(), strict=True))

    def mean_over(first: int, last: int) -> float | None:
        values = [known[d] for d in range(first, last + 1) if d in known]
        return float(np.mean(values)) if len(values) >= _MIN_DAYS else None

    base = mean_over(-YEAR_DAYS - base_days + 1, -YEAR_DAYS)
    if base is None:
        return out
    cache: dict[int, float] = {}
    for i, d in enumerate(target_day.tolist()):
        if d not in cache:
            around = mean_over(d - YEAR_DAYS - _WINDOW, d - YEAR_DAYS + _WINDOW)
            cache[d] = 0.0 if around is None else weight * (around - base)
        out[i] = cache[d]
    return out
