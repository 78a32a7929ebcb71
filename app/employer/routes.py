"""Employer views: thin wrappers around app.services.contracts."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from app.auth.access import role_required
from app.domain.terms import FIELD_LABELS, HOURS_SYSTEMS
from app.employer import bp
from app.errors import AppError, ValidationFailed
from app.services import contracts, lifecycle, queries

EMPLOYER_ROLES = ("employer_admin", "employer_hr")


def _actor() -> str:
    return f"user:{current_user.id}"


@bp.route("/contracts")
@role_required(*EMPLOYER_ROLES)
def contracts_list():
    items = queries.org_contracts(current_user.organization_id)
    return render_template("employer/contracts.html", contracts=items)


@bp.route("/contracts/new", methods=["GET", "POST"])
@role_required(*EMPLOYER_ROLES)
def new_contract():
    errors, message = {}, None
    if request.method == "POST":
        try:
            contract = contracts.create_contract(current_user.organization, request.form.to_dict(),
                                                 actor=_actor(), user_id=current_user.id)
            flash("合同已创建，请核对后盖章发送", "success")
            return redirect(url_for("employer.contract_detail", contract_id=contract.id))
        except ValidationFailed as exc:
            errors, message = exc.fields, exc.message
    return _contract_form(errors, message, 422 if request.method == "POST" else 200)


def _contract_form(errors: dict, message: str | None, status: int):
    return render_template("employer/new_contract.html", errors=errors, message=message,
                           values=request.form, labels=FIELD_LABELS, hours=HOURS_SYSTEMS), status


@bp.errorhandler(CSRFError)
def csrf_failed(exc: CSRFError):
    """An expired form: show it again with everything typed, nothing saved."""
    message = "页面已过期（安全令牌失效），您填写的内容已保留，请重新提交"
    if request.endpoint == "employer.new_contract":
        return _contract_form({}, message, 400)
    flash(message, "error")
    return redirect(request.referrer or url_for("employer.contracts_list"))


@bp.route("/contracts/<int:contract_id>")
@role_required(*EMPLOYER_ROLES)
def contract_detail(contract_id: int):
    contract = queries.org_contract(current_user.organization_id, contract_id)
    return _detail_page(contract)


def _detail_page(contract, error: AppError | None = None):
    """The contract page; after a refused action, with its message and HTTP status."""
    headers = {}
    if getattr(error, "retry_after", None):
        headers["Retry-After"] = str(error.retry_after)
    html = render_template("employer/contract.html", contract=contract,
                           filing=queries.filing_of(contract.id),
                           events=queries.signature_events(contract.id),
                           change=queries.status_change(contract), error=error,
                           reason=request.form.get("reason", "") if error else "")
    return html, error.status if error else 200, headers


@bp.route("/contracts/<int:contract_id>/void", methods=["POST"])
@role_required(*EMPLOYER_ROLES)
def void(contract_id: int):
    contract = queries.org_contract(current_user.organization_id, contract_id)
    try:
        lifecycle.void_contract(contract, reason=request.form.get("reason", ""), actor=_actor(),
                                ip=request.remote_addr, user_agent=request.user_agent.string)
    except AppError as exc:
        return _detail_page(contract, exc)
    flash(gettext("合同已作废，签署链接已失效"), "success")
    return redirect(url_for("employer.contract_detail", contract_id=contract_id))


@bp.route("/contracts/<int:contract_id>/resend", methods=["POST"])
@role_required(*EMPLOYER_ROLES)
def resend(contract_id: int):
    contract = queries.org_contract(current_user.organization_id, contract_id)
    try:
        lifecycle.resend_link(contract, actor=_actor())
    except AppError as exc:
        return _detail_page(contract, exc)
    flash(gettext("已通过短信重新发送签署链接，原链接已失效"), "success")
    return redirect(url_for("employer.contract_detail", contract_id=contract_id))


@bp.route("/contracts/<int:contract_id>/send", methods=["POST"])
@role_required(*EMPLOYER_ROLES)
def send(contract_id: int):
    contract = queries.org_contract(current_user.organization_id, contract_id)
    contracts.send_contract(contract, actor=_actor(), user_id=current_user.id, via="platform_login",
                            ip=request.remote_addr, user_agent=request.user_agent.string)
    flash("已盖章并通过短信向劳动者发送签署链接", "success")
    return redirect(url_for("employer.contract_detail", contract_id=contract_id))


@bp.route("/contracts/<int:contract_id>/pdf")
@role_required(*EMPLOYER_ROLES)
def pdf(contract_id: int):
    return queries.pdf_response(queries.org_contract(current_user.organization_id, contract_id))
