"""Calendar arithmetic for the date finder: Gregorian intervals and Hijri conversion.

Intervals are ``(start, end)`` pairs of ``date``, both inclusive. Weeks start on Saturday, the
first day of the week on Arab calendars. Hijri dates are converted with ``hijridate`` (Umm
al-Qura tables, Hijri years 1343–1500); anything outside its range or invalid gives ``None``.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from hijridate import Hijri

Interval = tuple[date, date]

_SATURDAY = 5  # date.weekday()


def month_end(year: int, month: int) -> date:
    """The last day of a Gregorian month."""
    return date(year, month, calendar.monthrange(year, month)[1])


def month_interval(year: int, month: int) -> Interval:
    return date(year, month, 1), month_end(year, month)


def months_interval(year: int, first: int, last: int) -> Interval:
    """From the first day of ``first`` to the last day of ``last`` in one year."""
    return date(year, first, 1), month_end(year, last)


def year_interval(year: int) -> Interval:
    return date(year, 1, 1), date(year, 12, 31)


def day_or_none(year: int, month: int, day: int) -> date | None:
    """``date(year, month, day)``, or ``None`` when that day does not exist (31 أيلول)."""
    try:
        return date(year, month, day)
    except ValueError:
        return None


def shift_month(year: int, month: int, delta: int) -> tuple[int, int]:
    """The (year, month) ``delta`` months away."""
    index = year * 12 + month - 1 + delta
    return index // 12, index % 12 + 1


def add_months(d: date, months: int) -> date:
    """``d`` moved by whole months, the day clamped to the target month's length."""
    year, month = shift_month(d.year, d.month, months)
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def week_interval(d: date, weeks: int = 0) -> Interval:
    """The Saturday-to-Friday week holding ``d``, moved by ``weeks`` whole weeks."""
    start = d - timedelta(days=(d.weekday() - _SATURDAY) % 7) + timedelta(weeks=weeks)
    return start, start + timedelta(days=6)


def hijri_to_gregorian(year: int, month: int, day: int) -> date | None:
    """One Hijri day as a Gregorian date, or ``None`` when out of range or invalid."""
    try:
        g = Hijri(year, month, day).to_gregorian()
    except (ValueError, OverflowError):
        return None
    return date(g.year, g.month, g.day)


def hijri_month_interval(year: int, month: int) -> Interval | None:
    """A whole Hijri month as a Gregorian interval."""
    try:
        length = int(Hijri(year, month, 1).month_length())
    except (ValueError, OverflowError):
        return None
    start = hijri_to_gregorian(year, month, 1)
    end = hijri_to_gregorian(year, month, length)
    return (start, end) if start and end else None


def hijri_year_interval(year: int) -> Interval | None:
    """A whole Hijri year as a Gregorian interval."""
    first = hijri_month_interval(year, 1)
    last = hijri_month_interval(year, 12)
    return (first[0], last[1]) if first and last else None
