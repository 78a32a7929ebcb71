"""The row-by-row reconciliation as it was before the set-wise one (commit 82ae224, less its
alerts): the oracle ``test_reconcile_equivalence.py`` holds the current code to. Not used by
the app.

Reconciling a project's wages: per worker and month the expected pay by the labor
contract, the paid amount, the difference and the days late, with the flags of
:mod:`app.domain.wages`; per month the paid ÷ attending checks; a grade per project. New
flags are kept (``wage_flags``, once each) and alerted by SMS to the labor-and-wage officer
and the general contractor's admins as durable jobs.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, insert, select

from app import pii
from app.domain import wages
from app.extensions import db
from app.models import (
    AttendanceDay,
    Contract,
    PayRecord,
    Project,
    ProjectMember,
    WageFlag,
    Worker,
)
from app.models.base import utcnow
from app.services.projects import owed
from app.services.standards import minimum_wages, wage_thresholds

IN_FORCE = ("signed", "filed", "terminated")


@dataclass(frozen=True)
class Line:
    """One worker-month of the reconciliation."""

    month: str
    id_hash: str
    id_masked: str
    worker_name: str | None
    organization_id: int | None
    result: wages.Result


def _month_of(column):
    """The month of a date column, in the database's own dialect (PostgreSQL: the first of
    the month, cheaper to group by than a formatted string; SQLite: ``YYYY-MM``)."""
    if db.engine.dialect.name == "postgresql":
        return func.date_trunc("month", column)
    return func.strftime("%Y-%m", column)


def _month_key(value) -> str:
    return value if isinstance(value, str) else f"{value:%Y-%m}"


def _month_bounds(month: str) -> tuple[date, date]:
    year, m = (int(x) for x in month.split("-"))
    return date(year, m, 1), date(year, m, calendar.monthrange(year, m)[1])


def _wage_of(contract: Contract) -> wages.Wage | None:
    t = contract.terms
    if contract.template == "construction_simple" and t.get("wage_amount"):
        return wages.Wage(t.get("wage_form") or "monthly", Decimal(str(t["wage_amount"])))
    if contract.template == "part_time" and t.get("hourly_wage"):
        return wages.Wage("hourly", Decimal(str(t["hourly_wage"])))
    if t.get("monthly_wage"):
        return wages.Wage("monthly", Decimal(str(t["monthly_wage"])))
    return None


def contracts_of(project: Project, hashes: set[str]) -> dict[str, list[Contract]]:
    """The signed labor contracts of the project's employers with these people."""
    employers = [project.contractor_id, *db.session.scalars(select(
        ProjectMember.organization_id).where(ProjectMember.project_id == project.id,
                                             ProjectMember.accepted_at.is_not(None)))]
    found: dict[str, list[Contract]] = defaultdict(list)
    for contract, id_hash in db.session.execute(
            select(Contract, Worker.id_hash).join(Worker, Contract.worker_id == Worker.id)
            .where(Contract.organization_id.in_(employers), Contract.status.in_(IN_FORCE),
                   Contract.document_kind == "contract", Worker.id_hash.in_(list(hashes)))):
        found[id_hash].append(contract)
    return found


def _in_force(candidates: list[Contract], month: str, project: Project) -> Contract | None:
    first, last = _month_bounds(month)
    live = [c for c in candidates if c.project_id in (None, project.id)  # not another's
            and c.terms.get("term_start", "9999") <= last.isoformat()
            and (c.ended_on or date.fromisoformat(c.terms.get("term_end") or "9999-12-31"))
            >= first]
    linked = [c for c in live if c.project_id == project.id]
    named = [c for c in live if c.project_id is None
             and c.terms.get("project_name") == project.name]
    return (linked or named or live or [None])[-1]


def attendance_of(project: Project, person: str | None = None) -> tuple[dict, dict]:
    """Per (person, month): (days attended, minutes on site), summed by the database; and the
    masked ID number of each person (``person``: that keyed hash's only)."""
    attendance: dict[tuple[str, str], tuple[int, int]] = {}
    masked: dict[str, str] = {}
    month = _month_of(AttendanceDay.day)
    for id_hash, id_masked, in_month, days, minutes in db.session.execute(
            select(AttendanceDay.id_hash, func.min(AttendanceDay.id_masked), month,
                   func.count(), func.sum(AttendanceDay.minutes))
            .where(AttendanceDay.project_id == project.id,
                   *([AttendanceDay.id_hash == person] if person else []))
            .group_by(AttendanceDay.id_hash, month)):
        attendance[(id_hash, _month_key(in_month))] = (days, int(minutes or 0))
        masked[id_hash] = id_masked
    return attendance, masked


@dataclass(frozen=True)
class Payment:
    """What the reconciliation reads of a pay record."""

    id_masked: str
    net: Decimal
    gross: Decimal
    paid_on: date | None
    holder: str
    paying_account_hash: str


def payments_of(project: Project, person: str | None = None
                ) -> dict[tuple[str, str], list[Payment]]:
    """The project's payments per (person, month), read as plain rows (no ORM objects;
    ``person``: that keyed hash's only)."""
    pay: dict[tuple[str, str], list[Payment]] = defaultdict(list)
    for id_hash, month, *fields in db.session.execute(
            select(PayRecord.id_hash, PayRecord.month, PayRecord.id_masked, PayRecord.net,
                   PayRecord.gross, PayRecord.paid_on, PayRecord.holder,
                   PayRecord.paying_account_hash)
            .where(PayRecord.project_id == project.id,
                   *([PayRecord.id_hash == person] if person else []))):
        masked, net, gross, paid_on, holder, paying = fields
        pay[(id_hash, month)].append(Payment(masked, Decimal(net), Decimal(gross or 0), paid_on,
                                             holder, paying))
    return pay


