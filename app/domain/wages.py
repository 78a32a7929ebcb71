"""Wage reconciliation of one worker-month, and the project-month checks (pure: no database).

Expected pay follows the labor contract: a monthly wage; a daily rate × days attended; an
hourly rate × hours attended (piece rates have no expected figure: the pay sheet is the
measure). Each flag has a configurable threshold (:class:`Thresholds`); the defaults are the
ones deployed county systems use (see CONSTRUCTION_DATA.md). "以上" includes the number,
"不满"/"below" excludes it: a payment of exactly ¥50,000 is not over ¥50,000.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
MONTH_DAYS = Decimal("21.75")  # legal working days per month (劳社部发〔2008〕3号)
SEVERITY = {"unpaid": "red", "big_month": "red", "big_year": "red", "no_contract": "red",
            "underpaid": "orange", "wrong_holder": "orange", "not_dedicated": "orange",
            "below_minimum": "orange", "late": "yellow", "paid_without_attendance": "yellow"}
FLAG_TEXT = {
    "unpaid": "出勤但次月底前未发放工资", "underpaid": "实发工资比应发少%(percent)s%%以上",
    "late": "晚于发薪日%(days)s天发放", "wrong_holder": "工资发到了非本人（户名不符）的账户",
    "not_dedicated": "不是从项目农民工工资专用账户发放", "below_minimum": "实发工资低于当地最低工资标准",
    "no_contract": "有考勤但没有已签署备案的劳动合同（实名制）",
    "paid_without_attendance": "有工资发放但当月无考勤",
    "big_month": "单人单月发放超过%(limit)s元", "big_year": "单人全年发放超过%(limit)s元",
}
PROJECT_TEXT = {"paid_ratio": "发薪人数占出勤人数不足100%%（%(ratio)s%%）",
                "unpaid_share": "超过%(limit)s%%的出勤人员无工资记录（%(share)s%%）"}


@dataclass(frozen=True)
class Thresholds:
    """The county's settings (defaults from deployed systems; all configurable)."""

    underpaid_share: Decimal = Decimal("0.05")
    late_days: int = 0
    big_month: Decimal = Decimal("50000")
    big_year: Decimal = Decimal("300000")
    unpaid_share: Decimal = Decimal("0.10")


DEFAULT = Thresholds()


@dataclass(frozen=True)
class Wage:
    """The contract's pay terms: ``form`` monthly | daily | hourly | piece_rate."""

    form: str
    amount: Decimal


@dataclass(frozen=True)
class WorkerMonth:
    """What is known of one worker in one month on one project."""

    month: str  # YYYY-MM
    days: int  # days attended
    hours: Decimal
    wage: Wage | None  # None: no signed contract
    worker_name: str | None
    paid: Decimal  # net paid for the month
    paid_on: date | None  # the latest payment's date
    holders: tuple[str, ...] = ()  # account holder names paid to
    paying_accounts_dedicated: bool = True
    paid_in_year: Decimal = Decimal(0)  # the year so far, this month included
    minimum_monthly: Decimal | None = None


@dataclass
class Result:
    """The reconciliation of one worker-month."""

    expected: Decimal | None
    paid: Decimal
    difference: Decimal | None
    days_late: int
    days: int = 0  # days attended
    flags: dict[str, dict] = field(default_factory=dict)  # flag -> message params


def _month_end(month: str) -> date:
    year, m = (int(x) for x in month.split("-"))
    return date(year, m, calendar.monthrange(year, m)[1])


def next_month_end(month: str) -> date:
    """The last day of the month after ``month`` (the end of the pay window)."""
    end = _month_end(month)
    year, m = (end.year + 1, 1) if end.month == 12 else (end.year, end.month + 1)
    return date(year, m, calendar.monthrange(year, m)[1])


def pay_due(month: str, pay_day: int) -> date:
    """The pay day in the month after ``month`` (clamped to the month's length)."""
    end = next_month_end(month)
    return date(end.year, end.month, min(pay_day, end.day))


def expected_pay(wage: Wage | None, days: int, hours: Decimal) -> Decimal | None:
    """The month's pay by the contract, or None (no contract, piece rate)."""
    if wage is None or wage.form == "piece_rate":
        return None
    if wage.form == "monthly":  # a part month (joined or left): pro rata to days attended
        share = min(Decimal(1), Decimal(days) / MONTH_DAYS)
        return (wage.amount * share).quantize(CENT, ROUND_HALF_UP)
    if wage.form == "daily":
        return (wage.amount * days).quantize(CENT, ROUND_HALF_UP)
    return (wage.amount * hours).quantize(CENT, ROUND_HALF_UP)


def check(w: WorkerMonth, *, pay_day: int, today: date, t: Thresholds | None = None) -> Result:
    """Every flag of one worker-month."""
    t = t or DEFAULT
    expected = expected_pay(w.wage, w.days, w.hours)
    due = pay_due(w.month, pay_day)
    late = max(0, (w.paid_on - due).days) if w.paid_on else max(0, (today - due).days)
    r = Result(expected, w.paid, (w.paid - expected) if expected is not None else None,
               late if (w.paid_on or today > due) and w.days else 0, w.days)
    if w.days and w.wage is None:
        r.flags["no_contract"] = {}
    if w.days and w.paid == 0 and today > next_month_end(w.month):
        r.flags["unpaid"] = {}
    if w.paid > 0 and not w.days:
        r.flags["paid_without_attendance"] = {}
    if expected and w.paid > 0 and w.paid < expected * (1 - t.underpaid_share):
        r.flags["underpaid"] = {"percent": int(t.underpaid_share * 100)}
    if w.paid > 0 and w.paid_on and (w.paid_on - due).days > t.late_days:
        r.flags["late"] = {"days": (w.paid_on - due).days}
    if w.worker_name and any(h and h != w.worker_name for h in w.holders):
        r.flags["wrong_holder"] = {}
    if w.paid > 0 and not w.paying_accounts_dedicated:
        r.flags["not_dedicated"] = {}
    if w.minimum_monthly and w.paid > 0 and w.days:
        floor = w.minimum_monthly * min(Decimal(1), Decimal(w.days) / MONTH_DAYS)
        if w.paid < floor.quantize(CENT):
            r.flags["below_minimum"] = {}
    if w.paid > t.big_month:
        r.flags["big_month"] = {"limit": t.big_month}
    if w.paid_in_year > t.big_year:
        r.flags["big_year"] = {"limit": t.big_year}
    return r


def project_month(attending: int, paid: int, t: Thresholds | None = None) -> dict[str, dict]:
    """The project-month flags: paid ÷ attending below 100%; over ``unpaid_share`` unpaid."""
    t = t or DEFAULT
    flags: dict[str, dict] = {}
    if attending and paid < attending:
        flags["paid_ratio"] = {"ratio": int(Decimal(100 * paid) / attending)}
    if attending and Decimal(attending - paid) / attending > t.unpaid_share:
        share = int(Decimal(100 * (attending - paid)) / attending)
        flags["unpaid_share"] = {"limit": int(t.unpaid_share * 100), "share": share}
    return flags


GRADES = ("red", "orange", "yellow", "green")


def grade(flags: list[str]) -> str:
    """red / orange / yellow / green from the flags present (worker and project flags)."""
    levels = {SEVERITY.get(f, "red" if f == "unpaid_share" else "yellow") for f in flags}
    for level in ("red", "orange", "yellow"):
        if level in levels:
            return level
    return "green"
