"""Wage reconciliation of one worker-month, and the project-month checks (pure: no database).

Expected pay follows the labor contract: a monthly wage; a daily rate × days attended; an
hourly rate × hours attended (piece rates have no expected figure: the pay sheet is the
measure). A worker with attendance but no signed contract is owed pay for the days worked
all the same (:func:`owed_without_contract`): the pay sheet's gross (应发) where there is
one, else the team's usual daily rate on the project (the median of its contracts' daily
rates; the project's when the team has none) × days attended; each figure says where it
came from (:data:`SOURCE_TEXT`). Each flag has a configurable threshold
(:class:`Thresholds`); the defaults are the ones deployed county systems use (see
CONSTRUCTION_DATA.md). "以上" includes the number, "不满"/"below" excludes it: a payment
of exactly ¥50,000 is not over ¥50,000.
"""

from __future__ import annotations

import calendar
import statistics
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
#: Where an expected figure came from (shown beside it).
SOURCE_TEXT = {"contract": "劳动合同", "payroll_gross": "工资表应发", "team_estimate": "班组日工资估算",
               "project_estimate": "项目日工资估算"}
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
    gross: Decimal | None = None  # the pay sheet's gross (应发) for the month, if any
    usual_daily: Decimal | None = None  # the usual daily rate of the worker's team or project
    usual_source: str | None = None  # team_estimate | project_estimate


@dataclass
class Result:
    """The reconciliation of one worker-month."""

    expected: Decimal | None
    paid: Decimal
    difference: Decimal | None
    days_late: int
    days: int = 0  # days attended
    flags: dict[str, dict] = field(default_factory=dict)  # flag -> message params
    source: str | None = None  # where ``expected`` came from (:data:`SOURCE_TEXT`)

    @property
    def at_risk(self) -> Decimal:
        """Yuan expected but not paid (0 when paid in full or nothing is expected)."""
        return max(Decimal(0), -(self.difference or Decimal(0)))


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


def daily_rate(wage: Wage) -> Decimal | None:
    """A contract's pay as a daily rate: a daily wage; a monthly wage ÷ 21.75; None for
    hourly and piece rates (no day to speak of)."""
    if wage.form == "daily":
        return wage.amount
    if wage.form == "monthly":
        return (wage.amount / MONTH_DAYS).quantize(CENT, ROUND_HALF_UP)
    return None


def monthly_equivalent(wage: Wage, output: Decimal | None = None) -> Decimal:
    """A contract's pay as a month's wage, to the fen (half up): a monthly wage as it is; a
    daily wage × 21.75 (the inverse of :func:`daily_rate`); a piece rate × ``output``, the
    usual output of a month of normal working hours.

    :raises ValueError: hourly pay (no month to speak of), or a piece rate without output.
    """
    if wage.form == "monthly":
        month = wage.amount
    elif wage.form == "daily":
        month = wage.amount * MONTH_DAYS
    elif wage.form == "piece_rate" and output is not None:
        month = wage.amount * output
    else:
        raise ValueError(f"no monthly equivalent of {wage.form} pay without its output")
    return month.quantize(CENT, ROUND_HALF_UP)


def usual_daily(rates: list[Decimal]) -> Decimal | None:
    """The usual daily rate of a team or project: the median of its contracts' daily rates
    (None without any)."""
    return statistics.median(sorted(rates)).quantize(CENT, ROUND_HALF_UP) if rates else None


def owed_without_contract(w: WorkerMonth) -> tuple[Decimal | None, str | None]:
    """(expected, source) for a worker-month with attendance and no signed contract: the pay
    sheet's gross when one was imported, else the usual daily rate × days attended."""
    if not w.days:
        return None, None
    if w.gross:
        return w.gross.quantize(CENT, ROUND_HALF_UP), "payroll_gross"
    if w.usual_daily is not None:
        return (w.usual_daily * w.days).quantize(CENT, ROUND_HALF_UP), w.usual_source
    return None, None


def check(w: WorkerMonth, *, pay_day: int, today: date, t: Thresholds | None = None) -> Result:
    """Every flag of one worker-month."""
    t = t or DEFAULT
    if w.wage is None:
        expected, source = owed_without_contract(w)
    else:
        expected = expected_pay(w.wage, w.days, w.hours)
        source = "contract" if expected is not None else None
    due = pay_due(w.month, pay_day)
    late = max(0, (w.paid_on - due).days) if w.paid_on else max(0, (today - due).days)
    r = Result(expected, w.paid, (w.paid - expected) if expected is not None else None,
               late if (w.paid_on or today > due) and w.days else 0, w.days, source=source)
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
