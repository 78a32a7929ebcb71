"""The worker's pay per project and month, from the projects' payroll and bank payment
records matched to them by the keyed hash of their ID number (as the imports store them)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import or_, select

from app.extensions import db
from app.models import AttendanceDay, Contract, Organization, PayRecord, Project, Worker
from app.services.platform import scope
from app.services.platform.principal import Principal


@dataclass(frozen=True)
class Payment:
    """One bank payment of a month's wage."""

    net: Decimal
    paid_on: date | None
    account: str  # masked
    bank: str


@dataclass(frozen=True)
class PayMonth:
    """The worker's wage of one month on one project."""

    month: str
    project: str
    contractor: str
    days_on_site: int  # attendance days recorded on the site that month
    days_paid: int  # days the pay sheet counts
    gross: Decimal | None  # 应发 (None: no record of the month gives it, e.g. a bank's pay-out)
    net: Decimal  # 实发
    payments: list[Payment]

    @property
    def unpaid(self) -> bool:
        """No payment of this month carries a date yet."""
        return not any(p.paid_on for p in self.payments)


def _gross(records: list[PayRecord]) -> Decimal | None:
    """The month's 应发: the sum of the records that give it; None when none does."""
    given = [Decimal(r.gross) for r in records if r.gross is not None]
    return sum(given, Decimal(0)) if given else None


def pay_months(p: Principal) -> list[PayMonth]:
    """Per project and month, newest first: days on site, 应发, 实发 and each payment.

    Only the person's own records, and only on projects of the contracts the session sees
    (the project a contract names, or a project its employer runs as general contractor):
    ``p`` must be a person (anyone else sees nothing).
    """
    worker = db.session.get(Worker, p.worker_id) if p.is_person else None
    if worker is None:
        return []
    seen = scope.contract_filter(p)
    mine = or_(Project.id.in_(select(Contract.project_id).where(seen)),
               Project.contractor_id.in_(select(Contract.organization_id).where(seen)))
    lines: dict[tuple[str, int], list[PayRecord]] = defaultdict(list)
    names: dict[int, tuple[str, str]] = {}
    for record, project, contractor in db.session.execute(
            select(PayRecord, Project.name, Organization.name)
            .join(Project, Project.id == PayRecord.project_id)
            .join(Organization, Organization.id == Project.contractor_id)
            .where(PayRecord.id_hash == worker.id_hash, mine,
                   PayRecord.status != "failed")  # a bank's failed pay-out was not paid
            .order_by(PayRecord.id)):
        lines[(record.month, record.project_id)].append(record)
        names[record.project_id] = (project, contractor)
    attendance: dict[tuple[str, int], int] = defaultdict(int)
    for project_id, day in db.session.execute(
            select(AttendanceDay.project_id, AttendanceDay.day)
            .where(AttendanceDay.id_hash == worker.id_hash,
                   AttendanceDay.project_id.in_(list(names) or [0]))):
        attendance[(day.isoformat()[:7], project_id)] += 1
    out = [PayMonth(month, *names[project_id], attendance[(month, project_id)],
                    max(r.days for r in records), _gross(records),
                    sum((Decimal(r.net) for r in records), Decimal(0)),
                    [Payment(Decimal(r.net), r.paid_on, r.account_masked, r.bank)
                     for r in records])
           for (month, project_id), records in lines.items()]
    return sorted(out, key=lambda m: (m.month, m.project), reverse=True)
