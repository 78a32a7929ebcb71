"""Login and logout views."""

from flask import current_app, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from app.auth import bp
from app.auth.forms import LoginForm
from app.extensions import db
from app.models import User
from app.services import ratelimit

HOME_BY_ROLE = {"auditor": "audit.search_page", "platform_admin": "audit.search_page"}


def home_for(user: User) -> str:
    """Where a user lands after logging in."""
    return url_for(HOME_BY_ROLE.get(user.role, "employer.contracts_list"))


@bp.route("/")
def index():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    return redirect(url_for("auth.login"))


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        ratelimit.enforce("login", form.username.data.strip().lower(),
                          current_app.config["LOGIN_RATE_LIMIT"],
                          "登录尝试次数过多（%(limit)s），请 %(seconds)s 秒后再试")
        user = db.session.scalar(select(User).where(User.username == form.username.data.strip()))
        if user and user.active and user.check_password(form.password.data):
            login_user(user)
            return redirect(home_for(user))
        error = "用户名或密码不正确"
    status = 200 if request.method == "GET" or not (error or form.errors) else 422
    return render_template("auth/login.html", form=form, error=error), status


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    return redirect(url_for("auth.login"))
