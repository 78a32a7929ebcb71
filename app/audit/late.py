"""``/audit/late-filings``: registrations and deregistrations filed after their deadline
(FILING_REGISTER_DAYS / FILING_DEREGISTER_DAYS, per region), within the auditor's scope."""

from __future__ import annotations

from flask import render_template, request

from app.audit.blueprint import bp
from app.auth.access import current_principal, role_required
from app.services.exports import late
from app.surface import NOTHING, Refusal, attempt

AUDIT_ROLES = ("auditor", "platform_admin")


@bp.route("/late-filings")
@role_required(*AUDIT_ROLES)
def late_filings():
    """Late filings of a period of filing dates (default the last 90 days), oldest first."""
    start, end, rows = attempt(late.late_page, current_principal(), request.args, again=_page)
    return _page(start=start.isoformat(), end=end.isoformat(), rows=rows)


def _page(refused: Refusal = NOTHING, start: str = "", end: str = "", rows=None):
    return render_template("exports/late.html", rows=rows,
                           start=request.args.get("from", start), end=request.args.get("to", end),
                           errors=refused.fields, message=refused.message), refused.status
