"""How long a signed labor contract's archive is kept (Labor Contract Law art. 50: the
employer keeps the text of a dissolved or ended contract for at least two years)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

RETENTION_YEARS_AFTER_END = 2  # Labor Contract Law art. 50
OPEN_ENDED_YEARS = 50


def keep_until(end: date | None, now: datetime) -> datetime:
    """Keep until at least two years after ``end`` (the contract's last day: its last working
    day once terminated) and two years from ``now``.

    Total for every date: an end on 29 February is kept until 1 March (never a day short); an
    end so late that two more years leave the calendar is kept until the last representable
    day; no end (open-ended) is kept for :data:`OPEN_ENDED_YEARS` from ``now``.
    """
    if end is None:
        end = (now + timedelta(days=365 * OPEN_ENDED_YEARS)).date()
    years_later = end.year + RETENTION_YEARS_AFTER_END
    if years_later > date.max.year:
        kept = date.max
    elif (end.month, end.day) == (2, 29):
        kept = date(years_later, 3, 1)
    else:
        kept = end.replace(year=years_later)
    return max(datetime.combine(kept, time(), tzinfo=UTC), now + timedelta(days=730))
