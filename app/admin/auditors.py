"""Platform admin views: auditors and their scopes (jurisdiction and/or named employers)."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.admin.blueprint import bp
from app.auth.access import role_required
from app.errors import AppError
from app.services.accounts import auditors as service
from app.services.platform.principal import of_user


def _me():
    return of_user(current_user)


def _fields(exc: AppError) -> dict:
    return exc.to_dict().get("fields", {})


def _list(errors: dict | None = None, message: str | None = None, status: int = 200):
    return render_template("admin/auditors.html", rows=service.auditors(_me()),
                           errors=errors or {}, message=message,
                           values=request.form if errors else {}), status


@bp.get("/auditors")
@role_required("platform_admin")
def auditors():
    """Every auditor with their scope, and the form to add one."""
    return _list()


@bp.post("/auditors")
@role_required("platform_admin")
def create_auditor():
    """Add an auditor; they get a one-time set-password link by SMS."""
    try:
        user = service.create_auditor(_me(), request.form.to_dict())
    except AppError as exc:
        return _list(_fields(exc), exc.message, exc.status)
    flash(_("监察员已创建，设置密码的短信已发送至 %(phone)s", phone=user.phone_masked), "success")
    return redirect(url_for("admin.auditors"))


def _edit_page(user, errors: dict | None = None, message: str | None = None, status: int = 200):
    values = request.form if errors else {
        "jurisdiction": user.jurisdiction or "",
        "employers": "\n".join(o.uscc for o in user.scope_employers)}
    return render_template("admin/auditor.html", user=user, errors=errors or {},
                           message=message, values=values), status


@bp.route("/auditors/<int:user_id>", methods=["GET", "POST"])
@role_required("platform_admin")
def edit_auditor(user_id: int):
    """Show and replace an auditor's scope."""
    user = service.auditor(_me(), user_id)
    if request.method == "GET":
        return _edit_page(user)
    try:
        service.update_scope(_me(), user_id, request.form.to_dict())
    except AppError as exc:
        return _edit_page(user, _fields(exc), exc.message, exc.status)
    flash(_("监察范围已更新"), "success")
    return redirect(url_for("admin.edit_auditor", user_id=user_id))


@bp.post("/auditors/<int:user_id>/<any(deactivate, reactivate):action>")
@role_required("platform_admin")
def set_auditor_active(user_id: int, action: str):
    """Deactivate (sessions end at once) or reactivate an auditor."""
    service.set_active(_me(), user_id, action == "reactivate")
    flash(_("账号已停用") if action == "deactivate" else _("账号已恢复"), "success")
    return redirect(url_for("admin.auditors"))