def thresholds_by_month(project: Project, t: wages.Thresholds | None = None):
    """A month's thresholds: ``t`` if given, else the county's setting in force at the
    month's end (:mod:`app.services.standards.wage_thresholds`; a new setting does not re-judge the
    months before it)."""
    if t is not None:
        return lambda month: t
    on = wage_thresholds.schedule(project.region_code)
    cache: dict[str, wages.Thresholds] = {}

    def of(month: str) -> wages.Thresholds:
        if month not in cache:
            cache[month] = on(_month_bounds(month)[1]).thresholds
        return cache[month]

    return of


def lines(project: Project, today: date, t: wages.Thresholds | None = None,
          person: str | None = None) -> list[Line]:
    """Every worker-month of the project with attendance or pay, reconciled (thresholds:
    :func:`thresholds_by_month`; ``person``: one keyed hash's months only). A worker-month
    with attendance and no signed contract is owed the pay sheet's gross, else the usual
    daily rate × days (:mod:`app.services.projects.owed`)."""
    threshold = thresholds_by_month(project, t)
    attendance, masked = attendance_of(project, person)
    pay = payments_of(project, person)
    for (id_hash, _), records in pay.items():
        masked.setdefault(id_hash, records[0].id_masked)
    dedicated = pii.keyed_hash(pii.decrypt(project.wage_account_enc), "account")
    contracts = contracts_of(project, set(masked))
    rates = owed.usual_rates(project, set(masked), _wage_of, IN_FORCE)
    yearly: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    minimums: dict = {}
    out = []
    for id_hash, month in sorted(set(attendance) | set(pay), key=lambda k: (k[1], k[0])):
        records = pay.get((id_hash, month), [])
        paid = sum((r.net for r in records), Decimal(0))
        yearly[(id_hash, month[:4])] += paid
        contract = _in_force(contracts.get(id_hash, []), month, project)
        if month not in minimums:
            minimums[month] = minimum_wages.in_force(project.region_code,
                                                     _month_bounds(month)[1])
        minimum = minimums[month]
        days, minutes = attendance.get((id_hash, month), (0, 0))
        usual, source = rates.of(id_hash) if contract is None else (None, None)
        result = wages.check(wages.WorkerMonth(
            month=month, days=days, hours=Decimal(minutes) / 60, wage=_wage_of(contract)
            if contract else None, worker_name=contract.worker_name if contract else None,
            paid=paid, paid_on=max((r.paid_on for r in records if r.paid_on), default=None),
            holders=tuple(r.holder for r in records),
            paying_accounts_dedicated=all(r.paying_account_hash == dedicated for r in records),
            paid_in_year=yearly[(id_hash, month[:4])],
            minimum_monthly=minimum.monthly if minimum else None,
            gross=sum((r.gross for r in records), Decimal(0)) if records else None,
            usual_daily=usual, usual_source=source),
            pay_day=project.pay_day, today=today, t=threshold(month))
        out.append(Line(month, id_hash, masked[id_hash], contract.worker_name if contract
                        else None, contract.organization_id if contract else None, result))
    return out


def project_flags(project: Project, items: list[Line], today: date,
                  t: wages.Thresholds | None = None) -> dict:
    """Per month whose pay window has closed (the end of the following month): the
    project-month flags (workers paid ÷ workers attending)."""
    threshold = thresholds_by_month(project, t)
    by_month: dict[str, list[Line]] = defaultdict(list)
    for line in items:
        if line.result.days and today > wages.next_month_end(line.month):
            by_month[line.month].append(line)
    return {month: wages.project_month(len(rows), sum(1 for x in rows if x.result.paid > 0),
                                       threshold(month))
            for month, rows in by_month.items()}


def run(project: Project, today: date) -> list[WageFlag]:
    """Reconcile, keep the new flags and queue their alert; flags no longer found are marked
    resolved (one that comes back is reopened, without a second alert). Returns the new
    flags."""
    items = lines(project, today)
    current: dict[tuple[str, str, str], tuple[Line | None, dict]] = {}
    for line in items:
        for flag, params in line.result.flags.items():
            current[(line.month, line.id_hash, flag)] = (line, params)
    for month, flags in project_flags(project, items, today).items():
        for flag, params in flags.items():
            current[(month, "", flag)] = (None, params)
    now = utcnow()
    stored = {(f.month, f.id_hash, f.flag): f for f in db.session.scalars(select(WageFlag).where(
        WageFlag.project_id == project.id))}
    for key, flag in stored.items():
        if key not in current and flag.resolved_at is None:
            flag.resolved_at = now
        elif key in current and flag.resolved_at is not None:
            flag.resolved_at = None
    new = []
    for (month, id_hash, flag), (line, params) in current.items():
        if (month, id_hash, flag) in stored:
            continue
        new.append(WageFlag(
            project_id=project.id, month=month, id_hash=id_hash,
            id_masked=line.id_masked if line else "",
            organization_id=line.organization_id if line else None, flag=flag,
            params={k: str(v) for k, v in params.items()},
            at_risk=str(line.result.at_risk if line else Decimal(0))))
    if new:  # one multi-row INSERT (a county's first run raises tens of thousands)
        db.session.execute(insert(WageFlag), [
            {c: getattr(f, c) for c in ("project_id", "month", "id_hash", "id_masked",
                                        "organization_id", "flag", "params", "at_risk")}
            | {"raised_at": now} for f in new])
    db.session.commit()
    return new
