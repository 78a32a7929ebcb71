"""``/audit/access-log``: who looked at what (the access log), for auditors (entries about
their own scope) and platform admins (everything), filtered and paged."""

from __future__ import annotations

from flask import render_template, request

from app.audit.blueprint import bp
from app.auth.access import current_principal, role_required
from app.domain import labels
from app.services.platform import access_views
from app.services.platform.access_log import ACTIONS
from app.surface import NOTHING, Refusal, attempt

AUDIT_ROLES = ("auditor", "platform_admin")


@bp.route("/access-log")
@role_required(*AUDIT_ROLES)
def access_log():
    """The access log's entries, newest first, with filters (GET: no personal data typed)."""
    page = attempt(access_views.entries, current_principal(), request.args, again=_page)
    return _page(page=page)


def _page(refused: Refusal = NOTHING, page=None):
    params = {k: request.args.get(k, "") for k in access_views.FILTERS}
    return render_template("audit/access_log.html", page=page, params=params,
                           actions=ACTIONS, words=labels.ACCESS_ACTIONS,
                           errors=refused.fields, message=refused.message), refused.status
