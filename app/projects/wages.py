"""Wage pages of a project: attendance and payroll imports, the reconciliation (expected vs
paid per worker and month, flags, grade, chart), and the county's arrears warning list."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext

from app.auth.access import current_principal, role_required
from app.domain import wages
from app.errors import translate
from app.projects.blueprint import bp
from app.projects.routes import ALL_ROLES, EMPLOYER_ROLES, PID, _detail_again
from app.services.projects import import_files, reconcile, wage_import, wage_views, worker_names
from app.surface import attempt
from app.uploads import read_upload

KINDS = {"attendance": wage_import.import_attendance, "payroll": wage_import.import_payroll}


@bp.post(f"{PID}/import/<any(attendance, payroll):kind>")
@role_required(*EMPLOYER_ROLES)
def import_records(project_id: int, kind: str):
    """Import attendance or payroll (CSV or XLSX); problems listed by row, nothing imported."""
    _, data = read_upload("file", wage_import.MAX_BYTES) or ("", b"")
    done = attempt(KINDS[kind], current_principal(), project_id, data,
                   again=_detail_again(project_id))
    flash(translate(import_files.summary(kind, done)), "success")
    return redirect(url_for("projects.wages_page", project_id=project_id))


@bp.get(f"{PID}/wages")
@role_required(*ALL_ROLES)
def wages_page(project_id: int):
    """Per worker and month: expected, paid, difference, days late and flags; per month the
    project's checks and an expected-vs-paid chart; the project's grade."""
    return render_template("projects/wages.html", flag_text=wages.FLAG_TEXT,
                           project_text=wages.PROJECT_TEXT,
                           **wage_views.project_wages(current_principal(), project_id))


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
    groups, employers = wage_views.county_warnings(current_principal())
    names = worker_names.of_flags(f for g in groups for f in g["flags"])
    return render_template("projects/warnings.html", groups=groups, employers=employers,
                           names=names, flag_text=wages.FLAG_TEXT,
                           project_text=wages.PROJECT_TEXT)
