"""Batches: a roster launched at once, one row per worker, each row made into a contract by a
durable job (create, render, seal, send)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, utcnow

BATCH_STATUSES = ("ready", "running", "done")
ROW_STATUSES = ("waiting", "queued", "done", "failed")


class Batch(db.Model):
    """A checked roster of one employer: ``ready`` until launched, ``running`` while rows
    are queued, ``done`` when every row is sent or failed (failed rows can be retried)."""

    __tablename__ = "batches"
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
    template_version_id: Mapped[int] = mapped_column(ForeignKey("template_versions.id"))
    # Every contract of the batch joins this construction project (optional).
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"))
    project_team: Mapped[str | None] = mapped_column(String(100))
    filename: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(12), default="ready")
    total: Mapped[int] = mapped_column(default=0)
    acknowledged: Mapped[list] = mapped_column(JSON, default=list)  # rule ids, at launch
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    launched_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    rows: Mapped[list[BatchRow]] = relationship(back_populates="batch",
                                                order_by="BatchRow.row_no")


class BatchRow(db.Model):
    """One worker of a batch: the typed row (encrypted: it holds the ID number and phone),
    its warnings' rule ids, then the contract made of it or why that failed."""

    __tablename__ = "batch_rows"
    __table_args__ = (UniqueConstraint("batch_id", "row_no"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id", ondelete="CASCADE"),
                                          index=True)
    row_no: Mapped[int] = mapped_column()  # the spreadsheet's row number (header = 1)
    data_enc: Mapped[str | None] = mapped_column(Text)  # dropped once the contract exists
    worker_name: Mapped[str] = mapped_column(String(100))
    id_masked: Mapped[str] = mapped_column(String(30))
    warnings: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(12), default="waiting", index=True)
    job_id: Mapped[int | None] = mapped_column()
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id"))
    error: Mapped[dict | None] = mapped_column(JSON)  # {"msg": msgid, "params": {...}}
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    batch: Mapped[Batch] = relationship(back_populates="rows")
