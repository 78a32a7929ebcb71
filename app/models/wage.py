"""The minimum-wage table: amounts by region-code prefix and effective date (history kept)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime, utcnow


class MinimumWage(db.Model):
    """One published minimum wage: in force in every region whose code starts with
    ``region_prefix`` from ``effective_from`` until a later row of the same or a more
    specific prefix. Rows are only ever added (a correction is a new row)."""

    __tablename__ = "minimum_wages"
    __table_args__ = (UniqueConstraint("region_prefix", "effective_from"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    region_prefix: Mapped[str] = mapped_column(String(6), index=True)
    effective_from: Mapped[date] = mapped_column(Date())
    monthly: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    hourly: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    note: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class WageThreshold(db.Model):
    """The county's wage-arrears warning thresholds for every project whose region code
    starts with ``region_prefix``, from ``effective_from`` until a later row of the same or a
    more specific prefix. Rows are only ever added (a change is a new row)."""

    __tablename__ = "wage_thresholds"
    __table_args__ = (UniqueConstraint("region_prefix", "effective_from"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    region_prefix: Mapped[str] = mapped_column(String(6), index=True)
    effective_from: Mapped[date] = mapped_column(Date())
    underpaid_percent: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    late_days: Mapped[int] = mapped_column()
    big_month: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    big_year: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    unpaid_share_percent: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    note: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
