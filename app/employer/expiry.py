"""Employer pages for contracts nearing their end: the expiring list and renewal (续订)."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext

from app.auth.access import current_principal, role_required
from app.domain.expiry import WINDOW_DAYS
from app.employer.blueprint import bp
from app.services.lifecycle import expiry, renewal
from app.surface import NOTHING, Refusal, attempt

EMPLOYER_ROLES = ("employer_admin", "employer_hr")


@bp.route("/contracts/expiring")
@role_required(*EMPLOYER_ROLES)
def expiring_contracts():
    """Contracts in force ending within WINDOW_DAYS days, soonest first."""
    return _expiring_page()


def _expiring_page(refused: Refusal = NOTHING):
    html = render_template("employer/expiring.html", items=expiry.expiring_contracts(
        current_principal()), window=WINDOW_DAYS, error=refused.error)
    return html, refused.status


def _renewal_refused(refused: Refusal):
    """The expiring list with the reason; a contract the employer cannot see stays the app's
    404 (nothing revealed)."""
    if refused.status == 404:
        raise refused.error
    return _expiring_page(refused)


@bp.route("/contracts/<int:contract_id>/renew", methods=["POST"])
@role_required(*EMPLOYER_ROLES)
def renew(contract_id: int):
    """One click: create (or open) the renewal draft and show it in the edit form."""
    draft, created = attempt(renewal.renew_contract, current_principal(), contract_id,
                             again=_renewal_refused)
    if created:
        flash(gettext("已生成续订合同草稿（无试用期），请核对后保存，再盖章发送"), "success")
    else:
        flash(gettext("该合同已有续订合同，已为您打开"), "success")
    if draft.status == "draft":
        return redirect(url_for("employer.edit_contract", contract_id=draft.id))
    return redirect(url_for("employer.contract_detail", contract_id=draft.id))
