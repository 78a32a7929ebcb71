"""Platform admin views: issued certificates and their revocation."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.admin.blueprint import bp
from app.auth.access import role_required
from app.errors import AppError
from app.services.platform import revocation
from app.surface import NOTHING, Refusal, attempt

ADMIN_ROLES = ("platform_admin",)


def _list_page(search: str, refused: Refusal = NOTHING):
    try:
        rows = revocation.issued_certificates(search)
    except AppError as exc:  # a malformed serial searched for: said above an empty list
        rows, refused = [], Refusal.of(exc)
    return render_template("admin/certificates.html", rows=rows, search=search,
                           message=refused.message, reasons=revocation.REASONS), refused.status


@bp.get("/certificates")
@role_required(*ADMIN_ROLES)
def certificates():
    """Issued event certificates with a search by serial number."""
    return _list_page(request.args.get("serial", "").strip())


@bp.post("/certificates/<serial>/revoke")
@role_required(*ADMIN_ROLES)
def revoke(serial: str):
    """Revoke one certificate (reason from the form); the CRL is re-signed at once."""
    done = attempt(revocation.revoke, serial, request.form.get("reason", ""),
                   actor=f"user:{current_user.id}", again=lambda refused: _list_page("", refused))
    text = _("证书已吊销，证书吊销列表已更新") if done.created else _("该证书此前已被吊销")
    flash(f"{text}：{done.serial}", "success")
    return redirect(url_for("admin.certificates", serial=done.serial))
