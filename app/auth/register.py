"""Employer self-registration (public)."""

from flask import render_template, request

from app.auth import bp
from app.errors import AppError
from app.services import jobs, registration

SECRET_FIELDS = ("password", "password_confirm")


def kept_values() -> dict:
    """What the user typed, except passwords (shown again after a refused submission)."""
    return {k: v for k, v in request.form.items() if k not in SECRET_FIELDS}


@bp.route("/register", methods=["GET", "POST"])
def register():
    """The registration form; on success the employer waits for a platform admin's review."""
    errors, message, status = {}, None, 200
    if request.method == "POST":
        try:
            org = registration.register_employer(request.form.to_dict(), ip=request.remote_addr)
        except AppError as exc:
            errors, message, status = exc.to_dict().get("fields", {}), exc.message, exc.status
        else:
            jobs.run_inline()
            return render_template("auth/registered.html", org=org), 201
    return render_template("auth/register.html", errors=errors, message=message,
                           values=kept_values()), status
