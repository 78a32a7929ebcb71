"""The worker's own space (the portal): sign-in codes and the short sessions they open."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime, utcnow


class PortalLogin(db.Model):
    """One sign-in to the portal: the code step, then (once the code is right) the session.

    A row is written for every well-formed sign-in form, also when the name, ID number and
    phone match nobody (``worker_id`` empty, no code sent): the code step then answers exactly
    as for a real person. Only hashes of the code and of the two bearer tokens are stored.
    """

    __tablename__ = "portal_logins"
    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("workers.id"), index=True)
    # the code step's token (cookie), then the session's token (cookie)
    pending_hash: Mapped[str] = mapped_column(String(64), unique=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    # keyed hash of the phone the code went to: the session sees the documents carrying it
    phone_hash: Mapped[str | None] = mapped_column(String(64))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(default=0)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    session_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
