"""Platform admin views: auditors and their scopes (jurisdiction and/or named employers)."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.admin.blueprint import bp
from app.auth.access import role_required
from app.services.accounts import auditors as service
from app.services.platform.principal import of_user
from app.surface import NOTHING, Refusal, attempt


def _me():
    return of_user(current_user)


def _list(refused: Refusal = NOTHING):
    return render_template("admin/auditors.html", rows=service.auditors(_me()),
                           errors=refused.fields, message=refused.message,
                           values=request.form if refused.fields else {}), refused.status


@bp.get("/auditors")
@role_required("platform_admin")
def auditors():
    """Every auditor with their scope, and the form to add one."""
    return _list()


@bp.post("/auditors")
@role_required("platform_admin")
def create_auditor():
    """Add an auditor; they get a one-time set-password link by SMS."""
    user = attempt(service.create_auditor, _me(), request.form.to_dict(), again=_list)
    flash(_("监察员已创建，设置密码的短信已发送至 %(phone)s", phone=user.phone_masked), "success")
    return redirect(url_for("admin.auditors"))


def _edit_page(user, refused: Refusal = NOTHING):
    values = request.form if refused.fields else {
        "jurisdiction": user.jurisdiction or "",
        "employers": "\n".join(o.uscc for o in user.scope_employers)}
    return render_template("admin/auditor.html", user=user, errors=refused.fields,
                           message=refused.message, values=values), refused.status


@bp.route("/auditors/<int:user_id>", methods=["GET", "POST"])
@role_required("platform_admin")
def edit_auditor(user_id: int):
    """Show and replace an auditor's scope."""
    user = service.auditor(_me(), user_id)
    if request.method == "GET":
        return _edit_page(user)
    attempt(service.update_scope, _me(), user_id, request.form.to_dict(),
            again=lambda refused: _edit_page(service.auditor(_me(), user_id), refused))
    flash(_("监察范围已更新"), "success")
    return redirect(url_for("admin.edit_auditor", user_id=user_id))


@bp.post("/auditors/<int:user_id>/<any(deactivate, reactivate):action>")
@role_required("platform_admin")
def set_auditor_active(user_id: int, action: str):
    """Deactivate (sessions end at once) or reactivate an auditor."""
    service.set_auditor_active(_me(), user_id, action == "reactivate")
    flash(_("账号已停用") if action == "deactivate" else _("账号已恢复"), "success")
    return redirect(url_for("admin.auditors"))
