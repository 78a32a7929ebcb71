"""Platform admin views: the county's wage-arrears warning thresholds (added, never changed)."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.admin.blueprint import bp
from app.auth.access import role_required
from app.services.platform.principal import of_user
from app.services.standards import wage_thresholds as service
from app.surface import NOTHING, Refusal, attempt


def _page(refused: Refusal = NOTHING):
    return render_template("admin/wage_thresholds.html",
                           rows=service.history(of_user(current_user)),
                           defaults=service.defaults(), labels=service.LABELS,
                           errors=refused.fields, message=refused.message,
                           values=request.form if refused else {}), refused.status


@bp.get("/wage-thresholds")
@role_required("platform_admin")
def wage_thresholds():
    """Every threshold setting ever published (history), the defaults, and the form."""
    return _page()


@bp.post("/wage-thresholds")
@role_required("platform_admin")
def add_wage_threshold():
    """Add thresholds for a region prefix from an effective date."""
    row = attempt(service.add_wage_threshold, of_user(current_user), request.form.to_dict(),
                  again=_page)
    flash(_("已新增 %(prefix)s 自 %(date)s 起的欠薪预警阈值", prefix=row.region_prefix,
            date=row.effective_from.isoformat()), "success")
    return redirect(url_for("admin.wage_thresholds"))
