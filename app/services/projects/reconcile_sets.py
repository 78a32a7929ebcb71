"""The worker-month lines of a project's wage reconciliation, computed set-wise: the same
lines as the row-by-row path it replaced (``bench/reconcile.py`` and
``tests/app/test_reconcile_equivalence.py`` compare them), with less work per row.

- attendance is summed by the database in one hash aggregate (PostgreSQL is given the memory
  for it in this transaction: a sort spilled to disk cost ~0.25 s a project);
- payments and contracts are read as plain rows, never ORM objects;
- everything that depends only on the month (its bounds, pay window, thresholds, minimum
  wage) is worked out once per month, each contract's dates once per contract;
- the usual daily rates (:mod:`app.services.projects.owed`) are read only when a
  worker-month without a contract needs them.

The rules themselves stay in :func:`app.domain.wages.check`.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import DateTime, cast, func, select, text

from app import pii
from app.domain import wage_sets, wages
from app.extensions import db
from app.models import AttendanceDay, Contract, PayRecord, Project, ProjectMember, Worker
from app.services.projects import owed
from app.services.standards import minimum_wages, wage_thresholds

IN_FORCE = ("signed", "filed", "terminated")
FAILED = "failed"  # a pay record's status: the bank's pay-out failed
NEVER = "9999-12-31"


@dataclass(frozen=True)
class Line:
    """One worker-month of the reconciliation."""

    month: str
    id_hash: str
    id_masked: str
    worker_name: str | None
    organization_id: int | None
    result: wages.Result


def wage_of(contract: Contract) -> wages.Wage | None:
    """The pay terms of a contract (ORM object), or None."""
    return wage_of_terms(contract.template, contract.terms)


def wage_of_terms(template: str, t: dict) -> wages.Wage | None:
    """The pay terms of a contract of ``template`` with terms ``t``, or None."""
    if template == "construction_simple" and t.get("wage_amount"):
        return wages.Wage(t.get("wage_form") or "monthly", Decimal(str(t["wage_amount"])))
    if template == "part_time" and t.get("hourly_wage"):
        return wages.Wage("hourly", Decimal(str(t["hourly_wage"])))
    if t.get("monthly_wage"):
        return wages.Wage("monthly", Decimal(str(t["monthly_wage"])))
    return None


def month_bounds(month: str) -> tuple[date, date]:
    """The first and the last day of ``YYYY-MM``."""
    year, m = (int(x) for x in month.split("-"))
    return date(year, m, 1), date(year, m, calendar.monthrange(year, m)[1])


def thresholds_by_month(project: Project, t: wages.Thresholds | None = None
                        ) -> Callable[[str], wages.Thresholds]:
    """A month's thresholds: ``t`` if given, else the county's setting in force at the
    month's end (:mod:`app.services.standards.wage_thresholds`; a new setting does not
    re-judge the months before it)."""
    if t is not None:
        return lambda month: t
    on = wage_thresholds.schedule(project.region_code)
    cache: dict[str, wages.Thresholds] = {}

    def of(month: str) -> wages.Thresholds:
        if month not in cache:
            cache[month] = on(month_bounds(month)[1]).thresholds
        return cache[month]

    return of


def _month_key(value) -> str:
    return value if isinstance(value, str) else f"{value:%Y-%m}"


def _people(column, person: str | None, people: set[str] | None) -> list:
    """The filter on ``column`` to one person or to a set of them (none: everyone)."""
    if person:
        return [column == person]
    return [column.in_(sorted(people))] if people is not None else []


def attendance_of(project: Project, person: str | None = None, people: set[str] | None = None,
                  between: tuple[date, date] | None = None) -> tuple[dict, dict]:
    """Per (person, month): (days attended, minutes on site), summed by the database in one
    hash aggregate; and the masked ID number of each person (``people``: only theirs;
    ``between``: only the days between these two)."""
    if db.engine.dialect.name == "postgresql":  # the hash table fits; a sort would spill
        db.session.execute(text("SET LOCAL work_mem = '32MB'"))
        month = func.date_trunc("month", cast(AttendanceDay.day, DateTime))
    else:
        month = func.strftime("%Y-%m", AttendanceDay.day)
    attendance: dict[tuple[str, str], tuple[int, int]] = {}
    masked: dict[str, str] = {}
    keys: dict = {}
    for id_hash, id_masked, in_month, days, minutes in db.session.execute(
            select(AttendanceDay.id_hash, func.min(AttendanceDay.id_masked), month,
                   func.count(), func.sum(AttendanceDay.minutes))
            .where(AttendanceDay.project_id == project.id,
                   *_people(AttendanceDay.id_hash, person, people),
                   *([AttendanceDay.day.between(*between)] if between else []))
            .group_by(AttendanceDay.id_hash, month)):
        key = keys.get(in_month) or keys.setdefault(in_month, _month_key(in_month))
        attendance[(id_hash, key)] = (days, int(minutes or 0))
        masked[id_hash] = id_masked
    return attendance, masked


def payments_of(project: Project, person: str | None = None, people: set[str] | None = None,
                months: set[str] | None = None) -> dict[tuple[str, str], list]:
    """Per (person, month): the payments as tuples (masked, net, gross, paid_on, holder,
    paying account hash), Decimals for the amounts. A pay-out the bank reported failed is
    not a payment. ``people``, ``months``: only theirs."""
    pay: dict[tuple[str, str], list] = defaultdict(list)
    for id_hash, month, masked, net, gross, paid_on, holder, paying in db.session.execute(
            select(PayRecord.id_hash, PayRecord.month, PayRecord.id_masked, PayRecord.net,
                   PayRecord.gross, PayRecord.paid_on, PayRecord.holder,
                   PayRecord.paying_account_hash)
            .where(PayRecord.project_id == project.id, PayRecord.status != FAILED,
                   *_people(PayRecord.id_hash, person, people),
                   *([PayRecord.month.in_(sorted(months))] if months is not None else []))):
        pay[(id_hash, month)].append((masked, Decimal(net), Decimal(gross or 0), paid_on,
                                      holder, paying))
    return pay


@dataclass(frozen=True)
class Held:
    """What the reconciliation reads of a signed contract, its dates worked out once."""

    project_id: int | None
    starts: str  # term_start as written (ISO), compared as text like the terms
    ends: date
    project_name: str | None
    worker_name: str
    organization_id: int
    wage: wages.Wage | None


def contracts_of(project: Project, hashes: set[str]) -> dict[str, list[Held]]:
    """The signed labor contracts of the project's employers with these people, oldest
    first, as plain rows."""
    employers = [project.contractor_id, *db.session.scalars(select(
        ProjectMember.organization_id).where(ProjectMember.project_id == project.id,
                                             ProjectMember.accepted_at.is_not(None)))]
    found: dict[str, list[Held]] = defaultdict(list)
    for id_hash, project_id, terms, ended_on, name, org, template in db.session.execute(
            select(Worker.id_hash, Contract.project_id, Contract.terms, Contract.ended_on,
                   Contract.worker_name, Contract.organization_id, Contract.template)
            .join(Worker, Contract.worker_id == Worker.id)
            .where(Contract.organization_id.in_(employers), Contract.status.in_(IN_FORCE),
                   Contract.document_kind == "contract", Worker.id_hash.in_(list(hashes)))
            .order_by(Contract.id)):
        if project_id not in (None, project.id):  # another project's
            continue
        found[id_hash].append(Held(
            project_id, terms.get("term_start", "9999"),
            ended_on or date.fromisoformat(terms.get("term_end") or NEVER),
            terms.get("project_name"), name, org, wage_of_terms(template, terms)))
    return found


def in_force(candidates: list[Held], first: date, last: str, project_id: int,
             project_name: str) -> Held | None:
    """The contract a worker-month is judged by: linked to the project, else naming it,
    else any in force that month (the latest of them)."""
    if len(candidates) == 1:
        c = candidates[0]
        return c if c.starts <= last and c.ends >= first else None
    live = [c for c in candidates if c.starts <= last and c.ends >= first]
    if not live:
        return None
    linked = [c for c in live if c.project_id == project_id]
    named = [c for c in live if c.project_id is None and c.project_name == project_name]
    return (linked or named or live)[-1]


def lines(project: Project, today: date, t: wages.Thresholds | None = None,
          person: str | None = None, people: set[str] | None = None) -> list[Line]:
    """Every worker-month of the project with attendance or pay, reconciled (thresholds:
    :func:`thresholds_by_month`; ``person``: one keyed hash's months only, ``people``: these
    keyed hashes' months only — the same lines as the whole project's). A worker-month
    with attendance and no signed contract is owed the pay sheet's gross, else the usual
    daily rate × days (:mod:`app.services.projects.owed`)."""
    threshold = thresholds_by_month(project, t)
    attendance, masked = attendance_of(project, person, people)
    pay = payments_of(project, person, people)
    for (id_hash, _), records in pay.items():
        masked.setdefault(id_hash, records[0][0])
    dedicated = project.wage_account_hash or pii.keyed_hash(
        pii.decrypt(project.wage_account_enc), "account")
    contracts = contracts_of(project, set(masked))
    minimum_on = minimum_wages.TABLE.schedule(project.region_code)
    rates: list[owed.UsualRates] = []  # read once, when first needed

    def usual(id_hash: str) -> tuple[Decimal | None, str | None]:
        if not rates:
            rates.append(owed.usual_rates(project, set(masked), wage_of, IN_FORCE))
        return rates[0].of(id_hash)

    months: dict[str, tuple] = {}
    yearly: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    judge = wage_sets.Judge(project.pay_day, today)
    zero, no_records, result_of = Decimal(0), (), judge.result
    project_id, project_name = project.id, project.name
    out = []
    for key in sorted(attendance.keys() | pay.keys(), key=lambda k: (k[1], k[0])):
        id_hash, month = key
        if month not in months:
            first, last = month_bounds(month)
            row = minimum_on(last)
            months[month] = (first, last.isoformat(), threshold(month),
                             Decimal(row.monthly) if row is not None else None)
        first, last, limits, minimum = months[month]
        records = pay.get(key, no_records)
        paid = sum((r[1] for r in records), zero)
        year = (id_hash, month[:4])
        yearly[year] += paid
        candidates = contracts.get(id_hash)
        contract = candidates and in_force(candidates, first, last, project_id, project_name)
        days, minutes = attendance.get(key, (0, 0))
        rate, source = usual(id_hash) if not contract and days else (None, None)
        name = contract.worker_name if contract else None
        result = result_of(
            limits, month=month, days=days, minutes=minutes,
            wage=contract.wage if contract else None, worker_name=name,
            holders=tuple(r[4] for r in records), paid=paid,
            paid_on=max((r[3] for r in records if r[3]), default=None),
            dedicated=all(r[5] == dedicated for r in records), paid_in_year=yearly[year],
            minimum=minimum, gross=sum((r[2] for r in records), zero) if records else None,
            usual=rate, source=source)
        out.append(Line(month, id_hash, masked[id_hash], name,
                        contract.organization_id if contract else None, result))
    return out


def month_tallies(project: Project, months: set[str]) -> tuple[dict, dict]:
    """Per month of ``months``: the workers attending, and those of them paid (as
    :func:`lines` counts them for the project-month checks), without reconciling them."""
    if not months:
        return {}, {}
    bounds = [month_bounds(m) for m in months]
    attendance, _ = attendance_of(project, between=(min(b[0] for b in bounds),
                                                 max(b[1] for b in bounds)))
    paid_by: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for key, records in payments_of(project, months=months).items():
        paid_by[key] = sum((r[1] for r in records), Decimal(0))
    attending: dict[str, int] = defaultdict(int)
    paid: dict[str, int] = defaultdict(int)
    for (id_hash, month), (days, _) in attendance.items():
        if month in months and days:
            attending[month] += 1
            paid[month] += paid_by.get((id_hash, month), Decimal(0)) > 0
    return attending, paid
