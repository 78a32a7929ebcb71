"""The SMS delivery log: one row per text message, from queued to the provider's receipt."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime, utcnow

SMS_STATUSES = ("queued", "sent", "delivered", "failed")


class SmsDelivery(db.Model):
    """One text message: its kind, the number (masked, and a keyed hash — never plain), the
    provider that took it with its message id, the status and the last error code."""

    __tablename__ = "sms_deliveries"
    __table_args__ = (Index("ix_sms_deliveries_provider_message", "provider", "message_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(64), unique=True)  # our id of the message
    kind: Mapped[str] = mapped_column(String(30))
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id"), index=True)
    phone_masked: Mapped[str] = mapped_column(String(20))
    phone_hash: Mapped[str] = mapped_column(String(64), index=True)
    provider: Mapped[str | None] = mapped_column(String(20))
    message_id: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(12), default="queued", index=True)
    error_code: Mapped[str | None] = mapped_column(String(120))
    attempts: Mapped[int] = mapped_column(default=0)
    counted: Mapped[bool] = mapped_column(default=False)  # against the send limits, once
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
