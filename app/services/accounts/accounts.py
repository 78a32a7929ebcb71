"""Organizations and users: the CLI/seed helpers and an employer admin's user management.

An employer admin manages only the users of their own employer: another employer's user ids
answer 404 like ids that do not exist; HR users may not manage users at all (403). An
employer always keeps at least one active admin.
"""

from __future__ import annotations

import re
import secrets

from flask import current_app
from sqlalchemy import func, select

from app import pii
from app.domain.ids import mask_phone, phone_error, uscc_error
from app.errors import Conflict, NotFound, ValidationFailed
from app.extensions import db
from app.models import EMPLOYER_ROLES, ROLES, Organization, User
from app.models.base import utcnow
from app.services.accounts import notify, passwords, sessions
from app.services.accounts.formdata import Fields
from app.services.platform import audit, scope
from app.services.platform.principal import Principal

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{2,39}$")
USERNAME_RULE = "用户名为3至40位小写字母、数字或 . _ -，以字母或数字开头"
USERNAME_TAKEN = "该用户名已被使用"
LAST_ADMIN = "单位至少需要保留一名有效的管理员"
INVITE_SMS = ("【智慧星用工】%(org)s邀请您使用智慧星用工电子劳动合同平台，用户名 %(username)s。"
              "请在%(hours)s小时内打开 %(url)s 设置密码。")


def add_organization(*, name: str, uscc: str, address: str, legal_rep: str,
                     region_code: str = "430121", status: str = "approved") -> Organization:
    """Register an employer (USCC checked), approved unless told otherwise; the caller commits."""
    uscc = uscc.strip().upper()
    if problem := uscc_error(uscc):
        raise ValidationFailed(problem, fields={"uscc": problem})
    existing = db.session.scalar(select(Organization).where(Organization.uscc == uscc))
    if existing:
        return existing
    org = Organization(name=name, uscc=uscc, address=address, legal_rep=legal_rep,
                       region_code=region_code, status=status, status_changed_at=utcnow())
    db.session.add(org)
    return org


def add_user(*, username: str, password: str, role: str, display_name: str,
             organization: Organization | None = None, jurisdiction: str | None = None,
             phone: str | None = None) -> User:
    """Create or reset a user (no password policy: seeds and tests); the caller commits."""
    if role not in ROLES:
        raise ValidationFailed("未知角色", fields={"role": "未知角色"})
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        user = User(username=username, role=role, display_name=display_name)
        db.session.add(user)
    user.role, user.display_name, user.organization = role, display_name, organization
    user.jurisdiction = jurisdiction
    if phone:
        set_phone(user, phone)
    passwords.set_password(user, password)
    return user


def set_phone(user: User, phone: str) -> None:
    """Store the user's mobile number encrypted, with its masked form for display."""
    user.phone_enc, user.phone_masked = pii.encrypt(phone), mask_phone(phone)


def read_username(fields: Fields, name: str = "username") -> str:
    """A new, free username from ``fields`` (lower-cased)."""
    username = fields.text(name, 80).lower()
    if username and not USERNAME_RE.match(username):
        fields.fail(name, USERNAME_RULE)
    elif username and db.session.scalar(select(User.id).where(User.username == username)):
        fields.fail(name, USERNAME_TAKEN)
    return username


def read_phone(fields: Fields, name: str = "phone") -> str:
    """A mainland mobile number from ``fields``."""
    phone = fields.text(name, 20).replace(" ", "").replace("-", "")
    if phone and (problem := phone_error(phone)):
        fields.fail(name, problem)
    return phone


def employer_users(p: Principal) -> list[User]:
    """The users of the admin's employer, by name."""
    org_id = scope.administered_organization(p)
    return list(db.session.scalars(select(User).where(User.organization_id == org_id)
                                   .order_by(User.display_name, User.id)))


def employer_user(p: Principal, user_id: int) -> User:
    """One user of the admin's employer.

    :raises NotFound: no such user in this employer (other employers' users look the same).
    """
    org_id = scope.administered_organization(p)
    user = db.session.scalar(select(User).where(User.id == user_id, User.organization_id == org_id,
                                                User.role.in_(EMPLOYER_ROLES)))
    if user is None:
        raise NotFound("用户不存在", code="user_not_found")
    return user


def _read_role(fields: Fields) -> str:
    role = fields.text("role", 30)
    if role and role not in EMPLOYER_ROLES:
        fields.fail("role", "请选择单位管理员或人事专员")
    return role


def invite_user(p: Principal, data: dict) -> User:
    """Add an HR user or admin to the employer and text them a one-time set-password link.

    :raises ValidationFailed: a field is missing or wrong (named in ``fields``).
    """
    org_id = scope.administered_organization(p)
    fields = Fields(data)
    display_name = fields.text("display_name", 100)
    phone, username, role = read_phone(fields), read_username(fields), _read_role(fields)
    fields.check()
    org = db.session.get(Organization, org_id)
    user = User(username=username, display_name=display_name, role=role, organization=org)
    passwords.set_password(user, secrets.token_urlsafe(32))  # unusable until the link is used
    set_phone(user, phone)
    db.session.add(user)
    db.session.flush()
    send_invitation(user, org.name)
    audit.record(None, p.actor, "user.invited", user_id=user.id, username=username, role=role,
                 organization_id=org_id, phone=user.phone_masked)
    db.session.commit()
    return user


def send_invitation(user: User, inviter: str) -> None:
    """Issue the one-time set-password link and queue its SMS (caller's transaction)."""
    token, _ = passwords.issue_link(user, "invite")
    notify.queue_sms_to_user(user, INVITE_SMS % {
        "org": inviter, "username": user.username,
        "hours": current_app.config["INVITE_LINK_HOURS"], "url": passwords.link_url("invite", token)})


def _other_active_admins(user: User) -> int:
    return db.session.scalar(select(func.count(User.id)).where(
        User.organization_id == user.organization_id, User.role == "employer_admin",
        User.active.is_(True), User.id != user.id))


def change_role(p: Principal, user_id: int, data: dict) -> User:
    """Make an employer's user an admin or an HR user (the last active admin stays admin)."""
    user = employer_user(p, user_id)
    fields = Fields(data)
    role = _read_role(fields)
    fields.check()
    if role != user.role:
        if user.role == "employer_admin" and user.active and not _other_active_admins(user):
            raise Conflict(LAST_ADMIN, code="last_admin")
        audit.record(None, p.actor, "user.role_changed", user_id=user.id, old=user.role, new=role)
        user.role = role  # read on every request: applies at once
    db.session.commit()
    return user


def set_user_active(p: Principal, user_id: int, active: bool) -> User:
    """Deactivate (every session ends at once) or reactivate an employer's user."""
    user = employer_user(p, user_id)
    if user.active == active:
        return user
    if not active and user.role == "employer_admin" and not _other_active_admins(user):
        raise Conflict(LAST_ADMIN, code="last_admin")
    user.active = active
    if not active:
        sessions.revoke_all(user.id)
    audit.record(None, p.actor, "user.deactivated" if not active else "user.reactivated",
                 user_id=user.id)
    db.session.commit()
    return user
