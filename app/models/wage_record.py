"""Imported attendance (per worker and day) and payroll / bank payment records (per worker,
month and payment) of a project; workers by the keyed hash of their ID number."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime, utcnow


class AttendanceDay(db.Model):
    """One worker's day on site: the clock events seen (importing them again adds nothing)."""

    __tablename__ = "attendance_days"
    __table_args__ = (UniqueConstraint("project_id", "id_hash", "day"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    id_hash: Mapped[str] = mapped_column(String(64), index=True)
    id_masked: Mapped[str] = mapped_column(String(30))
    day: Mapped[date] = mapped_column()
    events: Mapped[list] = mapped_column(JSON, default=list)  # ["07:58:00 in", "17:31:00 out"]
    minutes: Mapped[int] = mapped_column(default=0)  # first in to last out


class PayRecord(db.Model):
    """One payment of a worker's wage for a month (a payroll line with its bank payment,
    imported from a file or pushed by the bank; ``status`` "paid" or "failed")."""

    __tablename__ = "pay_records"
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    id_hash: Mapped[str] = mapped_column(String(64), index=True)
    id_masked: Mapped[str] = mapped_column(String(30))
    month: Mapped[str] = mapped_column(String(7), index=True)
    days: Mapped[int] = mapped_column(default=0)
    hours: Mapped[str] = mapped_column(String(12), default="0")
    gross: Mapped[str | None] = mapped_column(String(20))  # None: not given (a bank's pay-out)
    net: Mapped[str] = mapped_column(String(20))
    account_hash: Mapped[str] = mapped_column(String(64))
    account_masked: Mapped[str] = mapped_column(String(40))
    bank: Mapped[str] = mapped_column(String(100))
    holder: Mapped[str] = mapped_column(String(100))
    paying_account_hash: Mapped[str] = mapped_column(String(64))
    paid_on: Mapped[date | None] = mapped_column()
    row_hash: Mapped[str] = mapped_column(String(64), unique=True)  # the same line twice: once
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # a bank's pay-out result: "failed" is kept (the bank said so) but never counts as paid
    status: Mapped[str] = mapped_column(String(10), default="paid", server_default="paid")
    record_id: Mapped[str | None] = mapped_column(String(64))  # the pushing sender's own id
    sender: Mapped[str | None] = mapped_column(String(130))  # who pushed it (None: a file line)


class WageFlag(db.Model):
    """A flag raised for a worker-month (or a project-month: ``id_hash`` empty), kept so that
    its alert goes out once."""

    __tablename__ = "wage_flags"
    __table_args__ = (UniqueConstraint("project_id", "month", "id_hash", "flag"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    month: Mapped[str] = mapped_column(String(7))
    id_hash: Mapped[str] = mapped_column(String(64))
    id_masked: Mapped[str] = mapped_column(String(30))
    organization_id: Mapped[int | None] = mapped_column()  # the worker's employer
    flag: Mapped[str] = mapped_column(String(30))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    at_risk: Mapped[str] = mapped_column(String(20), default="0")  # ¥ expected but not paid
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # no longer found
