"""Contract expiry and renewal dates: pure date arithmetic, no database.

Contract terms include both their first and their last day: 2026-12-01 → 2029-11-30 is three
years. A renewal starts the day after the old term ends and runs for the same length: the
same number of whole months when the old term was whole months (month ends and 29 February
included), otherwise the same number of days.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta, timezone

#: Contracts whose last day is at most this many days away are "expiring" (day 0 = today).
WINDOW_DAYS = 30
#: Dates in a county deployment are Beijing dates.
BEIJING = timezone(timedelta(hours=8))


def today_in_beijing(now: datetime | None = None) -> date:
    """Today's date in Beijing (the labor bureau's calendar), from ``now`` (default: the clock)."""
    return (now or datetime.now(UTC)).astimezone(BEIJING).date()


def days_left(term_end: date, today: date) -> int:
    """Days from ``today`` to the contract's last day (0: it ends today; negative: ended)."""
    return (term_end - today).days


def is_expiring(term_end: date | None, today: date, window: int = WINDOW_DAYS) -> bool:
    """True when the term ends between today and ``window`` days from today, both inclusive.

    Open-ended contracts (``term_end`` None) never expire.
    """
    return term_end is not None and 0 <= days_left(term_end, today) <= window


def window_end(today: date, window: int = WINDOW_DAYS) -> date:
    """The last end date still inside the window."""
    return today + timedelta(days=window)


def next_period_start(start: date, months: int) -> date:
    """The first day after ``months`` whole months counted from ``start`` (start included).

    The period ends on the day before the same day of the month ``months`` later; when that
    month has no such day (31st, 29 February) the period runs to its month end, so the next
    one starts on the 1st of the following month.
    """
    total = start.year * 12 + start.month - 1 + months
    year, month = divmod(total, 12)
    month += 1
    if start.day <= calendar.monthrange(year, month)[1]:
        return date(year, month, start.day)
    return date(year + month // 12, month % 12 + 1, 1)


def whole_months(start: date, end: date) -> int | None:
    """How many whole months the inclusive term ``start``–``end`` lasts; None if not whole."""
    months = (end.year - start.year) * 12 + (end.month - start.month)
    for candidate in (months, months + 1):
        if candidate > 0 and next_period_start(start, candidate) == end + timedelta(days=1):
            return candidate
    return None


def renewal_term(start: date, end: date) -> tuple[date, date]:
    """The renewed term after ``start``–``end``: from the next day, for the same length.

    :raises ValueError: ``end`` is before ``start``.
    """
    if end < start:
        raise ValueError("term ends before it starts")
    new_start = end + timedelta(days=1)
    months = whole_months(start, end)
    if months is not None:
        return new_start, next_period_start(new_start, months) - timedelta(days=1)
    return new_start, new_start + (end - start)
