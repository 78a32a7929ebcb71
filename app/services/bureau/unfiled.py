"""Employers whose workers appear in attendance or payroll without a filed contract.

A worker-month is *without contract* when the worker (by the keyed hash of the ID number)
has an attendance day or a pay record on a project in that month, and no labor contract in
force covers any day of that month with the project's general contractor or one of its
accepted subcontractors (signed, filed or since ended; not linked to another project) — the
rule the wage reconciliation uses to owe such a worker pay
(:func:`app.services.projects.reconcile.contracts_of`). The worker's own employer is
unknown then, so the finding is the general contractor's (总包单位), who answers for the
site's real-name roster. Projects are scoped as auditors see them (the project's region or
the named employers). One grouped statement.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import String, and_, cast, exists, func, literal, or_, select, union

from app.extensions import db
from app.models import AttendanceDay, Contract, Organization, PayRecord, Project, ProjectMember, Worker
from app.services.bureau.register import (
    IN_SERVICE,
    Criteria,
    ended_text,
    is_bureau_key,
    term_end,
    term_start,
)
from app.services.platform import scope
from app.services.platform.principal import Principal
from app.services.projects.projects import visible_filter


@dataclass(frozen=True)
class Unfiled:
    """One project of an employer with workers seen without a contract."""

    organization_id: int
    employer: str
    uscc: str
    region_code: str
    project: str
    workers: int
    worker_months: int
    first_month: str
    last_month: str


def _seen():
    """(project, person, month) of every attendance day and pay record, once each."""
    att_month = func.substr(cast(AttendanceDay.day, String), 1, 7)
    return union(
        select(AttendanceDay.project_id.label("project_id"),
               AttendanceDay.id_hash.label("id_hash"), att_month.label("month")),
        select(PayRecord.project_id, PayRecord.id_hash, PayRecord.month),
    ).subquery("seen")


def _projects(p: Principal):
    """The projects ``p`` may see: a bureau key those of its region prefix (as an auditor of
    it would), anyone else as :func:`visible_filter` says."""
    if not is_bureau_key(p):
        return visible_filter(p)
    return scope.bureau_region_filter(p, Project.region_code)


def unfiled(p: Principal, c: Criteria, months: list[str]) -> list[Unfiled]:
    """Per general contractor and project: workers seen without a contract in ``months``
    (worker-months counted once), within ``p``'s scope; the most workers first."""
    seen = _seen()
    members = select(ProjectMember.organization_id).where(
        ProjectMember.project_id == seen.c.project_id, ProjectMember.accepted_at.is_not(None))
    last = func.coalesce(ended_text(), func.nullif(term_end(), ""), literal("9999-12-31"))
    covered = exists().where(
        Worker.id == Contract.worker_id, Worker.id_hash == seen.c.id_hash,
        Contract.document_kind == "contract", Contract.status.in_(IN_SERVICE),
        or_(Contract.project_id.is_(None), Contract.project_id == seen.c.project_id),
        or_(Contract.organization_id == Project.contractor_id,
            Contract.organization_id.in_(members)),
        term_start() <= seen.c.month + literal("-31"), last >= seen.c.month + literal("-01"))
    query = (select(Organization.id, Organization.name, Organization.uscc,
                    Organization.region_code, Project.name,
                    func.count(func.distinct(seen.c.id_hash)), func.count(),
                    func.min(seen.c.month), func.max(seen.c.month))
             .select_from(seen).join(Project, Project.id == seen.c.project_id)
             .join(Organization, Organization.id == Project.contractor_id)
             .where(_projects(p), ~covered,
                    and_(seen.c.month >= months[0], seen.c.month <= months[-1]))
             .group_by(Organization.id, Organization.name, Organization.uscc,
                       Organization.region_code, Project.id, Project.name))
    if c.region:
        query = query.where(Project.region_code.startswith(c.region, autoescape=True))
    rows = [Unfiled(*row) for row in db.session.execute(query)]
    return sorted(rows, key=lambda u: (-u.workers, u.employer, u.project))
