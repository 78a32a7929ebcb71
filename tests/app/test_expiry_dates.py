"""The expiry window and renewal dates (pure date arithmetic, inclusive terms)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app.domain.expiry import (
    WINDOW_DAYS,
    days_left,
    is_expiring,
    next_period_start,
    renewal_term,
    today_in_beijing,
    whole_months,
)

TODAY = date(2026, 12, 2)


@pytest.mark.parametrize(("end", "expected"), [
    (date(2026, 12, 1), False),  # ended yesterday
    (date(2026, 12, 2), True),  # day 0: ends today
    (date(2026, 12, 3), True),
    (date(2027, 1, 1), True),  # day 30
    (date(2027, 1, 2), False),  # day 31
    (None, False),  # open-ended
])
def test_window_is_today_to_day_30_inclusive(end, expected):
    assert is_expiring(end, TODAY) is expected
    if end:
        assert (0 <= days_left(end, TODAY) <= WINDOW_DAYS) is expected


def test_today_is_the_beijing_date():
    assert today_in_beijing(datetime(2026, 12, 1, 15, 59, tzinfo=UTC)) == date(2026, 12, 1)
    assert today_in_beijing(datetime(2026, 12, 1, 16, 0, tzinfo=UTC)) == date(2026, 12, 2)


@pytest.mark.parametrize(("start", "end", "new_start", "new_end"), [
    # the example: three years, renewed for three years
    ("2026-12-01", "2029-11-30", "2029-12-01", "2032-11-30"),
    ("2026-12-01", "2027-11-30", "2027-12-01", "2028-11-30"),  # one year, into a leap year
    # ending on 29 February: the next term starts on 1 March and ends in February
    ("2025-03-01", "2028-02-29", "2028-03-01", "2031-02-28"),
    ("2023-03-01", "2024-02-29", "2024-03-01", "2025-02-28"),
    ("2024-02-29", "2025-02-28", "2025-03-01", "2026-02-28"),  # started on 29 February
    ("2027-03-01", "2028-02-29", "2028-03-01", "2029-02-28"),
    ("2027-02-01", "2027-02-28", "2027-03-01", "2027-03-31"),  # one month, February
    ("2026-01-31", "2026-04-30", "2026-05-01", "2026-07-31"),  # three months from a 31st
    ("2026-11-30", "2026-12-29", "2026-12-30", "2027-01-29"),  # one month, mid-month
    ("2026-12-16", "2027-12-15", "2027-12-16", "2028-12-15"),
    # not whole months: the same number of days
    ("2026-12-05", "2027-01-20", "2027-01-21", "2027-03-08"),
    ("2027-12-20", "2028-02-10", "2028-02-11", "2028-04-03"),  # across 29 February
])
def test_renewal_starts_the_next_day_and_lasts_as_long(start, end, new_start, new_end):
    got = renewal_term(date.fromisoformat(start), date.fromisoformat(end))
    assert got == (date.fromisoformat(new_start), date.fromisoformat(new_end))


def test_whole_months_and_period_starts():
    assert whole_months(date(2026, 12, 1), date(2029, 11, 30)) == 36
    assert whole_months(date(2026, 12, 5), date(2027, 1, 20)) is None
    assert next_period_start(date(2024, 1, 31), 1) == date(2024, 3, 1)
    assert next_period_start(date(2024, 11, 30), 1) == date(2024, 12, 30)
    assert next_period_start(date(2024, 12, 31), 2) == date(2025, 3, 1)


def test_renewal_refuses_a_term_ending_before_it_starts():
    with pytest.raises(ValueError):
        renewal_term(date(2027, 1, 2), date(2027, 1, 1))
