"""Archive time-stamp renewals (PAdES-LTA): the versions of a filing's signed PDF."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime, utcnow


class FilingTimestamp(db.Model):
    """One version of a filing's signed PDF and its newest time-stamp.

    ``seq`` 0 is the PDF as filed (the filing's own ``pdf_key``/``sha256``, recorded when
    its time-stamp was first read); ``seq`` N > 0 is the N-th renewal: a new archived object
    (``<filed key minus .pdf>.r<N>.pdf``) holding the previous version plus one revision
    (DSS and a new document time-stamp). The row with the highest ``seq`` is the current
    archive copy; ``tsa_not_after`` and ``md_algorithm`` decide when it needs renewing.
    """

    __tablename__ = "filing_timestamps"
    __table_args__ = (
        UniqueConstraint("filing_id", "seq"),
        Index("ix_filing_timestamps_tsa_not_after", "tsa_not_after"),
        Index("ix_filing_timestamps_sha256", "sha256"),  # the public /verify's look-up
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    filing_id: Mapped[int] = mapped_column(ForeignKey("filings.id"))
    seq: Mapped[int] = mapped_column()
    key: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64))
    # the newest time-stamp in this version (all None: the PDF holds no time-stamp)
    stamped_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    tsa_serial: Mapped[str | None] = mapped_column(String(64))
    tsa_not_after: Mapped[datetime | None] = mapped_column(UTCDateTime())
    md_algorithm: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
