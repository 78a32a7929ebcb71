"""Signing reminders: the record that a worker who had not signed was reminded (number n)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime, utcnow


class SigningReminder(db.Model):
    """Reminder ``number`` (1–3) of a contract or document waiting for the worker.

    The unique ``(contract_id, number)`` makes the reminder run text the worker once per
    scheduled reminder however often it runs, and on however many hosts: the row, the new
    link and the text's job are written in one transaction, and a second writer fails on it.
    """

    __tablename__ = "signing_reminders"
    __table_args__ = (UniqueConstraint("contract_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"),
                                             index=True)
    number: Mapped[int] = mapped_column()
    day: Mapped[int] = mapped_column()  # the schedule's day after sending it was due on
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
