"""Forgotten passwords and one-time set-password links (invitations and resets).

The token is a path segment (``/password/set/<token>``, ``/password/reset/<token>``) so that
access logs can redact it by path; it never appears in a query string.
"""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.auth.blueprint import bp
from app.errors import Gone
from app.services.accounts import password_changes, passwords
from app.surface import NOTHING, Refusal, attempt

PURPOSES = {"set": "invite", "reset": "reset"}


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    """Ask for a reset link; the answer is the same whether or not the username exists."""
    if request.method == "POST":
        password_changes.request_reset(request.form.get("username", ""), request.remote_addr)
        return render_template("auth/forgot.html", sent=True, username="")
    return render_template("auth/forgot.html", sent=False, username="")


@bp.route("/password/<any(set, reset):kind>/<token>", methods=["GET", "POST"])
def password_link(kind: str, token: str):
    """Choose a password through a one-time link (it works once, then the user logs in)."""
    purpose = PURPOSES[kind]
    link = attempt(passwords.live_link, token, purpose, again=_gone)
    if request.method == "GET":
        return _set_page(kind, link.user)
    attempt(password_changes.use_link, token, purpose, request.form.to_dict(),
            again=lambda refused: _set_page(kind, link.user, refused))
    flash(_("密码已设置，请使用新密码登录"), "success")
    return redirect(url_for("auth.login"))


def _gone(refused: Refusal):
    return render_template("auth/link_gone.html", message=refused.message), refused.status


def _set_page(kind: str, user, refused: Refusal = NOTHING):
    """The form choosing a password; a link that went in the meantime says so instead."""
    if isinstance(refused.error, Gone):
        return _gone(refused)
    return render_template("auth/set_password.html", kind=kind, user=user, errors=refused.fields,
                           message=refused.message), refused.status
