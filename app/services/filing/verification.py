"""Verification of signed contracts with the platform root as the only trust root."""

from __future__ import annotations

import hashlib

from app.domain.typed import Msg
from app.errors import AppError, ServiceUnavailable
from app.models import Contract, Filing, FilingTimestamp
from app.services.filing import filing as filing_service
from app.services.platform import pki

ARCHIVE_UNREADABLE = "归档文件校验失败：%(reason)s"


class ArchiveMismatch(AppError):
    status, code = 500, "archive_mismatch"


def archived_pdf(filing: Filing) -> bytes:
    """The signed PDF from the archive — its newest archive time-stamp renewal
    (:mod:`app.services.filing.renewal`) when there is one — checked against the SHA-256
    recorded for it.

    :raises ServiceUnavailable: the archive cannot be reached.
    :raises ArchiveMismatch: the archived bytes differ from what was filed.
    """
    return fetch_checked(*current_version(filing))


def newest(filing_id: int) -> FilingTimestamp | None:
    """The filing's newest recorded version (None: its time-stamp was never read; see
    :mod:`app.services.filing.renewal`)."""
    from sqlalchemy import select

    from app.extensions import db

    return db.session.scalar(select(FilingTimestamp).where(
        FilingTimestamp.filing_id == filing_id).order_by(FilingTimestamp.seq.desc()).limit(1))


def renewals(filing_id: int) -> list[FilingTimestamp]:
    """The filing's archive time-stamp renewals (versions 1, 2, …), oldest first."""
    from sqlalchemy import select

    from app.extensions import db

    return list(db.session.scalars(select(FilingTimestamp).where(
        FilingTimestamp.filing_id == filing_id, FilingTimestamp.seq > 0)
        .order_by(FilingTimestamp.seq)))


def current_version(filing: Filing) -> tuple[str, str]:
    """``(key, sha256)`` of the filing's current archived PDF: its newest archive time-stamp
    renewal, else the PDF as filed."""
    latest = newest(filing.id)
    if latest is None or latest.seq == 0:
        return filing.pdf_key, filing.sha256
    return latest.key, latest.sha256


def fetch_checked(key: str, sha256: str) -> bytes:
    """An archived PDF, checked against ``sha256``.

    :raises ServiceUnavailable: the archive cannot be reached.
    :raises ArchiveMismatch: the object is missing, unreadable or its bytes differ.
    """
    from archive import ArchiveError, ArchiveUnavailable, IntegrityError

    try:
        data = filing_service.store().get(key)
    except ArchiveUnavailable:
        raise ServiceUnavailable("档案库暂时无法访问，请稍后再试") from None
    except (IntegrityError, ArchiveError) as exc:
        raise ArchiveMismatch(Msg(ARCHIVE_UNREADABLE, reason=str(exc))) from None
    if hashlib.sha256(data).hexdigest() != sha256:
        raise ArchiveMismatch("归档文件与备案记录的 SHA-256 不一致")
    return data


def verify_pdf(pdf: bytes):
    """Verify any PDF against the platform root and current CRLs (offline)."""
    from signing import verify

    return verify(pdf, trust_roots=[pki.ca().root_cert], crls=pki.crls())


def for_filing(filing: Filing):
    """Verification report of a filed contract's archived PDF."""
    return verify_pdf(archived_pdf(filing))


def for_contract(contract: Contract):
    """Verification report of the contract's current document (filed copy when filed)."""
    from app.services.contracts.queries import filing_of

    filing = filing_of(contract.id)
    if filing is not None:
        return for_filing(filing)
    from app.services.contracts import documents

    return verify_pdf(documents.current_pdf(contract))


def report_pdf(report) -> bytes:
    """The verification report rendered as a PDF with the embedded CJK font."""
    from signing import render_report_pdf

    return render_report_pdf(report, pki.font())


def filing_records(number: str, sha256: str) -> bool:
    """True when the filing ``number`` records ``sha256`` as its signed original's SHA-256,
    or as one of its archive time-stamp renewals' (the same signed contract with later
    time-stamps): what a certified print copy's QR code claims, checked without the file
    (public: it only confirms a pair the asker already holds, and tells nothing else about
    the filing)."""
    from sqlalchemy import exists, or_, select

    from app.extensions import db

    wanted = sha256.lower()
    # correlated to the one filing the number names: an index look-up (ix sha256 or the
    # filing's versions), not a scan of every renewal
    renewed = exists().where(FilingTimestamp.filing_id == Filing.id,
                             FilingTimestamp.sha256 == wanted)
    found = db.session.scalar(select(Filing.id).where(
        Filing.number == number, or_(Filing.sha256 == wanted, renewed)).limit(1))
    return found is not None
