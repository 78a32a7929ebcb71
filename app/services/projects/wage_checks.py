"""The per-field checks of attendance and payment records, shared by the file imports
(:mod:`app.services.projects.wage_import`: a record is a spreadsheet row) and the push APIs
(:mod:`app.services.feeds`: a record is a JSON object): one validator, the same messages.

A record is ``{field: text}`` (cells as :func:`app.services.projects.import_files.cell`
writes them); each problem is handed to ``report(field, message)``, which places it (row and
column of a file, index and JSON property of a push). A check returns the record's values,
or None when it has a problem.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal

from app.domain import typed
from app.domain.ids import id_number_error, normalize_id_number
from app.domain.typed import Msg

Report = Callable[[str, Msg], None]

IN, OUT = ("01", "进", "in", "IN", "1"), ("02", "出", "out", "OUT", "0")
TIME = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$")
MONTH = re.compile(r"^(\d{4})-(\d{2})$")
ACCOUNT = re.compile(r"^\d{8,32}$")
REQUIRED = "请填写%(label)s"
BAD_DIRECTION = "方向应为 01（进）或 02（出）"
BAD_TIME = "时间格式应为 yyyy-MM-dd HH:mm:ss"
BAD_MONTH = "月份格式应为 yyyy-MM"
BAD_ACCOUNT = "%(label)s应为8到32位数字"
NET_OVER_GROSS = "实发金额不能大于应发金额"
MAX_MONEY = Decimal("10000000")
DAYS_LABEL, HOURS_LABEL = "出勤天数", "工时"
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100


def plausible(year: int) -> bool:
    """Records of the platform's era (a typo like 0202 or 9999 is a problem of its cell)."""
    return EARLIEST_YEAR <= year <= LATEST_YEAR


def person(raw: dict, report: Report) -> str | None:
    """The ID number (``id_number``), normalized and checked."""
    number = normalize_id_number(raw.get("id_number", ""))
    problem = REQUIRED if not number else id_number_error(number)
    if problem:
        report("id_number", Msg(problem, label=Msg("身份证号码")))
        return None
    return number


def event(raw: dict, report: Report) -> tuple[str, str, datetime] | None:
    """A clock event: ID number, ``direction`` (in / out) and ``time``."""
    number = person(raw, report)
    direction = "in" if raw.get("direction") in IN else "out" if raw.get(
        "direction") in OUT else None
    if direction is None:
        report("direction", Msg(BAD_DIRECTION))
    match = TIME.match(raw.get("time", ""))
    when = None
    if match:
        try:
            when = datetime(*(int(g or 0) for g in match.groups()))
        except ValueError:
            when = None
    if when is None or not plausible(when.year):
        when = None
        report("time", Msg(BAD_TIME))
    return (number, direction, when) if number and direction and when else None


def day(raw: dict, report: Report) -> tuple[str, date, Decimal] | None:
    """A day row: ID number, the ``day`` and the ``hours`` on site."""
    number = person(raw, report)
    on, problem = typed.iso_date(raw.get("day", "")[:10])
    if on is not None and not plausible(on.year):
        on, problem = None, typed.BAD_DATE
    if problem:
        report("day", Msg(problem, label=Msg("出勤日期")))
    hours, problem = typed.money(raw.get("hours") or "0", maximum=Decimal(24))
    if problem:
        report("hours", Msg(problem, label=Msg(HOURS_LABEL), limit=24))
    return (number, on, hours) if number and on and hours is not None else None


def _money(raw: dict, name: str, label: str, report: Report) -> Decimal | None:
    value = raw.get(name, "")
    amount, problem = typed.money(value, maximum=MAX_MONEY) if value else (None, typed.BAD_MONEY)
    if problem:
        report(name, Msg(problem, label=Msg(label), limit=MAX_MONEY))
    return amount


def _date(raw: dict, name: str, label: str, required: bool, report: Report) -> date | None:
    value = raw.get(name, "")
    on, problem = typed.iso_date(value[:10]) if value else (
        None, REQUIRED if required else None)
    if on is not None and not plausible(on.year):
        on, problem = None, typed.BAD_DATE
    if problem:
        report(name, Msg(problem, label=Msg(label)))
    return on


def payment(raw: dict, report: Report, *, pushed: bool = False) -> dict | None:
    """A payment line: ID number, ``month``, ``net`` and ``gross`` (a bank's pay-out result,
    ``pushed``: gross optional, the payment date required), payee ``account`` and
    ``holder``, ``paying_account``, ``paid_on``, optional ``bank``, ``days``, ``hours``.
    Returns the values by field name (``gross`` None where a pushed one has none)."""
    found = 0
    tell = report

    def report(name: str, message: Msg) -> None:  # noqa: F811 - counts, then tells
        nonlocal found
        found += 1
        tell(name, message)

    number = person(raw, report)
    month = raw.get("month", "")[:7] if MONTH.match(raw.get("month", "")[:7]) else None
    if month is None or not 1 <= int(month[5:]) <= 12 or not plausible(int(month[:4])):
        report("month", Msg(BAD_MONTH))
        month = None
    gross = _money(raw, "gross", "应发金额", report) if raw.get("gross") or not pushed else None
    net = _money(raw, "net", "实发金额", report)
    if gross is not None and net is not None and net > gross:
        report("net", Msg(NET_OVER_GROSS))
    accounts = {}
    for name, label in (("account", "收款账号"), ("paying_account", "付款账号")):
        value = raw.get(name, "").replace(" ", "")
        if not ACCOUNT.match(value):
            report(name, Msg(BAD_ACCOUNT, label=Msg(label)))
        accounts[name] = value
    holder, problem = typed.text(raw.get("holder", ""), limit=100)
    if problem or not holder:
        report("holder", Msg(problem or REQUIRED, label=Msg("收款户名"), limit=100))
    paid_on = _date(raw, "paid_on", "发放日期", pushed, report)
    days, problem = typed.integer(raw.get("days") or "0")
    if problem:
        report("days", Msg(typed.BAD_INTEGER, label=Msg(DAYS_LABEL)))
    hours, problem = typed.money(raw.get("hours") or "0", maximum=Decimal(744))
    if problem:
        report("hours", Msg(typed.BAD_MONEY, label=Msg(HOURS_LABEL)))
    if found:
        return None
    return {"number": number, "month": month, "days": days, "hours": hours,
            "gross": gross, "net": net,
            "accounts": accounts, "bank": raw.get("bank", "")[:100], "holder": holder,
            "paid_on": paid_on}
