"""Login and logout views."""

from flask import redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from app.auth.blueprint import bp
from app.auth.forms import LoginForm
from app.errors import AppError
from app.models import User
from app.services.accounts import sessions

HOME_BY_ROLE = {"auditor": "audit.search_page", "platform_admin": "audit.search_page"}


def home_for(user: User) -> str:
    """Where a user lands after logging in."""
    return url_for(HOME_BY_ROLE.get(user.role, "employer.contracts_list"))


def client() -> dict:
    """The client's address and user agent, as the session services want them."""
    return {"ip": request.remote_addr, "user_agent": request.user_agent.string}


def begin_session(user: User, token: str) -> None:
    """Log ``user`` in with the server-side session ``token``."""
    login_user(user)
    session[sessions.COOKIE_KEY] = token


@bp.route("/")
def index():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    return redirect(url_for("auth.login"))


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Username and password; refusals name the reason (throttled, deactivated, pending)."""
    form, error, status, headers = LoginForm(), None, 200, {}
    if form.validate_on_submit():
        try:
            user, token = sessions.log_in(form.username.data, form.password.data, **client())
        except AppError as exc:
            error, status = exc.message, exc.status
            if getattr(exc, "retry_after", None):
                headers["Retry-After"] = str(exc.retry_after)
        else:
            begin_session(user, token)
            return redirect(home_for(user))
    elif request.method == "POST":
        status = 422
    return render_template("auth/login.html", form=form, error=error), status, headers


@bp.route("/logout", methods=["POST"])
def logout():
    """End the server-side session (a copied cookie stops working too)."""
    sessions.end(session.pop(sessions.COOKIE_KEY, None))
    logout_user()
    return redirect(url_for("auth.login"))
