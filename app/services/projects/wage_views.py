"""What the wage pages show, read within the principal's scope: a project's reconciliation
(expected vs paid per worker and month, the project's monthly checks, the chart, the grade)
and the county's arrears warning list."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from app.domain import wages
from app.domain.expiry import today_in_beijing
from app.extensions import db
from app.models import Organization, WageFlag
from app.services.platform.principal import Principal
from app.services.projects import projects, reconcile
from app.services.standards import wage_thresholds


def project_wages(p: Principal, project_id: int, today: date | None = None) -> dict:
    """Per worker and month: expected (and where the figure came from), paid, difference, days
    late and flags (a subcontractor sees only its own workers); per month the project's checks
    (not for a subcontractor) and an expected-vs-paid chart; the ¥ at risk (expected but not
    paid, workers without a contract included); the grade and the thresholds applied."""
    today = today or today_in_beijing()
    project = projects.get(p, project_id)
    contractor = projects.is_contractor(p, project)
    items = reconcile.lines(project, today)
    if not (contractor or p.is_auditor or p.is_platform_admin):
        items = [x for x in items if x.organization_id == p.organization_id]  # own workers
    months = reconcile.project_flags(project, items, today) \
        if contractor or not p.is_employer else {}
    chart: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    flagged: dict[str, int] = defaultdict(int)
    for line in items:
        chart[line.month][0] += line.result.expected or 0
        chart[line.month][1] += line.result.paid
        flagged[line.month] += bool(line.result.flags)
    flags = [f for line in items for f in line.result.flags] + [
        f for found in months.values() for f in found]
    return {"project": project, "lines": items, "months": months,
            "at_risk": sum((line.result.at_risk for line in items), Decimal(0)),
            "sources": wages.SOURCE_TEXT,
            "chart": sorted(chart.items()), "grade": wages.grade(flags),
            "flagged": sorted(flagged.items()), "contractor": contractor,
            "rules": wage_thresholds.in_force(project.region_code, today)}


#: The flags whose worker-month's unpaid ¥ counts as at risk (no contract: owed all the same).
AT_RISK_FLAGS = ("unpaid", "underpaid", "no_contract")


def county_warnings(p: Principal) -> tuple[list[dict], dict[int, str]]:
    """The open arrears flags of the projects ``p`` may see, grouped by project with the ¥ at
    risk and the grade, the riskiest first; and the names of the employers they concern."""
    visible = {pr.id: pr for pr in projects.visible(p)}
    rows = db.session.scalars(select(WageFlag).where(
        WageFlag.project_id.in_(list(visible)), WageFlag.resolved_at.is_(None)).order_by(
        WageFlag.project_id, WageFlag.organization_id, WageFlag.id_masked, WageFlag.month)).all()
    employer_ids = {r.organization_id for r in rows if r.organization_id}
    names = dict(db.session.execute(select(Organization.id, Organization.name).where(
        Organization.id.in_(employer_ids))).all()) if employer_ids else {}
    grouped: dict[int, dict] = {}
    counted: set[tuple[int, str, str]] = set()
    for r in rows:
        entry = grouped.setdefault(r.project_id, {"project": visible[r.project_id], "flags": [],
                                                   "at_risk": Decimal(0)})
        entry["flags"].append(r)
        if r.flag in AT_RISK_FLAGS and (r.project_id, r.month, r.id_hash) not in counted:
            counted.add((r.project_id, r.month, r.id_hash))  # a worker-month's ¥ once, whatever its flags
            entry["at_risk"] += Decimal(r.at_risk)
    for entry in grouped.values():
        entry["grade"] = wages.grade([f.flag for f in entry["flags"]])
    order = sorted(grouped.values(),
                   key=lambda e: (wages.GRADES.index(e["grade"]), -e["at_risk"]))
    return order, names
