"""The staff register page (职工名册) and its XLSX and PDF downloads."""

from flask import render_template, request

from app.auth.access import current_principal, role_required
from app.domain import typed
from app.domain.expiry import today_in_beijing
from app.domain.typed import Msg
from app.employer.blueprint import bp
from app.errors import translated_fields
from app.services.filing import staff_register
from app.surface import download

EMPLOYER_ROLES = ("employer_admin", "employer_hr")


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
    fmt = request.args.get("format", "")
    if fmt in staff_register.FILE_TYPES:
        return download(*staff_register.register_file(p, day, fmt))
    rows = staff_register.table(staff_register.entries(p, day))
    return render_template("employer/register.html", rows=rows, day=day, typed=day.isoformat(),
                           error=None)
