"""Logging in and server-side login sessions.

A login creates a :class:`UserSession` row; the Flask session cookie carries its random token
(the database keeps only a hash). The user loader accepts the cookie only while the row is
live: not revoked (logout, password change or reset, deactivation, suspension of the employer),
used within SESSION_IDLE_SECONDS and younger than SESSION_MAX_SECONDS.

Login attempts are throttled per (username, client address) and per client address, never per
username alone, so no stranger can lock someone out; a username that does not exist costs the
same password-hash check as one that does.
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError

from app.errors import AppError, Forbidden
from app.extensions import db
from app.models import EMPLOYER_ROLES, Organization, User, UserSession
from app.models.base import utcnow
from app.pii import keyed_hash, token_hash
from app.services.accounts import passwords
from app.services.platform import ratelimit

log = logging.getLogger(__name__)
COOKIE_KEY = "sid"  # the Flask session key holding the session token
TOUCH_EVERY = timedelta(seconds=60)
WRONG = "用户名或密码不正确"
PAIR_MESSAGE = "登录尝试次数过多（%(limit)s），请 %(seconds)s 秒后再试"
ORG_REFUSALS = {
    "pending": "您的单位注册申请正在审核中，审核通过后即可登录",
    "rejected": "您的单位注册申请未通过审核，原因：%(reason)s",
    "suspended": "您的单位已被暂停使用，原因：%(reason)s",
}


class LoginFailed(AppError):
    """Wrong username or password (422, as a form the user should correct)."""

    status, code = 422, "login_failed"


def refusal(user: User) -> AppError | None:
    """Why ``user`` (whose password was right) may not be logged in, or None."""
    if not user.active:
        return Forbidden("该账号已停用，请联系单位管理员", code="account_inactive")
    if user.role in EMPLOYER_ROLES:
        org = user.organization
        if org is None or org.status != "approved":
            status = org.status if org is not None and org.status in ORG_REFUSALS else "suspended"
            return Forbidden(ORG_REFUSALS[status], code=f"organization_{status}",
                             reason=(org.status_reason if org is not None else "") or "—")
    return None


def log_in(username: str, password: str, *, ip: str | None, user_agent: str | None
           ) -> tuple[User, str]:
    """Check the credentials and open a session; returns the user and the session token.

    :raises RateLimited: too many attempts from this address, or for this username from it.
    :raises LoginFailed: unknown username or wrong password (the two look the same).
    :raises Forbidden: the account is deactivated or its employer is not approved.
    """
    config = current_app.config
    name = (username or "").strip()
    ratelimit.enforce("login-address", ip, config["LOGIN_ADDRESS_RATE_LIMIT"])
    ratelimit.enforce("login", f"{name.lower()}\n{ip or 'unknown'}", config["LOGIN_RATE_LIMIT"],
                      PAIR_MESSAGE)
    user = passwords.find_user(name)
    if not passwords.verify(user, password or ""):
        raise LoginFailed(WRONG)
    if problem := refusal(user):
        raise problem
    token = start(user, ip, user_agent)
    db.session.commit()
    return user, token


def start(user: User, ip: str | None, user_agent: str | None) -> str:
    """Add a live session for ``user`` (the caller commits); returns its token."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(UserSession(user_id=user.id, token_hash=token_hash(token), created_at=now,
                               last_seen_at=now, ip_hash=keyed_hash(ip or "", "ip")[:64],
                               user_agent=(user_agent or "")[:200] or None))
    return token


def load(user_id: str, token: str | None) -> User | None:
    """The user of a live session ``token`` belonging to ``user_id``, or None (log in again)."""
    if not token or not isinstance(token, str) or len(token) > 100 or not str(user_id).isdigit():
        return None
    row = db.session.execute(
        select(UserSession, User).join(User, User.id == UserSession.user_id)
        .where(UserSession.token_hash == token_hash(token), UserSession.revoked_at.is_(None))
    ).first()
    if row is None or str(row.User.id) != str(user_id):
        return None
    session, user = row
    now, config = utcnow(), current_app.config
    if (now - session.last_seen_at > timedelta(seconds=config["SESSION_IDLE_SECONDS"])
            or now - session.created_at > timedelta(seconds=config["SESSION_MAX_SECONDS"])
            or refusal(user) is not None):
        return None
    if now - session.last_seen_at > TOUCH_EVERY:
        _touch(session.id, now)
    return user


def _touch(session_id: int, now) -> None:
    """Record use of a session, in its own short transaction (best effort)."""
    try:
        with db.engine.begin() as conn:
            conn.execute(update(UserSession).where(UserSession.id == session_id)
                         .values(last_seen_at=now))
    except SQLAlchemyError:  # pragma: no cover - a busy database only delays the record
        log.warning("could not record the use of session %s", session_id)


def end(token: str | None) -> None:
    """Revoke the session ``token`` (logout) and commit."""
    if token and isinstance(token, str):
        db.session.execute(update(UserSession).where(
            UserSession.token_hash == token_hash(token), UserSession.revoked_at.is_(None))
            .values(revoked_at=utcnow()))
        db.session.commit()


def revoke_all(user_id: int) -> None:
    """Revoke every live session of the user (part of the caller's transaction)."""
    db.session.execute(update(UserSession).where(
        UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow()))


def revoke_organization(org: Organization) -> None:
    """Revoke every live session of the employer's users (part of the caller's transaction)."""
    users = select(User.id).where(User.organization_id == org.id)
    db.session.execute(update(UserSession).where(
        UserSession.user_id.in_(users), UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow()))
