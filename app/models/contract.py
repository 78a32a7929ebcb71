"""Workers, contracts and their document versions."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, utcnow
from app.models.org import Organization
from app.models.template import TemplateVersion

if TYPE_CHECKING:
    from app.models.project import Project

CONTRACT_STATUSES = ("draft", "sent", "signed", "filed", "declined", "voided", "expired",
                     "terminated")
#: What a row of ``contracts`` is: the labor contract itself, or a document signed after it
#: (linked by ``parent_id``): 变更协议, 解除/终止协议, 解除/终止劳动合同证明.
DOCUMENT_KINDS = ("contract", "amendment", "termination", "certificate")


class Worker(db.Model):
    """A person (自然人) who signs labor contracts, known only by the ID number.

    Shared across employers so that a worker can see all of their contracts, and therefore
    holding nothing any employer types except the ID number itself (keyed hash, encrypted
    copy, masked form): the name and phone are captured per contract.
    """

    __tablename__ = "workers"
    id: Mapped[int] = mapped_column(primary_key=True)
    id_hash: Mapped[str] = mapped_column(String(64), unique=True)
    id_number_enc: Mapped[str] = mapped_column(String(255))
    id_masked: Mapped[str] = mapped_column(String(18))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Contract(db.Model):
    """A labor contract between an organization and a worker."""

    __tablename__ = "contracts"
    id: Mapped[int] = mapped_column(primary_key=True)
    contract_no: Mapped[str] = mapped_column(String(40), unique=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id"), index=True)
    # The worker as given on this contract (editable by its employer while it is a draft);
    # the identity check, one-time codes and every SMS of the contract use these.
    worker_name: Mapped[str] = mapped_column(String(50), index=True)
    worker_phone_enc: Mapped[str] = mapped_column(String(255))
    worker_phone_masked: Mapped[str] = mapped_column(String(11))
    template: Mapped[str] = mapped_column(String(40), default="fixed_term")
    template_version: Mapped[int] = mapped_column(default=1)
    # The exact template version the contract was made from (its clauses print on the PDF).
    template_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("template_versions.id"), index=True)
    terms: Mapped[dict] = mapped_column(JSON)
    # The rule engine's warnings on the current terms and who acknowledged which
    # ({"warnings": [...], "acknowledged": {rule_id: {"by": actor, "at": iso}}}).
    rule_results: Mapped[dict | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(default=1)
    # A renewal (续订) points at the contract it continues (a draft copy with a new term).
    renewal_of_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id"), index=True)
    # A lifecycle document (amendment, termination, certificate) and the contract it belongs to.
    document_kind: Mapped[str] = mapped_column(String(20), default="contract",
                                               server_default="contract", index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id"), index=True)
    # A terminated contract's last working day (art. 50 retention counts from it).
    ended_on: Mapped[date | None] = mapped_column(Date())
    # The construction project the worker joins through this contract (any template), and
    # the team (班组) on it; set only for a project the employer takes part in.
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"), index=True)
    project_team: Mapped[str | None] = mapped_column(String(100))

    organization: Mapped[Organization] = relationship()
    project: Mapped[Project | None] = relationship()
    worker: Mapped[Worker] = relationship()
    template_version_row: Mapped[TemplateVersion | None] = relationship()
    renewal_of: Mapped[Contract | None] = relationship(remote_side=[id],
                                                       foreign_keys=[renewal_of_id])
    parent: Mapped[Contract | None] = relationship(remote_side=[id], foreign_keys=[parent_id])
    documents: Mapped[list[ContractDocument]] = relationship(
        back_populates="contract", order_by="ContractDocument.version"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def current_document(self) -> ContractDocument | None:
        """The newest document version, or None before rendering."""
        return self.documents[-1] if self.documents else None


class ContractDocument(db.Model):
    """One version of a contract's PDF: rendered, employer-sealed, fully signed.

    The bytes live in the archive store under ``key`` (app/services/contracts/documents.py reads and
    writes them); the row keeps what is needed to find and check them.
    """

    __tablename__ = "contract_documents"
    __table_args__ = (UniqueConstraint("contract_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    version: Mapped[int] = mapped_column()
    kind: Mapped[str] = mapped_column(String(20))
    sha256: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(300))
    size: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    contract: Mapped[Contract] = relationship(back_populates="documents")
