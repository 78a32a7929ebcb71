"""Importing a project's monthly attendance and payroll / bank payment records (CSV or XLSX,
read as rosters are: by content, full-width digits, Excel dates and all).

Columns (Chinese header, or the national construction-worker platform's field name):

* attendance — 身份证号码 ``idCardNumber``; 方向 ``direction`` (01/进/in, 02/出/out); 时间
  ``date`` (``yyyy-MM-dd HH:mm:ss``): one row per clock event; or, where a site records
  days, 身份证号码; 出勤日期 ``workDate`` (``yyyy-MM-dd``); 工时 ``workHours``: one row a day.
* payroll — 身份证号码 ``idCardNumber``; 月份 ``payMonth`` (``yyyy-MM``); 出勤天数 ``days``;
  工时 ``workHours``; 应发金额 (or 应发) ``totalPayAmount``; 实发金额 (or 实发)
  ``actualAmount``; 收款账号 ``payRollBankCardNumber``; 收款银行 ``payRollBankName``; 收款户名
  (or 户名) ``payRollBankCardHolder``; 付款账号 ``payBankCardNumber``; 发放日期 ``balanceDate``
  (``yyyy-MM-dd``). One row per payment. The first header of each is the documented one (the
  project page lists them); the short ones are accepted as people write them.

Rows are matched to people by the keyed hash of the ID number (the number itself is not
stored). The file is read once, within the bounds of :mod:`import_files`. Any problem: every
one is listed by row and column and nothing is imported. The same file imported twice changes
nothing (events are a set per day; a payment line is kept once by a hash of its content), and
the answer says what was new, changed and unchanged.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select

from app import pii
from app.domain import typed
from app.domain.ids import id_number_error, mask_id, normalize_id_number
from app.domain.typed import Msg
from app.extensions import db
from app.models import AttendanceDay, PayRecord
from app.services.batches.batch_check import Problem
from app.services.platform import audit
from app.services.platform.principal import Principal
from app.services.projects import import_files, projects
from app.services.projects.import_files import ATTENDANCE_INVALID, PAYROLL_INVALID, ImportInvalid
from app.services.projects.projects import mask_account

ATTENDANCE = {"id_number": ("身份证号码", "idCardNumber"), "direction": ("方向", "direction"),
              "time": ("时间", "date")}
ATTENDANCE_DAYS = {"id_number": ("身份证号码", "idCardNumber"), "day": ("出勤日期", "workDate"),
                   "hours": ("工时", "workHours")}
PAYROLL = {"id_number": ("身份证号码", "idCardNumber"), "month": ("月份", "payMonth"),
           "days": ("出勤天数", "days"), "hours": ("工时", "workHours"),
           "gross": ("应发金额", "应发", "totalPayAmount"),
           "net": ("实发金额", "实发", "actualAmount"),
           "account": ("收款账号", "payRollBankCardNumber"), "bank": ("收款银行", "payRollBankName"),
           "holder": ("收款户名", "户名", "payRollBankCardHolder"),
           "paying_account": ("付款账号", "payBankCardNumber"), "paid_on": ("发放日期", "balanceDate")}
OPTIONAL = {"hours", "bank", "days"}
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
CHUNK = 5000  # ID hashes per IN (...) query: well below the drivers' parameter limits
MAX_BYTES = import_files.MAX_BYTES


def _plausible(year: int) -> bool:
    """Records of the platform's era (a typo like 0202 or 9999 is a problem of its cell)."""
    return EARLIEST_YEAR <= year <= LATEST_YEAR


def _person(raw: str, row: int, letters: import_files.Columns, problems: list) -> str | None:
    number = normalize_id_number(raw)
    problem = REQUIRED if not number else id_number_error(number)
    if problem:
        problems.append(letters.problem(row, "id_number", Msg(problem, label=Msg("身份证号码"))))
        return None
    return number


