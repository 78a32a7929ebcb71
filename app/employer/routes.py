"""Employer views: thin wrappers around app.services.contracts.contracts."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_wtf.csrf import CSRFError

from app.auth.access import current_principal, role_required
from app.domain.severance import grounds_for
from app.domain.templates.standard import WAGE_FORMS
from app.domain.terms import FIELD_LABELS, HOURS_SYSTEMS
from app.employer.blueprint import bp
from app.employer.preview import template_form
from app.services.contracts import contract_project, contracts, queries, rules
from app.services.lifecycle import amendment, chain, lifecycle, reminders, termination
from app.services.templates import templates
from app.surface import NOTHING, Refusal, attempt, contract_pdf

EMPLOYER_ROLES = ("employer_admin", "employer_hr")


@bp.route("/contracts/new", methods=["GET", "POST"])
@role_required(*EMPLOYER_ROLES)
def new_contract():
    """The fixed-term form; with ``?template=<id>`` the chosen template's own form."""
    if request.args.get("template"):
        return template_form(request.args["template"])
    if request.method == "GET":
        return _contract_form()
    raw, acks = _typed_form()  # warnings are asked before anything is saved
    contract = attempt(contracts.create_contract, current_principal(), raw, acknowledged=acks,
                       require_acknowledged=True, again=_contract_form)
    flash(gettext("合同已创建，请核对后盖章发送"), "success")
    return redirect(url_for("employer.contract_detail", contract_id=contract.id))


def _typed_form() -> tuple[dict, list[str]]:
    """The form's fields, and the rule ids of the warnings ticked as acknowledged."""
    raw = request.form.to_dict()
    raw.pop("ack", None)
    return raw, request.form.getlist("ack")


def _shown(findings) -> list[dict]:
    """Warnings for the form (none acknowledged yet: each gets its checkbox)."""
    return [rules.finding_out(f) for f in findings]


def _warnings_asked(refused: Refusal) -> list[dict]:
    """The warnings to acknowledge when that is what the refusal asks for."""
    if isinstance(refused.error, rules.WarningsNotAcknowledged):
        return _shown(refused.error.findings)
    return []


@bp.route("/contracts/<int:contract_id>/edit", methods=["GET", "POST"])
@role_required(*EMPLOYER_ROLES)
def edit_contract(contract_id: int):
    """Change a draft: the worker's name, phone and ID number, and every term."""
    contract = queries.contract(current_principal(), contract_id)
    if request.method == "GET":
        return _contract_form(values=contracts.draft_values(contract), contract=contract)
    raw, acks = _typed_form()
    attempt(contracts.update_draft, current_principal(), contract_id, raw, acknowledged=acks,
            require_acknowledged=True,
            again=lambda refused: _contract_form(refused, contract=contract))
    flash(gettext("草稿已保存，请核对后盖章发送"), "success")
    return redirect(url_for("employer.contract_detail", contract_id=contract_id))


def _contract_form(refused: Refusal = NOTHING, *, values=None, contract=None):
    """The contract form: a new one, or a draft's; refused, with what was typed."""
    return render_template("employer/new_contract.html", errors=refused.fields,
                           message=refused.message,
                           values=request.form if values is None else values, contract=contract,
                           labels=FIELD_LABELS, hours=HOURS_SYSTEMS,
                           warnings=_warnings_asked(refused),
                           checked=request.form.getlist("ack"),
                           choices=() if contract else templates.usable(current_principal()),
                           projects=contract_project.joinable(current_principal())), \
        refused.status


@bp.errorhandler(CSRFError)
def csrf_failed(exc: CSRFError):
    """An expired form: show it again with everything typed, nothing saved."""
    message = "页面已过期（安全令牌失效），您填写的内容已保留，请重新提交"
    if request.endpoint == "employer.new_contract" and request.args.get("template"):
        return template_form(request.args["template"], gettext(message))
    if request.endpoint in ("employer.new_contract", "employer.edit_contract"):
        return _contract_form(Refusal(message=gettext(message), status=400))
    flash(message, "error")
    return redirect(request.referrer or url_for("employer.contracts_list"))


@bp.route("/contracts/<int:contract_id>")
@role_required(*EMPLOYER_ROLES)
def contract_detail(contract_id: int):
    return _detail_page(queries.contract(current_principal(), contract_id))


