"""Reconciling a project's wages: per worker and month the expected pay by the labor
contract, the paid amount, the difference and the days late, with the flags of
:mod:`app.domain.wages`; per month the paid ÷ attending checks; a grade per project. New
flags are kept (``wage_flags``, once each) and alerted by SMS to the labor-and-wage officer
and the general contractor's admins as durable jobs.

The lines are worked out set-wise (:mod:`app.services.projects.reconcile_sets`), the flags
kept likewise (:mod:`app.services.projects.reconcile_flags`).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.domain import wages
from app.domain.expiry import today_in_beijing
from app.domain.typed import Msg
from app.extensions import db
from app.models import Contract, Project, ProjectMember, User, WageFlag
from app.models.base import utcnow
from app.services.messaging import outbox
from app.services.platform.principal import Principal
from app.services.projects import projects, reconcile_flags
from app.services.projects.reconcile_flags import project_flags
from app.services.projects.reconcile_sets import (  # noqa: F401 - this context's names
    IN_FORCE,
    Line,
    lines,
    month_tallies,
    thresholds_by_month,
)

ALERT = "【智慧星用工】欠薪预警：项目“%(project)s”新增%(count)s项工资风险（%(flags)s），请登录平台核查处理。"


def run(project: Project, today: date) -> list[WageFlag]:
    """Reconcile, keep the new flags and queue their alert; flags no longer found are marked
    resolved (one that comes back is reopened, without a second alert). Takes the project's
    lock first (:func:`projects.lock`: not at once with an import, a push or its job).
    Returns the new flags."""
    projects.lock(project.id)
    items = lines(project, today)
    current = reconcile_flags.found(items, project_flags(project, items, today))
    new = reconcile_flags.keep(project, current, utcnow())
    if new:
        _alert(project, new)
    db.session.commit()
    return new


def run_pairs(project: Project, pairs: set[tuple[str, str]], today: date) -> list[WageFlag]:
    """Reconcile only the worker-months ``pairs`` ((keyed hash, month) whose data changed)
    and what they change: the same worker's later months of the same year (the year's pay)
    and the project-month checks of their months. Flags raised, resolved and alerted for
    those exactly as :func:`run` would; the project's other flags are left as they are.
    Not committed (the caller's job commits). Returns the new flags."""
    earliest: dict[tuple[str, str], str] = {}  # (person, year) -> first month touched
    for id_hash, month in pairs:
        key = (id_hash, month[:4])
        earliest[key] = min(month, earliest.get(key, month))
    items = [line for line in lines(project, today, people={h for h, _ in pairs})
             if line.month >= earliest.get((line.id_hash, line.month[:4]), "9999")]
    months = {m for _, m in pairs}
    attending, paid = month_tallies(project, months)
    current = reconcile_flags.found(
        items, reconcile_flags.month_flags(project, attending, paid, today))
    scope = {(line.month, line.id_hash) for line in items} | {(m, h) for h, m in pairs} | {
        (m, "") for m in months}
    new = reconcile_flags.keep(project, current, utcnow(), scope)
    if new:
        _alert(project, new)
    return new


def _alert(project: Project, new: list[WageFlag]) -> None:
    names = "、".join(sorted({wages.FLAG_TEXT.get(f.flag, wages.PROJECT_TEXT.get(f.flag, f.flag))
                              .split("%")[0] for f in new}))
    text = Msg(ALERT, project=project.name, count=len(new), flags=names)
    phones = [project.officer_phone_enc, *db.session.scalars(select(User.phone_enc).where(
        User.organization_id == project.contractor_id, User.role == "employer_admin",
        User.active.is_(True), User.phone_enc.is_not(None)))]
    for phone in phones:
        outbox.queue(phone, text)


def reconcile(p: Principal, project_id: int, today: date | None = None) -> list[WageFlag]:
    """The contractor's staff reconcile a project now (also run for every project by
    ``flask wages reconcile``)."""
    return run(projects.managed(p, project_id), today or today_in_beijing())


def worker_pay(contract: Contract, today: date | None = None) -> list[dict]:
    """What the worker of ``contract`` sees after the identity check: per project (of the
    contract's employer, as contractor or subcontractor) and month, expected and received."""
    today = today or today_in_beijing()
    member = select(ProjectMember.project_id).where(
        ProjectMember.organization_id == contract.organization_id,
        ProjectMember.accepted_at.is_not(None))
    found = db.session.scalars(select(Project).where(
        (Project.contractor_id == contract.organization_id) | Project.id.in_(member)).order_by(
        Project.id))
    out = []
    for project in found:
        for line in lines(project, today, person=contract.worker.id_hash):
            if line.id_hash == contract.worker.id_hash:
                r = line.result
                out.append({"project": project.name, "month": line.month, "days": r.days,
                            "expected": str(r.expected) if r.expected is not None else None,
                            "source": r.source,
                            "paid": str(r.paid), "flags": sorted(r.flags)})
    return sorted(out, key=lambda x: (x["month"], x["project"]), reverse=True)
