"""Platform admin views: the standard templates and publishing a new version of one."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.admin.blueprint import bp
from app.auth.access import role_required
from app.services.platform.principal import of_user
from app.services.templates import template_publishing as service
from app.services.templates import templates
from app.surface import NOTHING, Refusal, attempt


@bp.get("/templates")
@role_required("platform_admin")
def templates_list():
    """The standard templates with their versions."""
    return render_template("admin/templates.html",
                           templates=templates.usable(of_user(current_user)))


def _edit_page(template_id: int, refused: Refusal = NOTHING):
    return render_template("admin/template.html", template=service.standard(template_id),
                           errors=refused.fields, message=refused.message,
                           values=request.form if refused else {}), refused.status


@bp.route("/templates/<int:template_id>", methods=["GET", "POST"])
@role_required("platform_admin")
def edit_template(template_id: int):
    """The newest version's clause texts; posting them publishes a new version."""
    if request.method == "GET":
        return _edit_page(template_id)
    version = attempt(service.publish, of_user(current_user), template_id, request.form.to_dict(),
                      again=lambda refused: _edit_page(template_id, refused))
    flash(_("已发布第 %(number)s 版", number=version.number), "success")
    return redirect(url_for("admin.templates_list"))
