"""Employer self-registration and the platform admin's review of employers.

A self-registered employer starts ``pending`` with its admin user; a platform admin approves
or rejects it (with a reason), and may later suspend and reinstate it (with a reason). The
applicant is told by SMS. Only ``approved`` employers' users log in and their API keys work.
Every decision is recorded in the audit trail.
"""

from __future__ import annotations

import re

from flask import current_app
from sqlalchemy import select

from app.domain.ids import uscc_error
from app.errors import Conflict, Forbidden, NotFound
from app.extensions import db
from app.models import ORG_STATUSES, Organization, User
from app.models.base import utcnow
from app.services.accounts import accounts, notify, passwords, sessions
from app.services.accounts.formdata import Fields
from app.services.platform import audit, ratelimit
from app.services.platform.principal import Principal

REGION_RE = re.compile(r"^[0-9]{6}$")
# action: (statuses it applies to, new status, reason required)
ACTIONS = {
    "approve": (("pending", "rejected"), "approved", False),
    "reject": (("pending",), "rejected", True),
    "suspend": (("approved",), "suspended", True),
    "reinstate": (("suspended",), "approved", True),
}
SMS = {
    "approve": "【智慧星用工】您的单位 %(name)s 的注册申请已通过审核，现在可以登录 %(url)s 使用。",
    "reject": "【智慧星用工】您的单位 %(name)s 的注册申请未通过审核，原因：%(reason)s。",
    "suspend": "【智慧星用工】您的单位 %(name)s 已被平台暂停使用，原因：%(reason)s。",
    "reinstate": "【智慧星用工】您的单位 %(name)s 已恢复使用，现在可以登录 %(url)s。",
}


def register_employer(data: dict, *, ip: str | None) -> Organization:
    """Create a pending employer and its admin from the registration form.

    :raises ValidationFailed: fields missing or wrong (USCC check digit, region, phone,
        username taken, password policy), each named in ``fields``.
    :raises Conflict: an employer with this USCC is already registered.
    :raises RateLimited: too many registrations from this address (REGISTER_RATE_LIMIT).
    """
    ratelimit.enforce("register", ip, current_app.config["REGISTER_RATE_LIMIT"])
    fields = Fields(data)
    name = fields.text("org_name", 200)
    uscc = fields.text("uscc", 18 + 10).upper()
    if uscc and (problem := uscc_error(uscc)):
        fields.fail("uscc", problem)
    address, legal_rep = fields.text("address", 300), fields.text("legal_rep", 100)
    region = fields.text("region_code", 6 + 10)
    if region and not REGION_RE.match(region):
        fields.fail("region_code", "行政区划代码应为6位数字")
    admin_name, phone = fields.text("admin_name", 100), accounts.read_phone(fields, "admin_phone")
    username = accounts.read_username(fields)
    password = passwords.read_new_password(fields, username, [admin_name, name, phone])
    fields.check()
    if db.session.scalar(select(Organization.id).where(Organization.uscc == uscc)):
        raise Conflict("该统一社会信用代码已注册，请联系贵单位管理员或平台客服", code="uscc_taken",
                       fields={"uscc": "该统一社会信用代码已注册"})
    org = Organization(name=name, uscc=uscc, address=address, legal_rep=legal_rep,
                       region_code=region, status="pending", status_changed_at=utcnow())
    admin = User(username=username, display_name=admin_name, role="employer_admin",
                 organization=org)
    passwords.set_password(admin, password)
    accounts.set_phone(admin, phone)
    db.session.add_all([org, admin])
    db.session.flush()
    audit.record(None, "anonymous", "organization.registered", organization_id=org.id,
                 uscc=uscc, admin_user_id=admin.id)
    db.session.commit()
    return org


def require_platform(p: Principal) -> None:
    """:raises Forbidden: ``p`` is neither a platform admin nor the system (CLI)."""
    if not (p.is_platform_admin or p.kind == "system"):
        raise Forbidden("只有平台管理员可以审核用人单位")


def organizations(p: Principal, status: str = "") -> list[Organization]:
    """Employers, newest first, optionally only those with ``status``."""
    require_platform(p)
    query = select(Organization).order_by(Organization.created_at.desc(), Organization.id.desc())
    if status in ORG_STATUSES:
        query = query.where(Organization.status == status)
    return list(db.session.scalars(query))


def find_organization(p: Principal, ref: int | str) -> Organization:
    """An employer by id or by USCC.

    :raises NotFound: no such employer.
    """
    require_platform(p)
    column = Organization.id if isinstance(ref, int) else Organization.uscc
    value = ref if isinstance(ref, int) else str(ref).strip().upper()
    org = db.session.scalar(select(Organization).where(column == value))
    if org is None:
        raise NotFound("用人单位不存在", code="organization_not_found")
    return org


def decide(p: Principal, ref: int | str, action: str, reason: str = "") -> Organization:
    """Approve, reject, suspend or reinstate an employer; its admins are told by SMS.

    Suspending ends every session of the employer's users at once.

    :raises ValidationFailed: a reason is required and missing (or too long).
    :raises Conflict: the action does not apply to the employer's current status.
    """
    org = find_organization(p, ref)
    if action not in ACTIONS:
        raise NotFound("未知操作", code="unknown_action")
    allowed, new_status, needs_reason = ACTIONS[action]
    fields = Fields({"reason": reason})
    reason = fields.text("reason", 500, required=needs_reason)
    fields.check("请填写原因")
    if org.status not in allowed:
        raise Conflict("该单位当前状态不能执行此操作", code="wrong_status")
    old = org.status
    org.status, org.status_reason, org.status_changed_at = new_status, reason or None, utcnow()
    if new_status != "approved":
        sessions.revoke_organization(org)
    audit.record(None, p.actor, f"organization.{action}", organization_id=org.id, uscc=org.uscc,
                 old=old, new=new_status, reason=reason)
    text = SMS[action] % {"name": org.name, "reason": reason or "—",
                          "url": current_app.config["BASE_URL"] + "/login"}
    for admin in db.session.scalars(select(User).where(
            User.organization_id == org.id, User.role == "employer_admin", User.active.is_(True))):
        notify.queue_sms_to_user(admin, text)
    db.session.commit()
    return org
