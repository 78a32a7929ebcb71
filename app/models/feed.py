"""Keys of the systems that push attendance and bank pay-out records (``lfk_…``), the
records they pushed (by the sender's own record id, so a record pushed twice is stored once)
and the worker-months waiting for re-reconciliation."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import SystemKeyColumns, UTCDateTime, utcnow


class FeedKey(SystemKeyColumns, db.Model):
    """A pushing system's key: scoped to one project (attendance and its payments) or to a
    bank by its code (payments from the dedicated wage accounts it holds). Only a SHA-256 of
    the secret is stored. ``sender`` names the sender whose record ids are unique (the scope
    and the key's name: a key replaced by a new one of the same name keeps the same sender)."""

    __tablename__ = "feed_keys"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"), index=True)
    bank_code: Mapped[str | None] = mapped_column(String(12))
    sender: Mapped[str] = mapped_column(String(130))


class FeedReceipt(db.Model):
    """One record received from a sender (``kind``: attendance or payment), by its id: a
    keyed hash of its content (the same id with other content is refused) and, for a
    pay-out, the pay record it was stored as or matched."""

    __tablename__ = "feed_receipts"
    __table_args__ = (UniqueConstraint("sender", "kind", "record_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    sender: Mapped[str] = mapped_column(String(130))
    kind: Mapped[str] = mapped_column(String(12))
    record_id: Mapped[str] = mapped_column(String(64))
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    key_id: Mapped[int] = mapped_column(ForeignKey("feed_keys.id"))
    content_hash: Mapped[str] = mapped_column(String(64))
    pay_record_id: Mapped[int | None] = mapped_column(ForeignKey("pay_records.id"))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class FeedPending(db.Model):
    """A worker-month whose data changed by a push, waiting for its project's
    re-reconciliation job (the job removes the ones it reconciled)."""

    __tablename__ = "feed_pending"
    __table_args__ = (UniqueConstraint("project_id", "id_hash", "month"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    id_hash: Mapped[str] = mapped_column(String(64))
    month: Mapped[str] = mapped_column(String(7))
