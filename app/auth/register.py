"""Employer self-registration (public)."""

from flask import render_template, request
from flask_babel import gettext
from flask_wtf.csrf import CSRFError

from app.auth.blueprint import bp
from app.extensions import csrf
from app.services.accounts import registration
from app.surface import NOTHING, Refusal, attempt

SECRET_FIELDS = ("password", "password_confirm")
EXPIRED = "页面已过期（安全令牌失效），您填写的内容已保留，请重新提交"


def kept_values() -> dict:
    """What the user typed, except passwords (shown again after a refused submission)."""
    return {k: v for k, v in request.form.items() if k not in SECRET_FIELDS}


def _form(refused: Refusal = NOTHING):
    return render_template("auth/register.html", errors=refused.fields, message=refused.message,
                           values=kept_values()), refused.status


@bp.route("/register", methods=["GET", "POST"])
@csrf.exempt  # checked below, so that an expired form comes back with what was typed
def register():
    """The registration form; on success the employer waits for a platform admin's review."""
    if request.method == "GET":
        return _form()
    try:
        csrf.protect()
    except CSRFError:
        return _form(Refusal(message=gettext(EXPIRED), status=400))
    org = attempt(registration.register_employer, request.form.to_dict(), ip=request.remote_addr,
                  again=_form)
    return render_template("auth/registered.html", org=org), 201
