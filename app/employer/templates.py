"""Employer pages: the templates the employer may use, copying a standard one with own
clauses, and editing the own clauses of a copy (each save a new version)."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext

from app.auth.access import current_principal, role_required
from app.employer.blueprint import bp
from app.models import EMPLOYER_ROLES
from app.services.templates import template_copies, templates
from app.surface import NOTHING, Refusal, attempt

OWN_SLOTS = 3  # empty own-clause rows offered on the form


def _clauses(form) -> list[dict]:
    """The own clauses typed into the form (rows left empty are skipped)."""
    rows = []
    for i in range(OWN_SLOTS + 20):
        heading, text = form.get(f"heading.{i}", ""), form.get(f"text.{i}", "")
        if heading.strip() or text.strip():
            rows.append({"heading": heading, "text": text})
    return rows


@bp.get("/templates")
@role_required(*EMPLOYER_ROLES)
def templates_list():
    """Standard templates and the employer's own copies."""
    return render_template("employer/templates.html",
                           templates=templates.usable(current_principal()))


@bp.route("/templates/<int:template_id>", methods=["GET", "POST"])
@role_required(*EMPLOYER_ROLES)
def template_page(template_id: int):
    """A standard template (posting copies it with own clauses) or an own copy (posting
    publishes a new version with the own clauses typed)."""
    p = current_principal()
    template = templates.get(p, template_id)
    if request.method == "GET":
        return _template_page(template)

    def again(refused: Refusal):
        return _template_page(templates.get(p, template_id), refused)

    if template.organization_id is None:
        template = attempt(template_copies.copy_template, p, template_id, _clauses(request.form),
                           again=again)
        flash(gettext("已复制为本单位模板"), "success")
    else:
        attempt(template_copies.set_own_clauses, p, template_id, _clauses(request.form),
                again=again)
        flash(gettext("已发布新版本"), "success")
    return redirect(url_for("employer.template_page", template_id=template.id))


def _template_page(template, refused: Refusal = NOTHING):
    own = [c for c in template.newest.clauses if c.get("own")]
    return render_template("employer/template.html", template=template, own=own,
                           slots=len(own) + OWN_SLOTS, errors=refused.fields,
                           message=refused.message,
                           form=request.form if refused else None), refused.status