def import_attendance(p: Principal, project_id: int, data: bytes) -> dict:
    """Import clock events (方向 + 时间), or days (出勤日期 + 工时) where a site records days;
    returns ``{rows, days, new_events, new, changed, unchanged}`` (the last three count days).
    The file is read once. :raises ImportInvalid: problems by row and column (nothing
    imported). :raises ValidationFailed: the file."""
    project = projects.managed(p, project_id)
    sheet = import_files.read(data)
    rows, problems, letters = import_files.rows(ATTENDANCE, OPTIONAL, sheet)
    if problems:  # not clock events: perhaps one row per day
        day_rows, day_problems, day_letters = import_files.rows(ATTENDANCE_DAYS, OPTIONAL, sheet)
        if not day_problems:
            return _import_days(p, project, day_rows, day_letters)
    if problems:
        raise ImportInvalid(problems, ATTENDANCE_INVALID)
    events: dict[tuple[str, date], set[str]] = {}
    masked: dict[str, str] = {}
    for n, raw in rows:
        number = _person(raw.get("id_number", ""), n, letters, problems)
        direction = "in" if raw.get("direction") in IN else "out" if raw.get(
            "direction") in OUT else None
        if direction is None:
            problems.append(letters.problem(n, "direction", Msg(BAD_DIRECTION)))
        match = TIME.match(raw.get("time", ""))
        when = None
        if match:
            try:
                when = datetime(*(int(g or 0) for g in match.groups()))
            except ValueError:
                when = None
        if when is None or not _plausible(when.year):
            when = None
            problems.append(letters.problem(n, "time", Msg(BAD_TIME)))
        if number and direction and when:
            key = (pii.keyed_hash(number), when.date())
            masked[key[0]] = mask_id(number)
            events.setdefault(key, set()).add(f"{when:%H:%M:%S} {direction}")
    if problems:
        raise ImportInvalid(problems, ATTENDANCE_INVALID)
    return _store_days(p, project.id, events, masked, len(rows))


def _import_days(p: Principal, project, rows: list, letters: import_files.Columns) -> dict:
    """Day rows: ID number, date, hours on site (a day given different hours: the most)."""
    problems: list[Problem] = []
    events: dict[tuple[str, date], set[str]] = {}
    masked: dict[str, str] = {}
    for n, raw in rows:
        number = _person(raw.get("id_number", ""), n, letters, problems)
        day, problem = typed.iso_date(raw.get("day", "")[:10])
        if day is not None and not _plausible(day.year):
            day, problem = None, typed.BAD_DATE
        if problem:
            problems.append(letters.problem(n, "day", Msg(problem, label=Msg("出勤日期"))))
        hours, problem = typed.money(raw.get("hours") or "0", maximum=Decimal(24))
        if problem:
            problems.append(letters.problem(n, "hours", Msg(problem, label=Msg(HOURS_LABEL), limit=24)))
        if number and day and hours is not None:
            key = (pii.keyed_hash(number), day)
            masked[key[0]] = mask_id(number)
            events[key] = {f"day {hours}h"}
    if problems:
        raise ImportInvalid(problems, ATTENDANCE_INVALID)
    return _store_days(p, project.id, events, masked, len(rows))


def _store_days(p: Principal, project_id: int, events: dict, masked: dict, rows: int) -> dict:
    """Add the events to their days (a set per day), record and commit; what changed."""
    people = sorted({h for h, _ in events})
    existing = {}
    for i in range(0, len(people), CHUNK):
        existing.update({(d.id_hash, d.day): d for d in db.session.scalars(select(
            AttendanceDay).where(AttendanceDay.project_id == project_id,
                                 AttendanceDay.id_hash.in_(people[i:i + CHUNK])))})
    added, new, changed = 0, 0, 0
    for (id_hash, day), seen in events.items():
        row = existing.get((id_hash, day))
        fresh = row is None
        if fresh:
            new += 1
            row = AttendanceDay(project_id=project_id, id_hash=id_hash, id_masked=masked[id_hash],
                                day=day, events=[], minutes=0)
            db.session.add(row)
        merged = sorted(set(row.events or []) | seen)
        more = len(merged) - len(row.events or [])
        added, changed = added + more, changed + (1 if more and not fresh else 0)
        if more:
            row.events, row.minutes = merged, _minutes(merged)
    audit.record(None, p.actor, "project.attendance_imported", project=project_id,
                 rows=rows, new_events=added)
    db.session.commit()
    return {"rows": rows, "days": len(events), "new_events": added, "new": new,
            "changed": changed, "unchanged": len(events) - new - changed}


