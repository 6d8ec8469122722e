"""Plausible publication times (issue 13): a time before 1990 or more than a day after it was
fetched is treated as missing, never raised.

Feeds emit ``Mon, 01 Jan 0001`` as a default, feedparser reads ``0001 … +1400`` as the year
1400, and a year-0001 time with a positive offset falls outside Python's ``datetime`` range when
converted to UTC. Every publication time that enters the pipeline (feed items, page metadata,
``monitor analyze`` input) goes through ``plausible``; what is left is safe to convert, compare
and do arithmetic with.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

EARLIEST_YEAR = 1990
FUTURE_SLACK = timedelta(days=1)  # time-zone mistakes stay within a day; beyond is garbage


def plausible(when: datetime | date | None, now: datetime | None = None) -> datetime | date | None:
    """``when`` when it lies between 1990 and a day after ``now`` (default: the clock); a
    naive time counts as UTC. None otherwise."""
    if when is None or not EARLIEST_YEAR <= when.year <= 9998:
        return None
    limit = (now or datetime.now(UTC)) + FUTURE_SLACK
    if isinstance(when, datetime):
        aware = when if when.tzinfo is not None else when.replace(tzinfo=UTC)
        try:
            too_late = aware.astimezone(UTC) > limit
        except (OverflowError, ValueError):
            return None
        return None if too_late else when
    return None if when > limit.date() else when


def plausible_time(when: datetime | None, now: datetime | None = None) -> datetime | None:
    """``plausible`` for a ``datetime``, typed as one."""
    value = plausible(when, now)
    return value if isinstance(value, datetime) else None
