"""Organizations (employers), users and API keys."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import JSON, Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, utcnow

ROLES = ("platform_admin", "employer_admin", "employer_hr", "auditor")
EMPLOYER_ROLES = ("employer_admin", "employer_hr")
ORG_STATUSES = ("pending", "approved", "rejected", "suspended")

auditor_employers = Table(
    "auditor_employers", db.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("organization_id", ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True),
)


class Organization(db.Model):
    """An employer registered on the platform; only ``approved`` ones may work."""

    __tablename__ = "organizations"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    address: Mapped[str] = mapped_column(String(300))
    legal_rep: Mapped[str] = mapped_column(String(100))
    region_code: Mapped[str] = mapped_column(String(6), default="430121")
    # pending (self-registered, awaiting review) / approved / rejected / suspended
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    status_reason: Mapped[str | None] = mapped_column(String(500))
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # days after sending on which a worker who has not signed is reminded (None: the default)
    reminder_days: Mapped[list | None] = mapped_column(JSON)

    @property
    def is_approved(self) -> bool:
        """Its users may log in and its API keys work."""
        return self.status == "approved"


class User(UserMixin, db.Model):
    """A person who logs in: employer staff, auditors, platform admins."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(30))
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    jurisdiction: Mapped[str | None] = mapped_column(String(6))
    phone_enc: Mapped[str | None] = mapped_column(String(255))
    phone_masked: Mapped[str | None] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    organization: Mapped[Organization | None] = relationship()
    scope_employers: Mapped[list[Organization]] = relationship(
        secondary=auditor_employers, order_by=Organization.name)

    @property
    def is_active(self) -> bool:  # flask-login
        return self.active

    @property
    def scope_employer_ids(self) -> frozenset[int]:
        """Auditors: ids of the employers named in their scope (empty for everyone else)."""
        if self.role != "auditor":
            return frozenset()
        return frozenset(org.id for org in self.scope_employers)


class ApiKey(db.Model):
    """An employer's API key; only a SHA-256 of the secret is stored."""

    __tablename__ = "api_keys"
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    organization: Mapped[Organization] = relationship()
