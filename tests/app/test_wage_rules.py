"""Every wage flag with small, realistic data, on both sides of its threshold (pure domain)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from app.domain.wages import (
    Thresholds,
    Wage,
    WorkerMonth,
    check,
    expected_pay,
    grade,
    pay_due,
    project_month,
)

DAILY = Wage("daily", D("300"))
TODAY = date(2026, 12, 20)


def wm(**kw) -> WorkerMonth:
    base = dict(month="2026-10", days=22, hours=D("176"), wage=DAILY, worker_name="张三",
                paid=D("6600"), paid_on=date(2026, 11, 15), holders=("张三",),
                paying_accounts_dedicated=True, paid_in_year=D("6600"),
                minimum_monthly=D("1930"))
    base.update(kw)
    return WorkerMonth(**base)


def flags(**kw) -> set[str]:
    today = kw.pop("today", TODAY)
    return set(check(wm(**kw), pay_day=15, today=today).flags)


def test_expected_pay_by_the_contracts_wage_form():
    assert expected_pay(DAILY, 22, D(0)) == D("6600.00")
    assert expected_pay(Wage("monthly", D("6000")), 22, D(0)) == D("6000.00")  # a full month
    assert expected_pay(Wage("monthly", D("6000")), 3, D(0)) == D("827.59")  # 3 of 21.75 days
    assert expected_pay(Wage("hourly", D("25.5")), 0, D("80.5")) == D("2052.75")
    assert expected_pay(Wage("piece_rate", D("1")), 22, D(0)) is None
    assert expected_pay(None, 22, D(0)) is None
    assert pay_due("2026-12", 31) == date(2027, 1, 31) and pay_due("2027-01", 31) == date(2027, 2, 28)


def test_paid_in_full_on_time_is_clean():
    result = check(wm(), pay_day=15, today=TODAY)
    assert result.flags == {} and result.difference == 0 and result.days_late == 0


def test_unpaid_only_after_the_end_of_the_following_month():
    assert "unpaid" not in flags(paid=D(0), paid_on=None, holders=(), today=date(2026, 11, 30))
    assert "unpaid" in flags(paid=D(0), paid_on=None, holders=(), today=date(2026, 12, 1))


def test_underpaid_more_than_five_percent_short():
    assert "underpaid" not in flags(paid=D("6270.00"))  # exactly 5% short: not more than 5%
    assert "underpaid" in flags(paid=D("6269.99"))
    assert "underpaid" in check(wm(paid=D("6500")), pay_day=15, today=TODAY,
                                t=Thresholds(underpaid_share=D("0.01"))).flags


def test_late_after_the_pay_day():
    assert "late" not in flags(paid_on=date(2026, 11, 15))
    result = check(wm(paid_on=date(2026, 11, 18)), pay_day=15, today=TODAY)
    assert result.flags["late"] == {"days": 3} and result.days_late == 3


def test_paid_to_someone_else_or_from_another_account():
    assert "wrong_holder" in flags(holders=("李工头",))
    assert "not_dedicated" in flags(paying_accounts_dedicated=False)


def test_below_the_minimum_wage_pro_rata_to_days_attended():
    # a full month (22 days ≥ 21.75): the floor is the whole minimum wage
    assert "below_minimum" not in flags(paid=D("1930.00"), wage=Wage("monthly", D("1930")))
    assert "below_minimum" in flags(paid=D("1929.99"), wage=Wage("monthly", D("1929.99")))
    # ten days: 1930 × 10 / 21.75 = 887.36
    assert "below_minimum" not in flags(days=10, paid=D("887.36"), wage=Wage("daily", D("88.74")))
    assert "below_minimum" in flags(days=10, paid=D("887.35"), wage=Wage("daily", D("88.74")))


def test_attendance_without_contract_and_pay_without_attendance():
    assert "no_contract" in flags(wage=None)
    assert "paid_without_attendance" in flags(days=0, hours=D(0))
    assert flags(days=0, hours=D(0), paid=D(0), paid_on=None, holders=()) == set()


def test_over_fifty_thousand_a_month_or_three_hundred_thousand_a_year():
    assert "big_month" not in flags(paid=D("50000"), wage=Wage("monthly", D("50000")))
    assert "big_month" in flags(paid=D("50000.01"), wage=Wage("monthly", D("50000.01")))
    assert "big_year" not in flags(paid_in_year=D("300000"))
    assert "big_year" in flags(paid_in_year=D("300000.01"))


def test_project_month_ratio_and_unpaid_share():
    assert project_month(40, 40) == {}
    assert set(project_month(40, 39)) == {"paid_ratio"}  # 2.5% unpaid: ratio only
    assert set(project_month(40, 36)) == {"paid_ratio"}  # exactly 10% unpaid: not over
    assert set(project_month(40, 35)) == {"paid_ratio", "unpaid_share"}
    assert project_month(0, 0) == {}


def test_grades():
    assert grade([]) == "green" and grade(["late"]) == "yellow"
    assert grade(["late", "underpaid"]) == "orange" and grade(["underpaid", "unpaid"]) == "red"
    assert grade(["paid_ratio"]) == "yellow" and grade(["unpaid_share"]) == "red"
