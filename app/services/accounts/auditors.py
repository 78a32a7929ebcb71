"""Platform admins manage auditors (labor inspectors, arbitrators) and their scopes.

An auditor's scope is a jurisdiction (region-code prefix, 2–6 digits) and/or a list of named
employers (by USCC); an auditor always has at least one of the two. New auditors get a
one-time set-password link by SMS.
"""

from __future__ import annotations

import re
import secrets

from sqlalchemy import select

from app.errors import NotFound
from app.extensions import db
from app.models import Organization, User
from app.services.accounts import accounts, passwords, sessions
from app.services.accounts.formdata import Fields
from app.services.accounts.registration import require_platform
from app.services.platform import audit
from app.services.platform.principal import Principal

JURISDICTION_RE = re.compile(r"^[0-9]{2,6}$")
SPLIT_RE = re.compile(r"[\s,，;；]+")
NO_SCOPE = "请填写管辖区域或指定用人单位（至少一项）"
UNKNOWN_EMPLOYER = "其中有未注册的统一社会信用代码，请核对"


def auditors(p: Principal) -> list[User]:
    """Every auditor, by name."""
    require_platform(p)
    return list(db.session.scalars(select(User).where(User.role == "auditor")
                                   .order_by(User.display_name, User.id)))


def auditor(p: Principal, user_id: int) -> User:
    """One auditor.

    :raises NotFound: no auditor with this id.
    """
    require_platform(p)
    user = db.session.scalar(select(User).where(User.id == user_id, User.role == "auditor"))
    if user is None:
        raise NotFound("监察员不存在", code="auditor_not_found")
    return user


def read_scope(fields: Fields) -> tuple[str | None, list[Organization]]:
    """The jurisdiction and named employers typed in ``fields`` (at least one of them)."""
    jurisdiction = fields.text("jurisdiction", 6 + 10, required=False)
    if jurisdiction and not JURISDICTION_RE.match(jurisdiction):
        fields.fail("jurisdiction", "管辖区域应为2至6位数字的行政区划代码前缀")
    text = fields.text("employers", 20000, required=False)
    codes = [c.upper() for c in SPLIT_RE.split(text) if c]
    found = {o.uscc: o for o in db.session.scalars(
        select(Organization).where(Organization.uscc.in_(codes)))} if codes else {}
    unknown = [c for c in codes if c not in found]
    if unknown:
        fields.fail("employers", UNKNOWN_EMPLOYER)
    if not jurisdiction and not codes and "jurisdiction" not in fields.errors:
        fields.fail("jurisdiction", NO_SCOPE)
    return jurisdiction or None, list(dict.fromkeys(found[c] for c in codes if c in found))


def create_auditor(p: Principal, data: dict) -> User:
    """Add an auditor with a scope; they get a one-time set-password link by SMS.

    :raises ValidationFailed: fields missing or wrong, or no scope at all.
    """
    require_platform(p)
    fields = Fields(data)
    display_name = fields.text("display_name", 100)
    phone, username = accounts.read_phone(fields), accounts.read_username(fields)
    jurisdiction, employers = read_scope(fields)
    fields.check()
    user = User(username=username, display_name=display_name, role="auditor",
                jurisdiction=jurisdiction, scope_employers=employers)
    passwords.set_password(user, secrets.token_urlsafe(32))
    accounts.set_phone(user, phone)
    db.session.add(user)
    db.session.flush()
    accounts.send_invitation(user, "平台管理员")
    audit.record(None, p.actor, "auditor.created", user_id=user.id, username=username,
                 jurisdiction=jurisdiction, employers=[o.uscc for o in employers])
    db.session.commit()
    return user


def update_scope(p: Principal, user_id: int, data: dict) -> User:
    """Replace an auditor's jurisdiction and named employers (at least one stays)."""
    user = auditor(p, user_id)
    fields = Fields(data)
    jurisdiction, employers = read_scope(fields)
    fields.check()
    audit.record(None, p.actor, "auditor.scope_changed", user_id=user.id,
                 old={"jurisdiction": user.jurisdiction,
                      "employers": [o.uscc for o in user.scope_employers]},
                 new={"jurisdiction": jurisdiction, "employers": [o.uscc for o in employers]})
    user.jurisdiction, user.scope_employers = jurisdiction, employers
    db.session.commit()
    return user


def set_auditor_active(p: Principal, user_id: int, active: bool) -> User:
    """Deactivate (sessions end at once) or reactivate an auditor."""
    user = auditor(p, user_id)
    if user.active != active:
        user.active = active
        if not active:
            sessions.revoke_all(user.id)
        audit.record(None, p.actor, "auditor.deactivated" if not active else "auditor.reactivated",
                     user_id=user.id)
        db.session.commit()
    return user
