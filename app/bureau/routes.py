"""The county employment register: the page, its JSON (for the logged-in auditor's session,
same scope) and its XLSX export. Read-only GETs: the day and region are not personal data."""

from flask import jsonify, render_template, request

from app.auth.access import current_principal, role_required
from app.bureau.blueprint import bp
from app.bureau.charts import bars, pairs
from app.services import bureau
from app.surface import NOTHING, Refusal, attempt, download

AUDIT_ROLES = ("auditor", "platform_admin")
#: employers listed on the page (the workbook and the JSON hold them all)
PAGE_ROWS = 200


@bp.route("/register")
@role_required(*AUDIT_ROLES)
def register_page():
    """Employers by region, workers in service, hires and leavers, contracts ending soon."""
    view = attempt(bureau.register_view, current_principal(), request.args, again=_page)
    return _page(view=view)


def _page(refused: Refusal = NOTHING, view=None):
    reg = view.register if view else None
    return render_template(
        "bureau/register.html", view=view, reg=reg, rows=reg.employers[:PAGE_ROWS] if reg else [],
        params={k: request.args.get(k, "") for k in ("day", "region")},
        flow_chart=pairs(reg.per_month()) if reg else None,
        region_chart=bars([(r["region_code"], r["in_service"]) for r in reg.by_region()])
        if reg else None, errors=refused.fields, message=refused.message), refused.status


@bp.route("/register.json")
@role_required(*AUDIT_ROLES)
def register_json():
    """The register as JSON for the logged-in auditor (same scope as the page)."""
    return jsonify(bureau.register_view(current_principal(), request.args).as_json())


@bp.route("/register.xlsx")
@role_required(*AUDIT_ROLES)
def register_xlsx():
    """The register as an XLSX workbook."""
    data, mimetype, name = bureau.register_file(current_principal(), request.args)
    return download(data, mimetype, name)
