"""``/audit/late-filings``: registrations and deregistrations filed after their deadline
(FILING_REGISTER_DAYS / FILING_DEREGISTER_DAYS, per region), within the auditor's scope,
selected and paged by the database (``page``, 100 a page)."""

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
    found = attempt(late.late_page, current_principal(), request.args, again=_page)
    return _page(start=found.start.isoformat(), end=found.end.isoformat(), found=found)


def _page(refused: Refusal = NOTHING, start: str = "", end: str = "", found=None):
    return render_template("audit/late.html", found=found, rows=found.rows if found else None,
                           start=request.args.get("from", start), end=request.args.get("to", end),
                           errors=refused.fields, message=refused.message), refused.status
