"""Organizations and users (used by the CLI and the seed)."""

from __future__ import annotations

from sqlalchemy import select

from app.domain.ids import uscc_error
from app.errors import ValidationFailed
from app.extensions import db
from app.models import ROLES, Organization, User


def add_organization(*, name: str, uscc: str, address: str, legal_rep: str,
                     region_code: str = "430121") -> Organization:
    """Register an employer (USCC checked); the caller commits."""
    uscc = uscc.strip().upper()
    if problem := uscc_error(uscc):
        raise ValidationFailed(problem, fields={"uscc": problem})
    existing = db.session.scalar(select(Organization).where(Organization.uscc == uscc))
    if existing:
        return existing
    org = Organization(name=name, uscc=uscc, address=address, legal_rep=legal_rep,
                       region_code=region_code)
    db.session.add(org)
    return org


def add_user(*, username: str, password: str, role: str, display_name: str,
             organization: Organization | None = None, jurisdiction: str | None = None) -> User:
    """Create or reset a user; the caller commits."""
    if role not in ROLES:
        raise ValidationFailed(f"未知角色 {role}", fields={"role": "未知角色"})
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        user = User(username=username, role=role, display_name=display_name)
        db.session.add(user)
    user.role, user.display_name, user.organization = role, display_name, organization
    user.jurisdiction = jurisdiction
    user.set_password(password)
    return user
