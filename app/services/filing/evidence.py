"""Evidence packages (证据包) of filed contracts for auditors: everything needed to check a
contract offline — signed PDF, manifest, audit trail, verification report, certificates, CRLs.
"""

from __future__ import annotations

import hashlib
import json

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from app.domain.typed import Msg
from app.errors import ServiceUnavailable
from app.extensions import db
from app.models import Contract, Filing
from app.models.base import utcnow
from app.services.contracts import queries
from app.services.filing import filing as filing_service
from app.services.filing import verification
from app.services.platform import audit, pki, tsa_rotation


def _archived(key: str, sha256: str | None, what: str) -> bytes:
    """An archived object, checked against the hash recorded at filing.

    :raises ServiceUnavailable: the archive cannot be reached.
    :raises verification.ArchiveMismatch: the object is missing or altered.
    """
    from archive import ArchiveError, ArchiveUnavailable

    try:
        data = filing_service.store().get(key)
    except ArchiveUnavailable:
        raise ServiceUnavailable("档案库暂时无法访问，请稍后再试") from None
    except ArchiveError as exc:
        raise verification.ArchiveMismatch(Msg(verification.ARCHIVE_UNREADABLE,
                                                 reason=str(exc))) from None
    if sha256 is not None and hashlib.sha256(data).hexdigest() != sha256:
        raise verification.ArchiveMismatch(Msg("归档的%(what)s与备案记录的 SHA-256 不一致",
                                                 what=Msg(what)))
    return data


def _pem(cert) -> bytes:
    """PEM of a cryptography or asn1crypto certificate."""
    if not isinstance(cert, x509.Certificate):
        cert = x509.load_der_x509_certificate(cert.dump())
    return cert.public_bytes(Encoding.PEM)


def _manifest_sha256(manifest: bytes, key: str) -> str | None:
    """The SHA-256 the manifest records for the document ``key`` (None when not listed)."""
    from archive import parse_manifest

    docs = parse_manifest(manifest)["documents"]
    return next((d["sha256"] for d in docs if d["key"] == key), None)


def package_files(contract: Contract, filing: Filing) -> dict[str, bytes]:
    """The files of the evidence package of a filed contract, by path inside the ZIP.

    ``audit-trail.json`` is the trail archived at filing (it ends with the last signature:
    the filing event is recorded after it was stored); ``audit-trail-current.json`` is the
    trail in the database now: the same events with the same hashes, then the filing event
    and whatever happened since (revocations, earlier exports).

    ``contract.pdf`` is the PDF as filed (the SHA-256 in the manifest); each archive
    time-stamp renewal is ``contract.r<N>.pdf`` (the previous version plus one revision), and
    the verification report is the newest version's.
    """
    pdf = verification.fetch_checked(filing.pdf_key, filing.sha256)
    versions = {f"contract.r{v.seq}.pdf": verification.fetch_checked(v.key, v.sha256)
                for v in verification.renewals(filing.id)}
    current = list(versions.values())[-1] if versions else pdf
    manifest = _archived(filing.manifest_key, filing.manifest_sha256, "备案清单")
    trail = _archived(filing.audit_key, _manifest_sha256(manifest, filing.audit_key), "审计轨迹")
    report = verification.verify_pdf(current)
    ca = pki.ca()
    files = {
        "contract.pdf": pdf,
        **versions,
        "manifest.json": manifest,
        "audit-trail.json": trail,
        "audit-trail-current.json": json.dumps(audit.export(contract.id), ensure_ascii=False,
                                               indent=1).encode(),
        "verification.json": json.dumps(report.to_dict(), ensure_ascii=False, indent=1).encode(),
        "verification.pdf": _render_report(report),
        "certificates/root.pem": _pem(ca.root_cert),
        "certificates/issuing.pem": _pem(ca.issuing_cert),
        "certificates/tsa.pem": _pem(pki.tsa().cert),
        "crl/issuing-ca.crl": pki.issuing_crl(),
        "crl/root-ca.crl": pki.root_crl(),
    }
    for old in tsa_rotation.tsa_certificates()[1:]:  # rotated TSA certificates (older time-stamps)
        files[f"certificates/tsa-{old.serial_number:x}.pem"] = _pem(old)
    certs = signer_certificates(pdf)
    for event in queries.signature_events(contract.id):
        der = certs.get(event.certificate_sha256)
        if der is None:
            raise verification.ArchiveMismatch("归档的合同中缺少签署记录所载的签名证书")
        name = f"certificates/signers/{event.party}-{event.certificate_serial}.pem"
        files[name] = _pem(x509.load_der_x509_certificate(der))
    return files


def signer_certificates(pdf: bytes) -> dict[str, bytes]:
    """The signers' certificates embedded in a signed PDF, DER by SHA-256 (hex)."""
    import io

    from pyhanko.pdf_utils.reader import PdfFileReader

    found = {}
    for sig in PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures:
        cert = sig.signer_cert
        if cert is not None:
            der = cert.dump()
            found[hashlib.sha256(der).hexdigest()] = der
    return found


def _render_report(report) -> bytes:
    from signing import render_report_pdf

    return render_report_pdf(report, pki.font())


def evidence_package(contract: Contract, filing: Filing, *, actor: str) -> tuple[str, bytes]:
    """Build the evidence ZIP of a filed contract and record ``evidence.exported`` (commits).

    :param contract: the filed contract.
    :param filing: its filing.
    :param actor: who exports it (``user:<id>``), written to the audit trail.
    :return: ``(file name, ZIP bytes)``; the name is ``<filing number>-evidence.zip``.
    :raises ServiceUnavailable: the archive cannot be reached.
    :raises verification.ArchiveMismatch: an archived file differs from what was filed.
    """
    from archive import build_evidence_package

    now = utcnow().replace(microsecond=0)
    data = build_evidence_package(filing_number=filing.number,
                                  files=package_files(contract, filing), created_at=now)
    audit.record(contract.id, actor, "evidence.exported", filing_number=filing.number,
                 sha256=hashlib.sha256(data).hexdigest(), size=len(data))
    db.session.commit()
    return f"{filing.number}-evidence.zip", data
