"""Login and logout views."""

from flask import redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from app.auth.blueprint import bp
from app.auth.forms import LoginForm
from app.models import User
from app.services.accounts import sessions
from app.surface import NOTHING, Refusal, attempt

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
    form = LoginForm()
    if form.validate_on_submit():
        user, token = attempt(sessions.log_in, form.username.data, form.password.data,
                              **client(), again=lambda refused: _login_page(form, refused))
        begin_session(user, token)
        return redirect(home_for(user))
    return _login_page(form, status=422 if request.method == "POST" else 200)


def _login_page(form: LoginForm, refused: Refusal = NOTHING, status: int = 200):
    """The login form; a refusal names its reason (and when to retry, if throttled)."""
    return render_template("auth/login.html", form=form, error=refused.message), \
        refused.status if refused else status, refused.headers


@bp.route("/logout", methods=["POST"])
def logout():
    """End the server-side session (a copied cookie stops working too)."""
    sessions.end(session.pop(sessions.COOKIE_KEY, None))
    logout_user()
    return redirect(url_for("auth.login"))
