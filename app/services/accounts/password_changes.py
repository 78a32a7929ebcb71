"""Setting a password and what follows: a one-time link used (first password, reset), the
logged-in user's change, a reset requested. Each ends every session of the user (the policy,
hashing and links themselves are :mod:`passwords`)."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import select, update

from app.errors import Gone
from app.extensions import db
from app.models import AccountToken, User
from app.models.base import utcnow
from app.services.accounts import notify, passwords, sessions
from app.services.accounts.formdata import Fields
from app.services.platform import audit, ratelimit


def use_link(token: str, purpose: str, data: dict) -> User:
    """Set the password of the link's user (once); ends all of their sessions.

    :raises Gone: see :func:`live_link` (also when used concurrently).
    :raises ValidationFailed: the password breaks the policy or the confirmation differs.
    """
    link = passwords.live_link(token, purpose)
    user = link.user
    fields = Fields(data)
    password = passwords.read_new_password(fields, user.username, [user.display_name])
    fields.check()
    claimed = db.session.execute(update(AccountToken).where(
        AccountToken.id == link.id, AccountToken.used_at.is_(None)).values(used_at=utcnow()))
    if claimed.rowcount != 1:
        raise Gone(passwords.LINK_GONE, code="link_gone")
    passwords.set_password(user, password)
    sessions.revoke_all(user.id)
    audit.record(None, f"user:{user.id}", f"password.{'set' if purpose == 'invite' else 'reset'}",
                 user_id=user.id)
    db.session.commit()
    return user


def change_password(user: User, data: dict, *, ip: str | None, user_agent: str | None) -> str:
    """Change the logged-in user's password (the current one is required).

    Every session of the user ends; returns the token of a new session for the one that
    made the change. Current-password guesses count against LOGIN_RATE_LIMIT.

    :raises ValidationFailed: wrong current password, policy, confirmation.
    """
    ratelimit.enforce("password-change", str(user.id), current_app.config["LOGIN_RATE_LIMIT"],
                      "登录尝试次数过多（%(limit)s），请 %(seconds)s 秒后再试")
    fields = Fields(data)
    current = fields.text("current_password", 1000, strip=False)
    if current and not passwords.matches(user, current):
        fields.fail("current_password", "当前密码不正确")
    new = passwords.read_new_password(fields, user.username, [user.display_name])
    if new and new == current and "password" not in fields.errors:
        fields.fail("password", "新密码不能与当前密码相同")
    fields.check()
    passwords.set_password(user, new)
    sessions.revoke_all(user.id)
    token = sessions.start(user, ip, user_agent)
    audit.record(None, f"user:{user.id}", "password.changed", user_id=user.id)
    db.session.commit()
    return token


RESET_SMS = ("【智慧星用工】您正在重置账号 %(username)s 的密码，请在%(minutes)s分钟内打开 %(url)s "
             "设置新密码。如非本人操作，请忽略本短信。")


def request_reset(username: str, address: str | None) -> None:
    """Text a reset link to the user's registered phone, when there is such a user.

    The caller answers the same whatever happens here. At most one link a minute per user;
    requests per client address count against PASSWORD_RESET_RATE_LIMIT.
    """
    ratelimit.enforce("password-forgot", address, current_app.config["PASSWORD_RESET_RATE_LIMIT"])
    user = passwords.find_user(username)
    if user is None or not user.active or not user.phone_enc:
        return
    recent = db.session.scalar(select(AccountToken.id).where(
        AccountToken.user_id == user.id, AccountToken.purpose == "reset",
        AccountToken.created_at > utcnow() - timedelta(seconds=60)).limit(1))
    if recent is not None:
        return
    token, minutes = passwords.issue_link(user, "reset")
    notify.queue_sms_to_user(user, RESET_SMS % {"username": user.username, "minutes": minutes,
                                                "url": passwords.link_url("reset", token)})
    audit.record(None, "anonymous", "password.reset_requested", user_id=user.id)
    db.session.commit()
