"""Signing links, one-time codes, signing sessions and signature events."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, utcnow
from app.models.contract import Contract


class SigningLink(db.Model):
    """The link sent to the worker by SMS; only a hash of its token is stored."""

    __tablename__ = "signing_links"
    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Wrong one-time codes over the link's whole life: a new code does not reset it.
    otp_failures: Mapped[int] = mapped_column(default=0, server_default="0")

    contract: Mapped[Contract] = relationship()


class OtpChallenge(db.Model):
    """A one-time code sent by SMS for one signing link."""

    __tablename__ = "otp_challenges"
    id: Mapped[int] = mapped_column(primary_key=True)
    link_id: Mapped[int] = mapped_column(ForeignKey("signing_links.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(default=0)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    session_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    session_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SignatureEvent(db.Model):
    """Evidence of one signing act: who, how they were identified, what was signed."""

    __tablename__ = "signature_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    party: Mapped[str] = mapped_column(String(20))  # employer | worker
    signer_name: Mapped[str] = mapped_column(String(200))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    identity_method: Mapped[str] = mapped_column(String(40))
    identity_evidence: Mapped[dict] = mapped_column(JSON, default=dict)
    certificate_serial: Mapped[str] = mapped_column(String(64), index=True)
    # The certificate itself is inside the signed PDF (the archive); its SHA-256 (of the DER)
    # binds this record to it.
    certificate_sha256: Mapped[str] = mapped_column(String(64))
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(400))
    sha256_before: Mapped[str] = mapped_column(String(64))
    sha256_after: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class RevokedCertificate(db.Model):
    """A certificate revoked by the platform CA; listed in the CRL."""

    __tablename__ = "revoked_certificates"
    id: Mapped[int] = mapped_column(primary_key=True)
    serial: Mapped[str] = mapped_column(String(64), unique=True)
    reason: Mapped[str] = mapped_column(String(40))
    revoked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