def _minutes(events: list[str]) -> int:
    """From the first in to the last out of the day (0 without both); a day row's hours
    where the site records days."""
    recorded = [Decimal(e[4:-1]) for e in events if e.startswith("day ")]
    if recorded:
        return int(max(recorded) * 60)
    ins = [e[:8] for e in events if e.endswith(" in")]
    outs = [e[:8] for e in events if e.endswith(" out")]
    if not ins or not outs or max(outs) <= min(ins):
        return 0
    first, last = (datetime.strptime(t, "%H:%M:%S") for t in (min(ins), max(outs)))
    return int((last - first).total_seconds() // 60)


def _money(raw: str, name: str, label: str, n: int, letters: import_files.Columns,
           problems: list):
    amount, problem = typed.money(raw, maximum=MAX_MONEY) if raw else (None, typed.BAD_MONEY)
    if problem:
        problems.append(letters.problem(n, name, Msg(problem, label=Msg(label), limit=MAX_MONEY)))
    return amount


def import_payroll(p: Principal, project_id: int, data: bytes) -> dict:
    """Import payroll and bank payment lines; returns ``{rows, new, unchanged}`` (lines
    imported before are not counted again). :raises ImportInvalid: problems by row and
    column (nothing imported). :raises ValidationFailed: the file."""
    project = projects.managed(p, project_id)
    rows, problems, letters = import_files.rows(PAYROLL, OPTIONAL, import_files.read(data))
    if problems:
        raise ImportInvalid(problems, PAYROLL_INVALID)
    records = []
    for n, raw in rows:
        number = _person(raw.get("id_number", ""), n, letters, problems)
        month = raw.get("month", "")[:7] if MONTH.match(raw.get("month", "")[:7]) else None
        if month is None or not 1 <= int(month[5:]) <= 12 or not _plausible(int(month[:4])):
            problems.append(letters.problem(n, "month", Msg(BAD_MONTH)))
            month = None
        gross = _money(raw.get("gross", ""), "gross", "应发金额", n, letters, problems)
        net = _money(raw.get("net", ""), "net", "实发金额", n, letters, problems)
        if gross is not None and net is not None and net > gross:
            problems.append(letters.problem(n, "net", Msg(NET_OVER_GROSS)))
        accounts = {}
        for name, label in (("account", "收款账号"), ("paying_account", "付款账号")):
            value = raw.get(name, "").replace(" ", "")
            if not ACCOUNT.match(value):
                problems.append(letters.problem(n, name, Msg(BAD_ACCOUNT, label=Msg(label))))
            accounts[name] = value
        holder, problem = typed.text(raw.get("holder", ""), limit=100)
        if problem or not holder:
            problems.append(letters.problem(n, "holder", Msg(problem or REQUIRED,
                                                             label=Msg("收款户名"), limit=100)))
        paid_on, problem = typed.iso_date(raw.get("paid_on", "")[:10]) if raw.get(
            "paid_on") else (None, None)
        if paid_on is not None and not _plausible(paid_on.year):
            paid_on, problem = None, typed.BAD_DATE
        if problem:
            problems.append(letters.problem(n, "paid_on", Msg(problem, label=Msg("发放日期"))))
        days, problem = typed.integer(raw.get("days") or "0")
        if problem:
            problems.append(letters.problem(n, "days", Msg(typed.BAD_INTEGER, label=Msg(DAYS_LABEL))))
        hours, problem = typed.money(raw.get("hours") or "0", maximum=Decimal(744))
        if problem:
            problems.append(letters.problem(n, "hours", Msg(typed.BAD_MONEY, label=Msg(HOURS_LABEL))))
        if not problems and number:
            records.append(_record(project.id, number, month, days, hours, gross, net, accounts,
                                   raw.get("bank", "")[:100], holder, paid_on))
    if problems:
        raise ImportInvalid(problems, PAYROLL_INVALID)
    hashes = [r.row_hash for r in records]
    known = set()
    for i in range(0, len(hashes), CHUNK):
        known |= set(db.session.scalars(select(PayRecord.row_hash).where(
            PayRecord.row_hash.in_(hashes[i:i + CHUNK]))))
    new = [r for r in records if r.row_hash not in known and not known.add(r.row_hash)]
    db.session.add_all(new)
    audit.record(None, p.actor, "project.payroll_imported", project=project.id,
                 rows=len(rows), new=len(new))
    db.session.commit()
    return {"rows": len(rows), "new": len(new), "unchanged": len(records) - len(new)}


def _record(project_id, number, month, days, hours, gross, net, accounts, bank, holder,
            paid_on) -> PayRecord:
    line = "|".join(str(x) for x in (project_id, number, month, days, hours, gross, net,
                                     accounts["account"], accounts["paying_account"], holder,
                                     paid_on))
    return PayRecord(
        project_id=project_id, id_hash=pii.keyed_hash(number), id_masked=mask_id(number),
        month=month, days=days, hours=str(hours), gross=str(gross), net=str(net),
        account_hash=pii.keyed_hash(accounts["account"], "account"),
        account_masked=mask_account(accounts["account"]), bank=bank, holder=holder,
        paying_account_hash=pii.keyed_hash(accounts["paying_account"], "account"),
        paid_on=paid_on, row_hash=hashlib.sha256(pii.keyed_hash(line, "payline").encode())
        .hexdigest())

