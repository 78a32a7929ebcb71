"""Platform admin views: the minimum-wage table (rows are added, never changed)."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.admin.blueprint import bp
from app.auth.access import role_required
from app.errors import AppError, translated_fields
from app.services.platform.principal import of_user
from app.services.standards import minimum_wages as service


def _page(errors: dict | None = None, message: str | None = None, status: int = 200):
    return render_template("admin/minimum_wages.html", rows=service.history(of_user(current_user)),
                           errors=errors or {}, message=message,
                           values=request.form if message else {}), status


@bp.get("/minimum-wages")
@role_required("platform_admin")
def minimum_wages():
    """Every minimum wage ever published (history), and the form to add one."""
    return _page()


@bp.post("/minimum-wages")
@role_required("platform_admin")
def add_minimum_wage():
    """Add a minimum wage for a region prefix from an effective date."""
    try:
        row = service.add(of_user(current_user), request.form.to_dict())
    except AppError as exc:
        return _page(translated_fields(exc.fields), exc.message, exc.status)
    flash(_("已新增 %(prefix)s 自 %(date)s 起的最低工资标准", prefix=row.region_prefix,
            date=row.effective_from.isoformat()), "success")
    return redirect(url_for("admin.minimum_wages"))
