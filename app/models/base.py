"""Shared column helpers for the models."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, String, TypeDecorator
from sqlalchemy.orm import Mapped, mapped_column


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A DateTime that always comes back timezone-aware in UTC (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        # SQLite forgets the zone; PostgreSQL answers in the session's time zone (a server set
        # to Asia/Shanghai gives +08:00): always UTC, so that what was hashed when written
        # (audit and access-log chains) reads back the same
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class SystemKeyColumns:
    """The columns every system's bearer key shares (bureau keys, feed keys): the public
    ``prefix`` it is looked up by, a SHA-256 of its secret, who made it and when, and when
    it was last used or revoked (a mixin of :class:`app.models.BureauKey` and
    :class:`app.models.FeedKey`)."""

    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
