"""Verification of signed contracts with the platform root as the only trust root."""

from __future__ import annotations

import hashlib

from app.domain.typed import Msg
from app.errors import AppError, ServiceUnavailable
from app.models import Contract, Filing
from app.services.filing import filing as filing_service
from app.services.platform import pki

ARCHIVE_UNREADABLE = "归档文件校验失败：%(reason)s"


class ArchiveMismatch(AppError):
    status, code = 500, "archive_mismatch"


def archived_pdf(filing: Filing) -> bytes:
    """The signed PDF from the archive, checked against the filing's SHA-256.

    :raises ServiceUnavailable: the archive cannot be reached.
    :raises ArchiveMismatch: the archived bytes differ from what was filed.
    """
    from archive import ArchiveError, ArchiveUnavailable, IntegrityError

    try:
        data = filing_service.store().get(filing.pdf_key)
    except ArchiveUnavailable:
        raise ServiceUnavailable("档案库暂时无法访问，请稍后再试") from None
    except (IntegrityError, ArchiveError) as exc:
        raise ArchiveMismatch(Msg(ARCHIVE_UNREADABLE, reason=str(exc))) from None
    if hashlib.sha256(data).hexdigest() != filing.sha256:
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
    """True when the filing ``number`` records ``sha256`` as its signed original's SHA-256:
    what a certified print copy's QR code claims, checked without the file (public: it only
    confirms a pair the asker already holds, and tells nothing else about the filing)."""
    from sqlalchemy import select

    from app.extensions import db

    found = db.session.scalar(select(Filing.id).where(Filing.number == number,
                                                      Filing.sha256 == sha256.lower()))
    return found is not None
