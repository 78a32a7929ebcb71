"""The access log (访问留痕): one global hash chain of auditors' and platform admins' reads,
its head row (what appends lock) and the daily anchors that time-stamp the head."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime, utcnow


class AccessLogEntry(db.Model):
    """One read (search, view, download, evidence or filings export) by an auditor or admin.

    ``seq`` is the entry's place in the chain (1, 2, …); ``hash`` covers a canonical JSON of
    every other field and ``prev_hash`` (the hash of entry ``seq - 1``).
    """

    __tablename__ = "access_log_entries"
    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(unique=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(120), index=True)
    role: Mapped[str | None] = mapped_column(String(30))
    # who the reader acts for, shown to workers instead of the person (jurisdiction or employers)
    scope: Mapped[str | None] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(40), index=True)
    target: Mapped[str | None] = mapped_column(String(120))
    contract_id: Mapped[int | None] = mapped_column(index=True)
    organization_id: Mapped[int | None] = mapped_column(index=True)
    criteria: Mapped[dict | None] = mapped_column(JSON)
    count: Mapped[int | None] = mapped_column()
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AccessLogHead(db.Model):
    """The chain's head (one row, id 1): appends lock it, so they serialize across processes."""

    __tablename__ = "access_log_head"
    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(default=0)
    hash: Mapped[str] = mapped_column(String(64))


class AccessLogAnchor(db.Model):
    """A daily RFC 3161 time-stamp of the chain head: the hash at ``seq`` with ``count`` entries."""

    __tablename__ = "access_log_anchors"
    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column()
    head_hash: Mapped[str] = mapped_column(String(64))
    count: Mapped[int] = mapped_column()
    token: Mapped[bytes] = mapped_column(LargeBinary)
    stamped_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
