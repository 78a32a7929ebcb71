"""Headless set-ups (the CLI): employers and users created by an operator, not by a form.

Everything is validated as in the web forms (USCC check digit, region code, username rule,
phone, password policy, auditor scope) and recorded in the audit trail as ``cli``.
"""

from __future__ import annotations

from sqlalchemy import select

from app.domain.ids import uscc_error
from app.errors import Conflict, NotFound
from app.extensions import db
from app.models import EMPLOYER_ROLES, ROLES, Organization, User
from app.services.accounts import accounts, auditors, passwords, registration, sessions
from app.services.accounts.formdata import Fields
from app.services.platform import audit
from app.services.platform.principal import SYSTEM

TAKEN = "该统一社会信用代码已注册"


def create_organization(data: dict, actor: str = "cli") -> Organization:
    """An approved employer from ``name``, ``uscc``, ``address``, ``legal_rep``, ``region_code``.

    :raises ValidationFailed: a field is missing or wrong.
    :raises Conflict: the USCC is already registered.
    """
    fields = Fields(data)
    name, uscc = fields.text("name", 200), fields.text("uscc", 28).upper()
    if uscc and (problem := uscc_error(uscc)):
        fields.fail("uscc", problem)
    address, legal_rep = fields.text("address", 300), fields.text("legal_rep", 100)
    region = fields.text("region_code", 16)
    if region and not registration.REGION_RE.match(region):
        fields.fail("region_code", "行政区划代码应为6位数字")
    fields.check()
    if db.session.scalar(select(Organization.id).where(Organization.uscc == uscc)):
        raise Conflict(TAKEN, code="uscc_taken", fields={"uscc": TAKEN})
    org = accounts.add_organization(name=name, uscc=uscc, address=address, legal_rep=legal_rep,
                                    region_code=region)
    db.session.flush()
    audit.record(None, actor, "organization.created", organization_id=org.id, uscc=uscc)
    db.session.commit()
    return org


def create_user(data: dict, actor: str = "cli") -> User:
    """A user with a password (policy checked) from ``username``, ``display_name``, ``role``,
    ``password``, and as the role needs ``organization`` (USCC or id), ``phone``,
    ``jurisdiction``, ``employers`` (USCCs).

    :raises ValidationFailed: a field is missing or wrong (named in ``fields``).
    """
    fields = Fields(data)
    username, display_name = accounts.read_username(fields), fields.text("display_name", 100)
    role = fields.text("role", 30)
    if role and role not in ROLES:
        fields.fail("role", "未知角色")
    phone = accounts.read_phone(fields) if data.get("phone") else ""
    org, jurisdiction, employers = None, None, []
    if role in EMPLOYER_ROLES:
        ref = fields.text("organization", 40)
        if ref:
            try:
                org = registration.find_organization(SYSTEM, int(ref) if ref.isdigit() else ref)
            except NotFound:
                fields.fail("organization", "用人单位不存在")
    elif role == "auditor":
        jurisdiction, employers = auditors.read_scope(fields)
    password = passwords.read_new_password(fields, username, [display_name], confirm=None)
    fields.check()
    user = User(username=username, display_name=display_name, role=role, organization=org,
                jurisdiction=jurisdiction, scope_employers=employers)
    passwords.set_password(user, password)
    if phone:
        accounts.set_phone(user, phone)
    db.session.add(user)
    db.session.flush()
    audit.record(None, actor, "user.created", user_id=user.id, username=username, role=role,
                 organization_id=org.id if org else None)
    db.session.commit()
    return user


def deactivate_user(username: str, actor: str = "cli") -> User:
    """Deactivate a user by username; every session ends at once.

    :raises NotFound: no such user.
    :raises Conflict: it is the last active admin of its employer.
    """
    user = db.session.scalar(select(User).where(User.username == username.strip()))
    if user is None:
        raise NotFound("用户不存在", code="user_not_found")
    if user.active:
        if user.role == "employer_admin" and user.organization_id is not None:
            others = db.session.scalar(select(User.id).where(
                User.organization_id == user.organization_id, User.role == "employer_admin",
                User.active.is_(True), User.id != user.id).limit(1))
            if others is None:
                raise Conflict(accounts.LAST_ADMIN, code="last_admin")
        user.active = False
        sessions.revoke_all(user.id)
        audit.record(None, actor, "user.deactivated", user_id=user.id)
        db.session.commit()
    return user
