"""Employer pages: a new contract from a chosen template (the form generated from its field
spec) and the live preview of what is typed (clause text, draft PDF; nothing stored)."""

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale, gettext

from app.auth.access import current_principal, role_required
from app.domain.rules import with_law_fields
from app.employer.blueprint import bp
from app.errors import NotFound, translated_fields, wants_json
from app.models import EMPLOYER_ROLES
from app.services.contracts import contract_preview, contract_project, contracts, rules
from app.services.templates import templates
from app.surface import NOTHING, Refusal, attempt, download


def _typed() -> tuple[dict, list[str]]:
    """The form's fields (CSRF token and acknowledgements left out), and the acks ticked."""
    raw = request.form.to_dict()
    for name in ("ack", "csrf_token"):
        raw.pop(name, None)
    return raw, request.form.getlist("ack")


def template_form(template_id: str, expired: str | None = None):
    """``/employer/contracts/new?template=<id>``: the chosen template's own form; posting it
    creates the contract of that kind (warnings acknowledged first, as the fixed-term form).

    :param expired: the message of a refused CSRF token: the form again, as typed, status 400.
    """
    p = current_principal()
    if not template_id.isdigit():
        raise NotFound(templates.UNKNOWN_TEMPLATE, code="template_not_found")
    template = templates.get(p, int(template_id))
    if expired:
        return _template_contract_form(template.id, Refusal(message=expired, status=400))
    if request.method == "GET":
        return _template_contract_form(template.id)
    raw, acks = _typed()
    raw["template"] = str(template.id)
    contract = attempt(contracts.create_contract, p, raw, acknowledged=acks,
                       require_acknowledged=True,
                       again=lambda refused: _template_contract_form(template.id, refused))
    flash(gettext("合同已创建，请核对后盖章发送"), "success")
    return redirect(url_for("employer.contract_detail", contract_id=contract.id))


def _template_contract_form(template_id: int, refused: Refusal = NOTHING):
    """A template's own contract form, with what was typed; refused, with the fields named
    (the first one focused) or the warnings to acknowledge."""
    p = current_principal()
    template = templates.get(p, template_id)
    warnings = [rules.finding_out(f) for f in refused.error.findings] \
        if isinstance(refused.error, rules.WarningsNotAcknowledged) else []
    fields = with_law_fields(template.kind, template.newest.fields)
    first_error = next((f["name"] for f in fields if f["name"] in refused.fields), None)
    return render_template("employer/template_contract.html", template=template, fields=fields,
                           errors=refused.fields, message=refused.message, values=request.form,
                           warnings=warnings, checked=request.form.getlist("ack"),
                           choices=templates.usable(p), first_error=first_error,
                           projects=contract_project.joinable(p)), refused.status


@bp.post("/contracts/preview")
@role_required(*EMPLOYER_ROLES)
def preview():
    """The filled clause text of what the form holds, and what labor law says about it (the
    rule engine's errors and warnings, by field), as an HTML fragment (nothing stored)."""
    raw, _ = _typed()
    version, clauses, errors, findings = contract_preview.clause_text(current_principal(), raw)
    english = str(get_locale()) == "en" and contract_preview.english_text(current_principal(), raw)
    return render_template("employer/_preview.html", title=version.template.title,
                           clauses=clauses, errors=translated_fields(errors), english=english,
                           findings=[rules.finding_out(f) for f in findings])


@bp.post("/contracts/preview.pdf")
@role_required(*EMPLOYER_ROLES)
def preview_pdf():
    """The draft PDF of what the form holds, rendered and not stored; bad input is a 422
    naming the fields (JSON or a page, as the client asks)."""
    raw, _ = _typed()
    pdf = attempt(contract_preview.draft_pdf, current_principal(), raw, again=_preview_refused)
    return download(pdf, "application/pdf", "preview.pdf", inline=True)


def _preview_refused(refused: Refusal):
    """The fields to correct: JSON for the page's script, else a page."""
    if wants_json():
        return jsonify(refused.error.to_dict()), refused.status
    return render_template("employer/preview_errors.html", message=refused.message,
                           errors=refused.fields), refused.status
