"""Automatic filing (网签即用工备案): archive the signed contract and create the Filing.

Runs as the ``file_contract`` job, queued in the same transaction as the last signature.
Idempotent: a retry after a crash re-uses what already reached the archive.
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from app.domain.typed import Msg
from app.extensions import archive_ext, db
from app.metrics import FILING_LAG_SECONDS
from app.models import Contract, Filing, FilingTimestamp, SignatureEvent
from app.models.base import utcnow
from app.services.contracts import documents, invites
from app.services.platform import audit, events, jobs
from archive import build_manifest

log = logging.getLogger(__name__)
SMS_FILED = ("【智慧星用工】您与%(employer)s的劳动合同已签署并完成用工备案，备案号%(number)s。"
             "您可随时在 %(portal)s 凭姓名、身份证号和本手机号免费查看、下载和打印合同。")


def store():
    """The archive store of the current app (the ``archive_ext`` extension's, opened from the
    config at first use; ArchiveUnavailable when S3 is down: the job retries later)."""
    return archive_ext.store(current_app)


def _put_once(existing: dict, key: str, data: bytes, content_type: str, retain_until: datetime):
    """Store ``data`` unless the same bytes are there already (retries of a filing).

    :param existing: what the filing's folder already holds (key -> stored object), listed
        once per filing: a first attempt costs one listing and the puts, no stat per key.
    When a retained object of another content holds the key (a retry after the audit trail
    grew), the bytes go to a sibling key carrying their hash; nothing is overwritten.
    """
    digest = _sha256(data)
    found = existing.get(key)
    if found is None:
        return store().put(key, data, content_type=content_type, retain_until=retain_until)
    if found.sha256 == digest:
        return found
    stem, dot, ext = key.rpartition(".")
    return _put_once(existing, f"{stem}-{digest[:12]}{dot}{ext}", data, content_type,
                     retain_until)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def signers_of(contract_id: int) -> list[dict]:
    """Signer entries for the manifest (masked, no plain ID numbers)."""
    events = db.session.scalars(select(SignatureEvent).where(
        SignatureEvent.contract_id == contract_id).order_by(SignatureEvent.id))
    return [{"party": e.party, "name": e.signer_name, "certificate_serial": e.certificate_serial,
             "signed_at": e.signed_at.isoformat(), "identity_method": e.identity_method,
             "sha256_before": e.sha256_before, "sha256_after": e.sha256_after} for e in events]


def file_contract(payload: dict) -> None:
    """Archive the signed PDF, the manifest and the audit trail; record the Filing."""
    contract = db.session.get(Contract, payload["contract_id"])
    if db.session.scalar(select(Filing).where(Filing.contract_id == contract.id)):
        return
    number, doc = payload["filing_number"], contract.current_document
    prefix = f"filings/{contract.organization.uscc}/{number}/"
    keep = documents.retention_for(contract)
    # A first attempt finds an empty folder (nothing to look up); a retry lists what an
    # earlier attempt stored, so that nothing is written twice.
    first = payload.get(jobs.ATTEMPT_KEY, 1) <= 1
    existing = {} if first else {o.key: o for o in store().list(prefix)}
    # The signed PDF is already archived, retained, as the contract's signed version: the
    # filing refers to that object (checked against its SHA-256) instead of copying it.
    pdf = documents.stored(doc)
    trail = json.dumps(audit.export(contract.id), ensure_ascii=False, indent=1).encode()
    trail_obj = _put_once(existing, prefix + "audit-trail.json", trail, "application/json", keep)
    now = utcnow().replace(microsecond=0)
    signed_at = contract.signed_at.replace(microsecond=0)  # deterministic across retries
    manifest = build_manifest(
        filing_number=number,
        contract_id=contract.id,
        documents=[
            {"key": o.key, "sha256": o.sha256, "size": o.size, "content_type": o.content_type}
            for o in (pdf, trail_obj)
        ],
        signers=signers_of(contract.id),
        extra={"contract_no": contract.contract_no, "document_kind": contract.document_kind,
               "parent_contract_no": contract.parent.contract_no if contract.parent else None,
               "employer": contract.organization.name,
               "employer_uscc": contract.organization.uscc, "worker": contract.worker_name,
               "worker_id": contract.worker.id_masked,
               "term_start": contract.terms.get("term_start"),
               "term_end": contract.terms.get("term_end"), "retain_until": keep.isoformat()},
        created_at=signed_at,
    )
    man = _put_once(existing, prefix + "manifest.json", manifest, "application/json", keep)
    db.session.add(Filing(number=number, contract_id=contract.id, pdf_key=pdf.key,
                          manifest_key=man.key, audit_key=trail_obj.key, sha256=pdf.sha256,
                          manifest_sha256=man.sha256, retain_until=keep, archived_at=now))
    contract.status = "filed"
    audit.record(contract.id, "system", "contract.filed", filing_number=number, sha256=pdf.sha256)
    # filing lag: the last signature to this filing (a retry counts from the same signature)
    FILING_LAG_SECONDS.observe(max((utcnow() - contract.signed_at).total_seconds(), 0.0))
    log.info("contract %s filed as %s", contract.contract_no, number)
    if contract.document_kind != "contract":
        _filed_document(contract, number)
        return
    invites.queue_sms(contract, Msg(SMS_FILED, employer=contract.organization.name,
                                      number=number, portal=portal_url()))


SMS_FILED_DOCUMENT = ("【智慧星用工】您与%(employer)s的%(title)s已完成备案，备案号%(number)s。"
                      "您可随时在 %(portal)s 凭姓名、身份证号和本手机号免费查看和下载。")


def portal_url() -> str:
    """Where a worker keeps every contract they signed (the portal), once signing links expire."""
    return f"{current_app.config['BASE_URL']}/me/"


def _filed_document(doc: Contract, number: str) -> None:
    """A lifecycle document is filed: its contract's trail says so; ``document.filed`` is
    published (a termination ends the contract: :func:`app.services.lifecycle.termination.on_filed`);
    the worker is told (the certificate's own text is sent when it is issued)."""
    audit.record(doc.parent_id, "system", f"{doc.document_kind}.filed",
                 document=doc.contract_no, filing_number=number)
    events.publish("document.filed", document=doc)
    if doc.document_kind != "certificate":
        invites.queue_sms(doc, Msg(SMS_FILED_DOCUMENT, employer=doc.organization.name,
                                     title=doc.terms.get("title", ""), number=number,
                                     portal=portal_url()))


def extend_retention(contract: Contract) -> datetime:
    """Keep the contract's filing (and its archived document versions) until
    :func:`app.services.contracts.documents.retention_for` at least; returns the retention now recorded.

    Retention only grows (object lock): where the archive keeps the objects longer already
    (the term ran past the last working day), that longer date stays.
    """
    wanted = documents.retention_for(contract)
    # locked (PostgreSQL) as the time-stamp renewal locks it: a renewal stored meanwhile is
    # either seen below or stores its object with the new retention
    filed = db.session.scalar(select(Filing).where(Filing.contract_id == contract.id)
                              .with_for_update().execution_options(populate_existing=True))
    if filed is None or filed.retain_until >= wanted:
        return filed.retain_until if filed else wanted
    s = store()
    if getattr(s, "supports_retention", True):
        renewals = db.session.scalars(select(FilingTimestamp.key).where(
            FilingTimestamp.filing_id == filed.id, FilingTimestamp.seq > 0))
        keys = {filed.pdf_key, filed.manifest_key, filed.audit_key,
                *(d.key for d in contract.documents), *renewals}
        for key in sorted(keys):
            current = s.retention(key)
            if current is not None and current < wanted:
                s.extend_retention(key, wanted)
    filed.retain_until = wanted
    return wanted
