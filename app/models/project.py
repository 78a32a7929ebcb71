"""Construction projects: the project (its dedicated wage account encrypted), the labor
subcontractors on it, and its archive documents (every version kept, in the object store)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, utcnow
from app.models.org import Organization


class Project(db.Model):
    """A construction project run by a general contractor (an employer on the platform)."""

    __tablename__ = "projects"
    id: Mapped[int] = mapped_column(primary_key=True)
    contractor_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    permit_no: Mapped[str] = mapped_column(String(60))
    builder: Mapped[str] = mapped_column(String(200))  # 建设单位
    contract_amount: Mapped[str] = mapped_column(String(20))  # decimal yuan
    start_date: Mapped[date] = mapped_column()
    planned_end: Mapped[date] = mapped_column()
    completed_on: Mapped[date | None] = mapped_column()
    settled_on: Mapped[date | None] = mapped_column()  # final settlement of the contract price
    officer_name: Mapped[str] = mapped_column(String(50))  # 劳资专管员
    officer_phone_enc: Mapped[str] = mapped_column(Text)
    officer_phone_masked: Mapped[str] = mapped_column(String(20))
    wage_bank_code: Mapped[str] = mapped_column(String(12))
    wage_account_enc: Mapped[str] = mapped_column(Text)
    wage_account_masked: Mapped[str] = mapped_column(String(40))
    # keyed hash of the account: a bank's pushed pay-outs find their project by it
    wage_account_hash: Mapped[str | None] = mapped_column(String(64))
    wage_account_holder: Mapped[str] = mapped_column(String(200))
    deposit_kind: Mapped[str] = mapped_column(String(12))  # cash | guarantee | exempt
    deposit_amount: Mapped[str] = mapped_column(String(20))
    pay_day: Mapped[int] = mapped_column()
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    contractor: Mapped[Organization] = relationship()
    members: Mapped[list[ProjectMember]] = relationship(back_populates="project")


class ProjectMember(db.Model):
    """A labor subcontractor (劳务分包) invited onto a project by its general contractor; once
    it accepts, its contracts naming the project put its workers on the roster and into the
    wage reconciliation (it sees its own workers there)."""

    __tablename__ = "project_members"
    __table_args__ = (UniqueConstraint("project_id", "organization_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # the subcontractor's consent: until then none of its contracts count on the project
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    project: Mapped[Project] = relationship(back_populates="members")
    organization: Mapped[Organization] = relationship()


class ProjectDocument(db.Model):
    """One uploaded version of an archive document of a category and period; a new upload
    is a new version (the old ones stay, under retention in the object store)."""

    __tablename__ = "project_documents"
    __table_args__ = (UniqueConstraint("project_id", "category", "period", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    category: Mapped[str] = mapped_column(String(40))
    period: Mapped[str] = mapped_column(String(7))  # "YYYY-MM", or "once"
    version: Mapped[int] = mapped_column()
    key: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column()
    content_type: Mapped[str] = mapped_column(String(100))
    filename: Mapped[str] = mapped_column(String(200))
    uploaded_by: Mapped[str] = mapped_column(String(120))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    retain_until: Mapped[datetime] = mapped_column(UTCDateTime())
