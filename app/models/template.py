"""Contract templates and their immutable versions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, utcnow

TEMPLATE_KINDS = ("fixed_term", "open_ended", "project_based", "part_time",
                  "construction_simple")


class Template(db.Model):
    """A contract template of one kind: a standard platform template (``organization_id``
    NULL) or an employer's copy of one (``based_on_id``), seen only by that employer."""

    __tablename__ = "templates"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    title: Mapped[str] = mapped_column(String(100))
    title_en: Mapped[str] = mapped_column(String(200), default="")
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"),
                                                        index=True)
    based_on_id: Mapped[int | None] = mapped_column(ForeignKey("templates.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    versions: Mapped[list[TemplateVersion]] = relationship(
        back_populates="template", order_by="TemplateVersion.number")
    based_on: Mapped[Template | None] = relationship(remote_side=[id])

    @property
    def newest(self) -> TemplateVersion | None:
        """The newest published version (what new contracts use)."""
        published = [v for v in self.versions if v.published_at is not None]
        return published[-1] if published else None


class TemplateVersion(db.Model):
    """One published version of a template: field specs and clause texts (never edited;
    a change is a new version, and contracts keep pointing at the version they used)."""

    __tablename__ = "template_versions"
    __table_args__ = (UniqueConstraint("template_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("templates.id"), index=True)
    number: Mapped[int] = mapped_column()
    fields: Mapped[list] = mapped_column(JSON)
    clauses: Mapped[list] = mapped_column(JSON)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    template: Mapped[Template] = relationship(back_populates="versions")

    @property
    def spec(self) -> dict:
        """``{"fields", "clauses"}`` as the pure domain functions take them."""
        return {"fields": self.fields, "clauses": self.clauses}
