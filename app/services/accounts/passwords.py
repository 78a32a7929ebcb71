"""Password policy, hashing, constant-time password checks and one-time account links.

The use cases that set a password and end the user's sessions (a link used, a change, a
reset requested) are in :mod:`password_changes`, above the login sessions that they end.

Policy (every place a password is set: registration, invitation, reset, change, CLI): at least
10 characters, not only digits, not containing the username, and not guessable — zxcvbn's
estimate (its dictionaries include the 30,000 most common passwords, names and keyboard
patterns) must reach score 2 with the user's own details as hints.

One-time links (``invite``: first password, ``reset``: forgotten password) carry a random
token; only its SHA-256 is stored; a link works once and expires (INVITE_LINK_HOURS,
RESET_LINK_MINUTES). Setting a password ends every session of the user.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import timedelta
from functools import lru_cache

from flask import current_app
from sqlalchemy import select, update
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

from app.errors import Gone
from app.extensions import db
from app.models import AccountToken, User
from app.models.base import utcnow
from app.pii import token_hash
from app.services.accounts.formdata import Fields

MIN_LENGTH, MAX_LENGTH, MIN_SCORE = 10, 128, 2
TOO_SHORT = "密码至少需要10个字符"
TOO_LONG = "密码不能超过128个字符"
ALL_DIGITS = "密码不能全部是数字"
HAS_USERNAME = "密码不能包含用户名"
GUESSABLE = "密码过于常见或容易猜到，请使用更长、更不规律的密码"
MISMATCH = "两次输入的密码不一致"
LINK_GONE = "链接无效、已使用或已过期，请重新获取"


def policy_error(password: str, username: str = "", hints: Iterable[str] = ()) -> str | None:
    """Why ``password`` may not be used (a message), or None when it may."""
    if len(password) < MIN_LENGTH:
        return TOO_SHORT
    if len(password) > MAX_LENGTH:
        return TOO_LONG
    if password.isdigit():
        return ALL_DIGITS
    if username and username.lower() in password.lower():
        return HAS_USERNAME
    inputs = [h for h in (username, *hints) if h]
    if zxcvbn(password, user_inputs=inputs)["score"] < MIN_SCORE:
        return GUESSABLE
    return None


def read_new_password(fields: Fields, username: str, hints: Iterable[str] = (),
                      name: str = "password", confirm: str | None = "password_confirm") -> str:
    """The new password typed in ``fields`` (policy checked, confirmation compared)."""
    password = fields.text(name, 1000, strip=False)
    if password and (problem := policy_error(password, username, hints)):
        fields.fail(name, problem)
    if confirm is not None and password != fields.text(confirm, 1000, required=False, strip=False):
        fields.fail(confirm, MISMATCH)
    return password


def hash_password(password: str) -> str:
    """A salted hash of ``password`` by the app's PASSWORD_HASH_METHOD (scrypt N=2^15)."""
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def set_password(user: User, password: str) -> None:
    """Store a salted hash of ``password`` on ``user`` (part of the caller's transaction)."""
    user.password_hash = hash_password(password)


def matches(user: User, password: str) -> bool:
    """True when ``password`` is the user's (the stored hash names its own method)."""
    return check_password_hash(user.password_hash, password)


@lru_cache(maxsize=4)
def _dummy_hash(method: str) -> str:
    return generate_password_hash(secrets.token_urlsafe(16), method=method)


def verify(user: User | None, password: str) -> bool:
    """Check ``password``; without a user a dummy hash is checked so both take as long."""
    if user is None:
        check_password_hash(_dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]), password)
        return False
    return matches(user, password)


def issue_link(user: User, purpose: str) -> tuple[str, int]:
    """A new one-time token for ``user`` (earlier unused ones of ``purpose`` stop working).

    Part of the caller's transaction. Returns the token and its lifetime in minutes.
    """
    now = utcnow()
    minutes = (current_app.config["INVITE_LINK_HOURS"] * 60 if purpose == "invite"
               else current_app.config["RESET_LINK_MINUTES"])
    db.session.execute(update(AccountToken).where(
        AccountToken.user_id == user.id, AccountToken.purpose == purpose,
        AccountToken.used_at.is_(None)).values(used_at=now))
    token = secrets.token_urlsafe(32)
    db.session.add(AccountToken(user_id=user.id, purpose=purpose, token_hash=token_hash(token),
                                created_at=now, expires_at=now + timedelta(minutes=minutes)))
    return token, minutes


def link_url(purpose: str, token: str) -> str:
    """The public address of a one-time link (the token is a path segment, never a query)."""
    kind = "set" if purpose == "invite" else "reset"
    return f"{current_app.config['BASE_URL']}/password/{kind}/{token}"


def live_link(token: str, purpose: str) -> AccountToken:
    """The unused, unexpired token of ``purpose``.

    :raises Gone: unknown, used, expired, or the user was deactivated.
    """
    if not token or len(token) > 100:
        raise Gone(LINK_GONE, code="link_gone")
    found = db.session.scalar(select(AccountToken).where(
        AccountToken.token_hash == token_hash(token), AccountToken.purpose == purpose))
    if (found is None or found.used_at is not None or found.expires_at <= utcnow()
            or not found.user.active):
        raise Gone(LINK_GONE, code="link_gone")
    return found


def find_user(username: str) -> User | None:
    """The user with ``username`` (as typed, or lower-cased), or None."""
    name = (username or "").strip()
    if not name or len(name) > 80:
        return None
    found = db.session.scalars(select(User).where(User.username.in_({name, name.lower()}))).all()
    return next((u for u in found if u.username == name), found[0] if found else None)
