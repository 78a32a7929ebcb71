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
nothing (events are a set per day; a payment line is kept once by a hash of its content; a
line that is a pay-out a bank pushed already — same person, month, payee account, amount and
date, one line to one pushed record — is not added again), and the answer says what was new,
changed and unchanged. Once the file is read and checked, imports take the project's lock
(:func:`projects.lock`) to store, as pushes and reconciliations do. The per-field checks are
:mod:`app.services.projects.wage_checks`, shared with the push APIs (:mod:`app.services.feeds`),
which store through :func:`add_days` and :func:`add_payments` too.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select

from app import pii
from app.domain.ids import mask_id
from app.extensions import db
from app.models import AttendanceDay, FeedReceipt, PayRecord
from app.services.batches.batch_check import Problem
from app.services.platform import audit
from app.services.platform.principal import Principal
from app.services.projects import import_files, projects, wage_checks
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
CHUNK = 5000  # ID hashes per IN (...) query: well below the drivers' parameter limits
MAX_BYTES = import_files.MAX_BYTES


def _at(n: int, letters: import_files.Columns, problems: list) -> wage_checks.Report:
    """Where a file row's problems go: row ``n``, the field's column."""
    return lambda name, message: problems.append(letters.problem(n, name, message))


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
        if found := wage_checks.event(raw, _at(n, letters, problems)):
            add_event(events, masked, *found)
    if problems:
        raise ImportInvalid(problems, ATTENDANCE_INVALID)
    return _store_days(p, project.id, events, masked, len(rows))


def add_event(events: dict, masked: dict, number: str, direction: str, when) -> tuple:
    """Note a checked clock event under its (person, day); returns that key."""
    key = (pii.keyed_hash(number), when.date())
    masked[key[0]] = mask_id(number)
    events.setdefault(key, set()).add(f"{when:%H:%M:%S} {direction}")
    return key


def add_day(events: dict, masked: dict, number: str, on: date, hours: Decimal) -> tuple:
    """Note a checked day row (hours on site) under its (person, day); returns that key."""
    key = (pii.keyed_hash(number), on)
    masked[key[0]] = mask_id(number)
    events.setdefault(key, set()).add(f"day {hours}h")
    return key


def _import_days(p: Principal, project, rows: list, letters: import_files.Columns) -> dict:
    """Day rows: ID number, date, hours on site (a day given different hours: the most)."""
    problems: list[Problem] = []
    events: dict[tuple[str, date], set[str]] = {}
    masked: dict[str, str] = {}
    for n, raw in rows:
        if found := wage_checks.day(raw, _at(n, letters, problems)):
            add_day(events, masked, *found)
    if problems:
        raise ImportInvalid(problems, ATTENDANCE_INVALID)
    return _store_days(p, project.id, events, masked, len(rows))


def _store_days(p: Principal, project_id: int, events: dict, masked: dict, rows: int) -> dict:
    """Under the project's lock, add the events to their days, record and commit; what
    changed."""
    projects.lock(project_id)
    done = add_days(project_id, events, masked)
    audit.record(None, p.actor, "project.attendance_imported", project=project_id,
                 rows=rows, new_events=done["new_events"])
    db.session.commit()
    return {"rows": rows, **done}


def add_days(project_id: int, events: dict, masked: dict) -> dict:
    """Add the events (``{(keyed hash, day): {event, …}}``) to their days, a set per day
    (not committed); returns ``{days, new_events, new, changed, unchanged}``."""
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
    return {"days": len(events), "new_events": added, "new": new, "changed": changed,
            "unchanged": len(events) - new - changed}


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


def import_payroll(p: Principal, project_id: int, data: bytes) -> dict:
    """Import payroll and bank payment lines; returns ``{rows, new, changed, unchanged}``
    (lines imported before, and lines that are a pay-out a bank pushed already, are not
    added again: unchanged, or changed where the line gave the pushed record its gross, days
    or hours). :raises ImportInvalid: problems by row and column (nothing imported).
    :raises ValidationFailed: the file."""
    project = projects.managed(p, project_id)
    rows, problems, letters = import_files.rows(PAYROLL, OPTIONAL, import_files.read(data))
    if problems:
        raise ImportInvalid(problems, PAYROLL_INVALID)
    records = []
    for n, raw in rows:
        values = wage_checks.payment(raw, _at(n, letters, problems))
        if not problems and values:
            records.append(pay_record(project.id, values))
    if problems:
        raise ImportInvalid(problems, PAYROLL_INVALID)
    projects.lock(project.id)
    new, matched = add_payments(records)
    changed = sum(complete(stored, records[n]) for n, stored in matched.items())
    audit.record(None, p.actor, "project.payroll_imported", project=project.id,
                 rows=len(rows), new=len(new), changed=changed)
    db.session.commit()
    return {"rows": len(rows), "new": len(new), "changed": changed,
            "unchanged": len(records) - len(new) - changed}


