"""Wage pages of a project: attendance and payroll imports, the reconciliation (expected vs
paid per worker and month, flags, grade, chart), and the county's arrears warning list."""

from collections import defaultdict
from decimal import Decimal

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext

from app.auth.access import current_principal, role_required
from app.domain import wages
from app.domain.expiry import today_in_beijing
from app.errors import AppError, ValidationFailed, translate, translated_fields
from app.extensions import db
from app.models import Organization, WageFlag
from app.projects.blueprint import bp
from app.projects.routes import ALL_ROLES, EMPLOYER_ROLES, PID, _detail
from app.services.batches import batch_check
from app.services.projects import projects, reconcile, wage_import
from app.services.standards import wage_thresholds
from app.uploads import read_upload

KINDS = {"attendance": wage_import.import_attendance, "payroll": wage_import.import_payroll}


@bp.post(f"{PID}/import/<any(attendance, payroll):kind>")
@role_required(*EMPLOYER_ROLES)
def import_records(project_id: int, kind: str):
    """Import attendance or payroll (CSV or XLSX); problems listed by row, nothing imported."""
    _, data = read_upload("file", wage_import.MAX_BYTES) or ("", b"")
    try:
        done = KINDS[kind](current_principal(), project_id, data)
    except batch_check.RosterInvalid as exc:
        db.session.rollback()
        problems = [{"row": pr.row, "column": pr.column, "message": translate(pr.message)}
                    for pr in exc.problems]
        html, status = _detail(project_id, exc)
        return html.replace("<!--problems-->", render_template(
            "projects/_problems.html", problems=problems)), status
    except (ValidationFailed, AppError) as exc:
        db.session.rollback()
        return _detail(project_id, exc, translated_fields(exc.fields))
    flash(gettext("已导入%(rows)s行（重复的记录不会再次计入）", rows=done["rows"]), "success")
    return redirect(url_for("projects.wages_page", project_id=project_id))


def _lines_for(p, project):
    items = reconcile.lines(project, today_in_beijing())
    if not (projects.is_contractor(p, project) or p.is_auditor or p.is_platform_admin):
        items = [x for x in items if x.organization_id == p.organization_id]  # own workers
    return items


@bp.get(f"{PID}/wages")
@role_required(*ALL_ROLES)
def wages_page(project_id: int):
    """Per worker and month: expected, paid, difference, days late and flags; per month the
    project's checks and an expected-vs-paid chart; the project's grade."""
    p = current_principal()
    project = projects.get(p, project_id)
    rules = wage_thresholds.in_force(project.region_code, today_in_beijing())
    items = _lines_for(p, project)
    months = reconcile.project_flags(project, items, today_in_beijing()) \
        if projects.is_contractor(p, project) or not p.is_employer else {}
    chart = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for line in items:
        chart[line.month][0] += line.result.expected or 0
        chart[line.month][1] += line.result.paid
    flagged = defaultdict(int)
    for line in items:
        flagged[line.month] += bool(line.result.flags)
    flags = [f for line in items for f in line.result.flags] + [
        f for found in months.values() for f in found]
    return render_template("projects/wages.html", project=project, lines=items,
                           months=months, chart=sorted(chart.items()), grade=wages.grade(flags),
                           flagged=sorted(flagged.items()),
                           flag_text=wages.FLAG_TEXT, project_text=wages.PROJECT_TEXT,
                           contractor=projects.is_contractor(p, project), rules=rules)


@bp.post(f"{PID}/wages/reconcile")
@role_required(*EMPLOYER_ROLES)
def reconcile_now(project_id: int):
    """Keep today's flags and alert the new ones (as the nightly run does)."""
    new = reconcile.reconcile(current_principal(), project_id)
    flash(gettext("核对完成，新增%(count)s项风险", count=len(new)), "success")
    return redirect(url_for("projects.wages_page", project_id=project_id))


@bp.get("/warnings")
@role_required("auditor", "platform_admin")
def warnings_page():
    """The county's arrears early-warning list: per project, subcontractor and worker, with
    the ¥ at risk; the riskiest projects first."""
    p = current_principal()
    visible = {pr.id: pr for pr in projects.visible(p)}
    rows = db.session.query(WageFlag).filter(WageFlag.project_id.in_(list(visible)),
                                             WageFlag.resolved_at.is_(None)).order_by(
        WageFlag.project_id, WageFlag.organization_id, WageFlag.id_masked, WageFlag.month).all()
    names = dict(db.session.query(Organization.id, Organization.name).filter(
        Organization.id.in_({r.organization_id for r in rows if r.organization_id})).all())
    grouped: dict[int, dict] = {}
    for r in rows:
        entry = grouped.setdefault(r.project_id, {"project": visible[r.project_id], "flags": [],
                                                   "at_risk": Decimal(0)})
        entry["flags"].append(r)
        entry["at_risk"] += Decimal(r.at_risk) if r.flag in ("unpaid", "underpaid") else 0
    order = sorted(grouped.values(), key=lambda e: (wages.GRADES.index(wages.grade(
        [f.flag for f in e["flags"]])), -e["at_risk"]))
    for e in order:
        e["grade"] = wages.grade([f.flag for f in e["flags"]])
    return render_template("projects/warnings.html", groups=order, employers=names,
                           flag_text=wages.FLAG_TEXT, project_text=wages.PROJECT_TEXT)
