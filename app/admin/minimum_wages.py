"""Platform admin views: the minimum-wage table (rows are added, never changed)."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.admin.blueprint import bp
from app.auth.access import role_required
from app.services.platform.principal import of_user
from app.services.standards import minimum_wages as service
from app.surface import NOTHING, Refusal, attempt


def _page(refused: Refusal = NOTHING):
    return render_template("admin/minimum_wages.html", rows=service.history(of_user(current_user)),
                           errors=refused.fields, message=refused.message,
                           values=request.form if refused else {}), refused.status


@bp.get("/minimum-wages")
@role_required("platform_admin")
def minimum_wages():
    """Every minimum wage ever published (history), and the form to add one."""
    return _page()


@bp.post("/minimum-wages")
@role_required("platform_admin")
def add_minimum_wage():
    """Add a minimum wage for a region prefix from an effective date."""
    row = attempt(service.add_minimum_wage, of_user(current_user), request.form.to_dict(),
                  again=_page)
    flash(_("已新增 %(prefix)s 自 %(date)s 起的最低工资标准", prefix=row.region_prefix,
            date=row.effective_from.isoformat()), "success")
    return redirect(url_for("admin.minimum_wages"))
