"""Archive jobs (issue 22, "The archive over the years"): an auditor's bulk evidence ZIP of a
search result, or a batch re-verification of filings, run as a durable job with progress."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime, utcnow

#: what a job builds: the evidence packages of a search as one ZIP, or a re-verification
ARCHIVE_JOB_KINDS = ("evidence_zip", "reverify")
#: queued → running → done | failed (a failed attempt that will be retried is queued again)
ARCHIVE_JOB_STATUSES = ("queued", "running", "done", "failed")


class ArchiveJob(db.Model):
    """One archive job: who asked (and the scope they had then), what for, how far it got.

    ``scope`` is the asker's scope as resolved at request time (role, jurisdiction, named
    employers): the job searches with it, whatever changes later. ``criteria`` are the
    search criteria as typed, with any ID number only encrypted (``id_number_enc``);
    ``criteria_shown`` the same with personal numbers masked, for pages and logs.
    ``summary`` holds the outcome (counts, the invalid filings and why; the ZIP's parts).
    """

    __tablename__ = "archive_jobs"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(120), index=True)
    user_id: Mapped[int | None] = mapped_column()
    scope: Mapped[dict] = mapped_column(JSON)
    criteria: Mapped[dict] = mapped_column(JSON)
    criteria_shown: Mapped[dict] = mapped_column(JSON)
    total: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    invalid: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(12), default="queued", index=True)
    summary: Mapped[dict | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    result_key: Mapped[str | None] = mapped_column(String(300))
    result_size: Mapped[int | None] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: when its stored ZIP parts (``exports/<id>/``) were all deleted (expired or failed)
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def finished(self) -> bool:
        """The job ran to its end (done or failed for good)."""
        return self.status in ("done", "failed")

    @property
    def downloadable(self) -> bool:
        """A finished ZIP whose download has not expired."""
        return bool(self.result_key) and (self.expires_at is None or self.expires_at > utcnow())

    @property
    def percent(self) -> int:
        """How far it got, 0–100."""
        if self.status == "done":
            return 100
        return min(100, self.done * 100 // self.total) if self.total else 0
