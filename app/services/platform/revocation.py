"""Revoking certificates issued by the platform CA (used by ``flask ca revoke`` and /admin)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.domain.typed import Msg
from app.errors import NotFound, ValidationFailed
from app.extensions import db
from app.models import Contract, RevokedCertificate, SignatureEvent
from app.services.platform import audit, pki

#: RFC 5280 reason names offered to operators, with their labels.
REASONS: dict[str, str] = {
    "unspecified": "未说明 / unspecified",
    "key_compromise": "密钥泄露 / key compromise",
    "affiliation_changed": "身份或单位信息变更 / affiliation changed",
    "superseded": "已被替代 / superseded",
    "cessation_of_operation": "停止使用 / cessation of operation",
    "privilege_withdrawn": "签署资格撤销（如冒名签署）/ privilege withdrawn",
}
_HEX = re.compile(r"[0-9a-f]{1,64}")


@dataclass(frozen=True)
class Revocation:
    """Outcome of :func:`revoke`; ``created`` is False when the serial was already revoked."""

    serial: str
    reason: str
    revoked_at: datetime
    created: bool


@dataclass(frozen=True)
class CertificateRow:
    """One issued event certificate as the admin list shows it (personal data masked)."""

    serial: str
    signer: str
    party: str
    contract_no: str
    signed_at: datetime
    revoked: bool
    reason: str | None


def normalize_serial(value: str) -> str:
    """Lower-case hex without ``0x``, colons or spaces, as SignatureEvent stores serials.

    :raises ValidationFailed: not a hexadecimal serial number.
    """
    serial = re.sub(r"[\s:]", "", (value or "").strip().lower()).removeprefix("0x").lstrip("0")
    if not _HEX.fullmatch(serial or "x"):
        raise ValidationFailed(Msg("证书序列号格式不正确（应为十六进制）：%(value)s", value=repr(value)),
                               fields={"serial": "应为十六进制序列号"})
    return serial


def mask_name(name: str, party: str) -> str:
    """Workers' names with all but the first character masked (张** ); employers unmasked."""
    if party != "worker" or not name:
        return name
    return name[0] + "*" * max(len(name) - 1, 1)


def revoke(serial: str, reason: str, *, actor: str) -> Revocation:
    """Revoke an event certificate issued here: RevokedCertificate + audit event, one commit,
    then the CRL is re-signed. Revoking an already revoked serial changes nothing.

    :param serial: hex serial (``0x`` and colons allowed).
    :param reason: one of :data:`REASONS`.
    :param actor: who revokes (``user:<id>``, ``cli``).
    :raises ValidationFailed: bad serial or reason (nothing written).
    :raises NotFound: no certificate with this serial was issued by the platform.
    """
    if reason not in REASONS:
        raise ValidationFailed(Msg("未知的吊销原因：%(reason)s", reason=repr(reason)),
                               fields={"reason": "请选择吊销原因"})
    serial = normalize_serial(serial)
    event = db.session.scalar(select(SignatureEvent).where(
        SignatureEvent.certificate_serial == serial).limit(1))
    if event is None:
        raise NotFound(Msg("平台未签发序列号为 %(serial)s 的证书", serial=serial),
                       code="certificate_not_found")
    existing = _revoked(serial)
    if existing is not None:
        return Revocation(serial, existing.reason, existing.revoked_at, created=False)
    record = RevokedCertificate(serial=serial, reason=reason)
    db.session.add(record)
    audit.record(event.contract_id, actor, "certificate.revoked", serial=serial, reason=reason)
    try:
        db.session.commit()
    except IntegrityError:  # revoked concurrently by someone else: same outcome
        db.session.rollback()
        existing = _revoked(serial)
        return Revocation(serial, existing.reason, existing.revoked_at, created=False)
    pki.issuing_crl()
    return Revocation(serial, reason, record.revoked_at, created=True)


def _revoked(serial: str) -> RevokedCertificate | None:
    return db.session.scalar(select(RevokedCertificate).where(RevokedCertificate.serial == serial))


def issued_certificates(search: str = "", limit: int = 200) -> list[CertificateRow]:
    """Issued event certificates, newest first; ``search`` matches part of the hex serial.

    :raises ValidationFailed: ``search`` is not hexadecimal.
    """
    query = (select(SignatureEvent, Contract.contract_no, RevokedCertificate.reason)
             .join(Contract, Contract.id == SignatureEvent.contract_id)
             .outerjoin(RevokedCertificate,
                        RevokedCertificate.serial == SignatureEvent.certificate_serial)
             .order_by(SignatureEvent.signed_at.desc(), SignatureEvent.id.desc()).limit(limit))
    if search.strip():
        query = query.where(SignatureEvent.certificate_serial.contains(
            normalize_serial(search), autoescape=True))
    return [CertificateRow(serial=e.certificate_serial, signer=mask_name(e.signer_name, e.party),
                           party=e.party, contract_no=no, signed_at=e.signed_at,
                           revoked=reason is not None, reason=reason)
            for e, no, reason in db.session.execute(query)]
