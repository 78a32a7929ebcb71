"""Fixed-window request counters shared by every app process (rate limiting)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime


class RateLimitCounter(db.Model):
    """How many requests one client made in one time window of one rate-limited action.

    ``key`` is ``"<scope>:<keyed hash of the client address>"`` (no raw IP is stored);
    rows whose window has ended are deleted by :mod:`app.services.platform.ratelimit`.
    """

    __tablename__ = "rate_limit_counters"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime(), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    count: Mapped[int] = mapped_column(default=0)
