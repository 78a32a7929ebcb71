"""Platform admin views: review self-registered employers; suspend and reinstate employers."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.admin.blueprint import bp
from app.auth.access import role_required
from app.models import ORG_STATUSES
from app.services.accounts import registration
from app.services.platform.principal import of_user
from app.surface import NOTHING, Refusal, attempt

STATUS_LABELS = {"pending": _l("待审核"), "approved": _l("已通过"), "rejected": _l("已驳回"),
                 "suspended": _l("已暂停")}
DONE = {"approve": _l("已通过审核"), "reject": _l("已驳回申请"), "suspend": _l("已暂停该单位"),
        "reinstate": _l("已恢复该单位")}


def _page(status: str, refused: Refusal = NOTHING):
    status = status if status in ORG_STATUSES else ""
    rows = registration.organizations(of_user(current_user), status)
    return render_template("admin/organizations.html", rows=rows, status=status,
                           labels=STATUS_LABELS, actions=registration.ACTIONS,
                           message=refused.message,
                           reason=request.form.get("reason", "") if refused else ""), refused.status


@bp.get("/organizations")
@role_required("platform_admin")
def organizations():
    """Employers, filtered by status (``?status=pending`` for the review queue)."""
    return _page(request.args.get("status", "pending"))


@bp.post("/organizations/<int:org_id>/<any(approve, reject, suspend, reinstate):action>")
@role_required("platform_admin")
def decide(org_id: int, action: str):
    """Approve / reject / suspend / reinstate (a reason is required except to approve)."""
    back = request.form.get("back", "pending")
    org = attempt(registration.decide, of_user(current_user), org_id, action,
                  request.form.get("reason", ""), again=lambda refused: _page(back, refused))
    flash(_("%(name)s：%(done)s", name=org.name, done=str(DONE[action])), "success")
    return redirect(url_for("admin.organizations", status=back if back in ORG_STATUSES else ""))
