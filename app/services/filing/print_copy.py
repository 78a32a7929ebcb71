"""Certified print copies (打印件) of filed contracts: the signed original's pages with a
certification page (statement, filing number, the original's SHA-256, a QR code to the public
verification page), for the worker in their own space, the employer (optionally stamped with
its company seal) and auditors within their scope.
"""

from __future__ import annotations

import hashlib

from flask import current_app

from app.domain.typed import Msg
from app.errors import Conflict, Forbidden
from app.extensions import db
from app.metrics import SIGNING_SECONDS
from app.models.base import utcnow
from app.services.contracts import queries
from app.services.filing import verification
from app.services.platform import audit, pki, scope
from app.services.platform.principal import Principal

#: The public verification page (app/verify); the QR code encodes BASE_URL + this path.
VERIFY_PATH = "/verify"
NOT_SIGNED = ("合同尚未签署完成（当前状态：%(status)s），不能出具打印件：合同经双方签署并备案后"
              "才能打印")
NOT_FILED = "合同已签署，正在备案；备案完成后即可出具打印件，请稍后再试"
STATUS_WORDS = {"draft": "草稿", "sent": "待签署", "signed": "已签署", "declined": "劳动者拒签",
                "voided": "已作废", "expired": "已过期"}


def verify_page() -> str:
    """Absolute URL of the public verification page, from the configured ``BASE_URL``."""
    return current_app.config["BASE_URL"].rstrip("/") + VERIFY_PATH


def _may_copy(p: Principal, stamped: bool) -> None:
    if stamped and not (p.is_employer and p.kind == "user"):
        raise Forbidden("只有用人单位的用户可以出具盖章的打印件")
    if not (p.is_person or p.is_employer or p.is_auditor or p.is_platform_admin):
        raise Forbidden("您没有权限出具打印件")


def certified_copy(p: Principal, contract_id: int, *, stamped: bool = False
                   ) -> tuple[str, bytes]:
    """The certified print copy of a filed contract, recorded in its trail (commits).

    A worker in their own space gets the unstamped copy of a contract they signed; the
    employer's users may ask for a copy stamped with the company seal (a real certification
    signature on the copy, by the employer's seal certificate, time-stamped); auditors get
    the unstamped copy within their scope.

    :param p: who asks.
    :param contract_id: the contract (or amendment, termination, certificate).
    :param stamped: seal the certification page with the employer's company seal.
    :return: ``(file name, PDF bytes)``.
    :raises Forbidden: ``p`` may not have a copy (a stamped one: employer users only).
    :raises NotFound: the contract is outside ``p``'s scope.
    :raises Conflict: the contract is not signed and filed yet.
    :raises ServiceUnavailable: the archive cannot be reached.
    :raises verification.ArchiveMismatch: the archived original differs from the filing.
    """
    from signing.print_copy import PrintCopyDetails, render_print_copy

    _may_copy(p, stamped)
    contract = scope.contract(p, contract_id)
    filing = queries.filing_of(contract.id)
    if filing is None:
        if contract.status == "signed":
            raise Conflict(NOT_FILED, code="not_filed")
        raise Conflict(NOT_SIGNED, code="not_signed",
                       status=Msg(STATUS_WORDS.get(contract.status, contract.status)))
    # the PDF as filed (the record of what was signed), not a later time-stamp renewal: the
    # SHA-256 printed on the copy is then the filing's, as its trail entry says
    original = verification.fetch_checked(filing.pdf_key, filing.sha256)
    org = contract.organization
    details = PrintCopyDetails(
        filing_number=filing.number, contract_no=contract.contract_no, employer_name=org.name,
        worker_name=contract.worker_name, verify_page=verify_page(), printed_at=utcnow(),
        stamped=stamped)
    pdf = render_print_copy(original, details, pki.font())
    serial = None
    if stamped:
        seal = pki.seal_image(org.name)
        with SIGNING_SECONDS.labels(party="employer").time():
            sealed = pki.signer().seal_employer(pdf, org_name=org.name, uscc=org.uscc,
                                                seal_image=seal, final=True)
        pdf, serial = sealed.pdf, sealed.certificate_serial
    audit.record(contract.id, p.actor, "print_copy.issued", filing_number=filing.number,
                 stamped=stamped, original_sha256=filing.sha256,
                 sha256=hashlib.sha256(pdf).hexdigest(), certificate_serial=serial)
    db.session.commit()
    return f"{filing.number}-print{'-stamped' if stamped else ''}.pdf", pdf