def _detail_page(contract, refused: Refusal = NOTHING, new_link: str | None = None):
    """The contract page; after a refused action, with its message and HTTP status; after
    *复制签署链接*, with the new link shown this once."""
    headers = {"Cache-Control": "no-store"} if new_link else {}
    headers.update(refused.headers)
    error = refused.error
    html = render_template("employer/contract.html", contract=contract,
                           filing=queries.filing_of(contract.id),
                           events=queries.signature_events(contract.id),
                           change=queries.status_change(contract), error=error,
                           chain=chain.chain_rows(contract),
                           reminders=reminders.sent_for(contract.id),
                           in_force=chain.terms_in_force(contract),
                           grounds=grounds_for(contract.template),
                           changeable=amendment.changeable(contract), new_link=new_link,
                           hours_systems=HOURS_SYSTEMS, wage_forms=WAGE_FORMS,
                           reason=request.form.get("reason", "") if error else "",
                           warnings=_shown(error.pending) if isinstance(
                               error, rules.WarningsNotAcknowledged) else rules.warnings_of(contract))
    return html, refused.status, headers


def _detail_again(contract_id: int):
    """The contract page again, with a refused action's message (for :func:`attempt`)."""
    return lambda refused: _detail_page(queries.contract(current_principal(), contract_id),
                                        refused)


@bp.route("/contracts/<int:contract_id>/void", methods=["POST"])
@role_required(*EMPLOYER_ROLES)
def void(contract_id: int):
    attempt(lifecycle.void_contract, current_principal(), contract_id,
            reason=request.form.get("reason", ""), ip=request.remote_addr,
            user_agent=request.user_agent.string, again=_detail_again(contract_id))
    flash(gettext("合同已作废，签署链接已失效"), "success")
    return redirect(url_for("employer.contract_detail", contract_id=contract_id))


@bp.route("/contracts/<int:contract_id>/resend", methods=["POST"])
@role_required(*EMPLOYER_ROLES)
def resend(contract_id: int):
    attempt(lifecycle.resend_link, current_principal(), contract_id,
            again=_detail_again(contract_id))
    flash(gettext("已通过短信重新发送签署链接，原链接已失效"), "success")
    return redirect(url_for("employer.contract_detail", contract_id=contract_id))


@bp.route("/contracts/<int:contract_id>/link", methods=["POST"])
@role_required(*EMPLOYER_ROLES)
def copy_link(contract_id: int):
    """A new signing link shown to HR to copy (no text message); the old one stops working."""
    contract, token = attempt(lifecycle.resend_link, current_principal(), contract_id,
                              sms=False, again=_detail_again(contract_id))
    return _detail_page(contract, new_link=f"{current_app.config['BASE_URL']}/s/{token}")


@bp.route("/contracts/<int:contract_id>/send", methods=["POST"])
@role_required(*EMPLOYER_ROLES)
def send(contract_id: int):
    attempt(contracts.send_contract, current_principal(), contract_id,
            acknowledged=request.form.getlist("ack"), ip=request.remote_addr,
            user_agent=request.user_agent.string, again=_detail_again(contract_id))
    flash(gettext("已盖章并通过短信向劳动者发送签署链接"), "success")
    return redirect(url_for("employer.contract_detail", contract_id=contract_id))


@bp.route("/contracts/<int:contract_id>/pdf")
@role_required(*EMPLOYER_ROLES)
def pdf(contract_id: int):
    return contract_pdf(queries.current_pdf(queries.contract(current_principal(), contract_id)))


@bp.route("/contracts/<int:contract_id>/terminate", methods=["POST"])
@role_required(*EMPLOYER_ROLES)
def terminate(contract_id: int):
    """Draw up, seal and send the termination agreement (解除/终止) of a contract in force."""
    form = request.form
    raw = {"ground": form.get("ground", ""), "last_working_day": form.get("last_working_day", ""),
           "employer_proposed": form.get("employer_proposed") == "1",
           "renewal_refused": form.get("renewal_refused") == "1",
           "handover": form.get("handover", "")}
    doc, _ = attempt(termination.terminate, current_principal(), contract_id, raw,
                     ip=request.remote_addr, user_agent=request.user_agent.string,
                     again=_detail_again(contract_id))
    flash(gettext("解除（终止）协议已盖章并通过短信发送劳动者签署"), "success")
    return redirect(url_for("employer.contract_detail", contract_id=doc.id))


@bp.route("/contracts/<int:contract_id>/amend", methods=["POST"])
@role_required(*EMPLOYER_ROLES)
def amend(contract_id: int):
    """Draw up, seal and send an amendment (变更协议): the terms filled in change, from the
    date given; terms left empty stay as they are."""
    form = request.form
    changes = {name: form.get(name, "").strip() for name in amendment.AMENDABLE
               if form.get(name, "").strip()}
    raw = {"changes": changes, "effective_from": form.get("effective_from", "")}
    doc, _ = attempt(amendment.amend, current_principal(), contract_id, raw,
                     ip=request.remote_addr, user_agent=request.user_agent.string,
                     again=_detail_again(contract_id))
    flash(gettext("变更协议已盖章并通过短信发送劳动者签署"), "success")
    return redirect(url_for("employer.contract_detail", contract_id=doc.id))