def add_payments(records: list[PayRecord], sender: str | None = None
                 ) -> tuple[list[PayRecord], dict[int, PayRecord]]:
    """Add the records (of a file: ``sender`` None; else pushed by ``sender``) not stored
    before (not committed). Not added: a line stored before (its ``row_hash``), and one that
    matches a stored record of the same pay-out (:func:`same_payout`) from another source —
    one to one: each stored record is matched by at most one record of the batch, and a
    sender's record is not matched by another record of that sender. A file line matches a
    pushed record; a pushed success, a file line or another sender's record; a pushed
    failure, only a file line no push has reported on (a failure never undoes another
    source's confirmation: unmatched, it is stored as its own failed record). A file line
    without a date matches on the other fields. Returns the records added and, by index in
    ``records``, the stored one each other record matched."""
    hashes = [r.row_hash for r in records]
    known = set()
    for i in range(0, len(hashes), CHUNK):
        known |= set(db.session.scalars(select(PayRecord.row_hash).where(
            PayRecord.row_hash.in_(hashes[i:i + CHUNK]))))
    dated, undated = _stored_payouts(records)
    mine, reported = _reported(dated, sender)
    new, matched, taken = [], {}, set()
    for n, r in enumerate(records):
        if r.row_hash in known:
            continue
        known.add(r.row_hash)
        key = same_payout(r)
        pool = undated.get(key[:-1], []) if r.paid_on is None else dated.get(key, []) + [
            s for s in undated.get(key[:-1], []) if s.paid_on is None]
        found = next((s for s in pool if s.id not in taken and s.id not in mine and (
            s.sender is not None if sender is None else s.sender != sender and (
                r.status == "paid" or (s.sender is None and s.id not in reported)))), None)
        if found is None:
            new.append(r)
        else:
            taken.add(found.id)
            matched[n] = found
    db.session.add_all(new)
    return new, matched


def same_payout(r: PayRecord) -> tuple:
    """What makes two records one pay-out: project, person, month, payee account, amount
    paid, date (last: a file line without one matches on the others)."""
    return r.project_id, r.id_hash, r.month, r.account_hash, Decimal(r.net), r.paid_on


def _stored_payouts(records: list[PayRecord]) -> tuple[dict, dict]:
    """The stored records of the records' projects, people and months, by pay-out and by
    pay-out but the date."""
    wanted: dict[int, set[str]] = {}
    for r in records:
        wanted.setdefault(r.project_id, set()).add(r.id_hash)
    months = sorted({r.month for r in records})
    dated: dict[tuple, list[PayRecord]] = {}
    undated: dict[tuple, list[PayRecord]] = {}
    for project_id, people in wanted.items():
        people_list = sorted(people)
        for i in range(0, len(people_list), CHUNK):
            for row in db.session.scalars(select(PayRecord).where(
                    PayRecord.project_id == project_id, PayRecord.month.in_(months),
                    PayRecord.id_hash.in_(people_list[i:i + CHUNK])).order_by(PayRecord.id)):
                key = same_payout(row)
                dated.setdefault(key, []).append(row)
                undated.setdefault(key[:-1], []).append(row)
    return dated, undated


def _reported(stored: dict, sender: str | None) -> tuple[set[int], set[int]]:
    """Of the stored records, the ids a record of ``sender`` matched or became, and those
    any push reported on (none for a file)."""
    if sender is None:
        return set(), set()
    ids = sorted({r.id for rows in stored.values() for r in rows})
    mine, reported = set(), set()
    for i in range(0, len(ids), CHUNK):
        for by, pay_id in db.session.execute(select(
                FeedReceipt.sender, FeedReceipt.pay_record_id).where(
                FeedReceipt.kind == "payment", FeedReceipt.pay_record_id.in_(ids[i:i + CHUNK]))):
            reported.add(pay_id)
            if by == sender:
                mine.add(pay_id)
    return mine, reported


def complete(stored: PayRecord, line: PayRecord) -> bool:
    """Copy a file line's gross, days and hours onto the pushed record it matched where the
    push gave none; whether anything changed."""
    changed = False
    if stored.gross is None and line.gross is not None:
        stored.gross, changed = line.gross, True
    if not stored.days and line.days:
        stored.days, changed = line.days, True
    if not Decimal(stored.hours or "0") and Decimal(line.hours or "0"):
        stored.hours, changed = line.hours, True
    return changed


def pay_record(project_id: int, v: dict, *, line: str | None = None, status: str = "paid",
               record_id: str | None = None, sender: str | None = None) -> PayRecord:
    """A payment line checked by :func:`wage_checks.payment` as a record; kept once by
    ``line`` (a pushed record: its sender and record id), else by its content. A gross not
    given (None: a bank's pay-out) is stored as unknown."""
    accounts = v["accounts"]
    line = line or "|".join(str(x) for x in (
        project_id, v["number"], v["month"], v["days"], v["hours"], v["gross"], v["net"],
        accounts["account"], accounts["paying_account"], v["holder"], v["paid_on"]))
    return PayRecord(
        project_id=project_id, id_hash=pii.keyed_hash(v["number"]), id_masked=mask_id(v["number"]),
        month=v["month"], days=v["days"], hours=str(v["hours"]),
        gross=str(v["gross"]) if v["gross"] is not None else None,
        net=str(v["net"]), account_hash=pii.keyed_hash(accounts["account"], "account"),
        account_masked=mask_account(accounts["account"]), bank=v["bank"], holder=v["holder"],
        paying_account_hash=pii.keyed_hash(accounts["paying_account"], "account"),
        paid_on=v["paid_on"], status=status, record_id=record_id, sender=sender,
        row_hash=hashlib.sha256(pii.keyed_hash(line, "payline").encode()).hexdigest())
