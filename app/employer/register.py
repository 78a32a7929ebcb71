"""The staff register page (职工名册) and its XLSX and PDF downloads."""

from flask import Response, render_template, request

from app.auth.access import current_principal, role_required
from app.domain import typed
from app.domain.expiry import today_in_beijing
from app.domain.typed import Msg
from app.employer.blueprint import bp
from app.errors import translated_fields
from app.extensions import db
from app.models import Organization
from app.services.filing import staff_register

EMPLOYER_ROLES = ("employer_admin", "employer_hr")
TYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "pdf": "application/pdf"}


@bp.route("/register")
@role_required(*EMPLOYER_ROLES)
def staff_register_page():
    """The workers in service on ``?as_of=`` (default today, Beijing); ``format=xlsx|pdf``
    downloads it. A bad date: 422 with the field named and what was typed kept."""
    typed_day = request.args.get("as_of", "")
    day, problem = typed.iso_date(typed_day) if typed_day else (today_in_beijing(), None)
    if problem:
        error = translated_fields({"as_of": Msg(problem, label=Msg("名册日期"))})["as_of"]
        return render_template("employer/register.html", rows=None, day=None, typed=typed_day,
                               error=error), 422
    p = current_principal()
    rows = staff_register.table(staff_register.entries(p, day))
    fmt = request.args.get("format", "")
    if fmt in TYPES:
        employer = db.session.get(Organization, p.organization_id).name
        data = (staff_register.to_xlsx(rows) if fmt == "xlsx"
                else staff_register.to_pdf(rows, employer, day))
        resp = Response(data, mimetype=TYPES[fmt])
        resp.headers["Content-Disposition"] = f'attachment; filename="register-{day}.{fmt}"'
        resp.headers["Cache-Control"] = "private, no-store"
        return resp
    return render_template("employer/register.html", rows=rows, day=day, typed=day.isoformat(),
                           error=None)
