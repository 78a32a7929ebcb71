"""Expiry notices: the record that a contract's coming end was announced (once per contract)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime, utcnow


class ExpiryNotice(db.Model):
    """One row per contract that entered the expiry window and was announced.

    The unique ``contract_id`` is what makes the daily reminder send the worker one text per
    contract, however often it runs and on however many job workers at once: the row and the
    text's job are written in one transaction, and a second writer fails on the constraint.
    """

    __tablename__ = "expiry_notices"
    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"),
                                             unique=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    term_end: Mapped[date] = mapped_column(Date())
    days_left: Mapped[int] = mapped_column()
    worker_texted: Mapped[bool] = mapped_column(default=False)
    hr_recipients: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
