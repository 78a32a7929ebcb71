"""Account views: thin wrappers around app.services.accounts.accounts, apikeys and passwords."""

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app.account.blueprint import bp
from app.auth.access import role_required
from app.auth.routes import client
from app.services.accounts import accounts, apikeys, password_changes, sessions
from app.services.lifecycle import reminders
from app.services.platform.principal import of_user
from app.surface import NOTHING, Refusal, attempt

ROLE_CHOICES = {"employer_admin": _l("单位管理员"), "employer_hr": _l("人事专员")}
NO_STORE = {"Cache-Control": "no-store"}


def _me():
    return of_user(current_user)


def _users_page(refused: Refusal = NOTHING):
    """The users page; after a refused invitation with the problems and what was typed."""
    return render_template("account/users.html", users=accounts.employer_users(_me()),
                           roles=ROLE_CHOICES, errors=refused.fields, message=refused.message,
                           values=request.form if refused.fields else {}), refused.status, NO_STORE


def _users_banner(refused: Refusal):
    """The users page with why a change to a listed user was refused (the invitation form
    below is not the one that was submitted: it stays empty)."""
    return _users_page(refused.banner_only())


@bp.get("/users")
@role_required("employer_admin")
def users():
    """The employer's users and the invitation form."""
    return _users_page()


@bp.post("/users")
@role_required("employer_admin")
def invite():
    """Invite a user: they get a one-time set-password link by SMS."""
    user = attempt(accounts.invite_user, _me(), request.form.to_dict(), again=_users_page)
    flash(_("邀请短信已发送至 %(phone)s", phone=user.phone_masked), "success")
    return redirect(url_for("account.users"))


@bp.post("/users/<int:user_id>/role")
@role_required("employer_admin")
def change_role(user_id: int):
    """Make a user an admin or an HR user."""
    attempt(accounts.change_role, _me(), user_id, request.form.to_dict(), again=_users_banner)
    flash(_("角色已更新"), "success")
    return redirect(url_for("account.users"))


@bp.post("/users/<int:user_id>/<any(deactivate, reactivate):action>")
@role_required("employer_admin")
def set_active(user_id: int, action: str):
    """Deactivate (their sessions end at once) or reactivate a user."""
    attempt(accounts.set_user_active, _me(), user_id, action == "reactivate",
            again=_users_banner)
    flash(_("账号已停用") if action == "deactivate" else _("账号已恢复"), "success")
    return redirect(url_for("account.users"))


def _keys_page(refused: Refusal = NOTHING, new_secret: str | None = None, status: int = 200):
    return render_template("account/keys.html", keys=apikeys.keys(_me()), new_secret=new_secret,
                           errors=refused.fields, message=refused.message,
                           values=request.form if refused.fields else {}), \
        refused.status if refused else status, NO_STORE


@bp.get("/keys")
@role_required("employer_admin")
def keys():
    """The employer's API keys: name, prefix, created, last used, revoked."""
    return _keys_page()


@bp.post("/keys")
@role_required("employer_admin")
def create_key():
    """Create a key; its secret is shown on this one answer only."""
    _, secret = attempt(apikeys.create, _me(), request.form.to_dict(), again=_keys_page)
    return _keys_page(new_secret=secret, status=201)


@bp.post("/keys/<int:key_id>/revoke")
@role_required("employer_admin")
def revoke_key(key_id: int):
    """Revoke a key: it stops working at once."""
    attempt(apikeys.revoke, _me(), key_id, again=lambda refused: _keys_page(refused.banner_only()))
    flash(_("接口密钥已吊销"), "success")
    return redirect(url_for("account.keys"))


def _reminders_page(refused: Refusal = NOTHING):
    days = reminders.employer_schedule(_me())
    shown = request.form if refused.fields else {"reminder_days": ", ".join(str(d) for d in days)}
    return render_template("account/reminders.html", days=days,
                           errors=refused.fields, message=refused.message, values=shown,
                           default=reminders.DEFAULT_DAYS), refused.status


@bp.route("/reminders", methods=["GET", "POST"])
@role_required("employer_admin")
def reminder_settings():
    """On which days after sending workers who have not signed are reminded (催签)."""
    if request.method == "GET":
        return _reminders_page()
    attempt(reminders.set_schedule, _me(), request.form.get("reminder_days", ""),
            again=_reminders_page)
    flash(_("催签提醒设置已保存"), "success")
    return redirect(url_for("account.reminder_settings"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    """Change one's own password; every other session of the user ends."""
    if request.method == "GET":
        return _password_page()
    token = attempt(password_changes.change_password, current_user._get_current_object(),
                    request.form.to_dict(), **client(), again=_password_page)
    session[sessions.COOKIE_KEY] = token
    flash(_("密码已修改，其他设备上的登录已退出"), "success")
    return redirect(url_for("account.password"))


def _password_page(refused: Refusal = NOTHING):
    return render_template("account/password.html", errors=refused.fields,
                           message=refused.message), refused.status
