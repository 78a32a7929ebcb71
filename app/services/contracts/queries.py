"""Read-side helpers shared by the employer, auditor and API views."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, Contract, Filing, SignatureEvent
from app.services.contracts import documents, rules
from app.services.platform import scope
from app.services.platform.principal import Principal


def contract(p: Principal, contract_id: int) -> Contract:
    """The contract ``contract_id`` if ``p`` may see it; NotFound otherwise (no existence
    leak: another tenant's contract and a missing one give the same answer)."""
    return scope.contract(p, contract_id)


def contracts(p: Principal, limit: int = 200) -> list[Contract]:
    """The newest labor contracts ``p`` may see (lifecycle documents are in their chain)."""
    return list(db.session.scalars(scope.labor_contracts(p).order_by(Contract.id.desc()).limit(limit)))


def filing_of(contract_id: int) -> Filing | None:
    """The filing of a contract, if filed."""
    return db.session.scalar(select(Filing).where(Filing.contract_id == contract_id))


def filing_numbers(contract_ids: list[int]) -> dict[int, str]:
    """Filing numbers of the given contracts, by contract id."""
    if not contract_ids:
        return {}
    rows = db.session.execute(select(Filing.contract_id, Filing.number)
                              .where(Filing.contract_id.in_(contract_ids)))
    return {contract_id: number for contract_id, number in rows}


def signature_events(contract_id: int) -> list[SignatureEvent]:
    """Signature events of a contract, oldest first."""
    return list(db.session.scalars(select(SignatureEvent).where(
        SignatureEvent.contract_id == contract_id).order_by(SignatureEvent.id)))


def status_change(contract: Contract) -> AuditEvent | None:
    """The audit event that voided or declined the contract (its details hold the reason)."""
    if contract.status not in ("voided", "declined"):
        return None
    return db.session.scalar(select(AuditEvent).where(
        AuditEvent.contract_id == contract.id, AuditEvent.action == f"contract.{contract.status}")
        .order_by(AuditEvent.id.desc()).limit(1))


@dataclass(frozen=True)
class ContractPdf:
    """A contract's current PDF: its bytes (checked against the recorded hash) and names."""

    data: bytes
    contract_no: str
    sha256: str


def current_pdf(contract: Contract) -> ContractPdf:
    """The contract's current PDF (the surfaces send it with :func:`app.surface.contract_pdf`).

    :raises NotFound: the contract has no document yet.
    """
    data = documents.current_pdf(contract)
    return ContractPdf(data, contract.contract_no, contract.current_document.sha256)


def contract_summary(contract: Contract) -> dict:
    """The JSON view of a contract (personal data masked)."""
    filing = filing_of(contract.id)
    doc = contract.current_document
    change = status_change(contract)
    return {
        "id": contract.id,
        "contract_no": contract.contract_no,
        "status": contract.status,
        "template": contract.template,
        "document_kind": contract.document_kind,
        "parent_id": contract.parent_id,
        "project_id": contract.project_id,
        "project_team": contract.project_team,
        "employer": {"name": contract.organization.name, "uscc": contract.organization.uscc},
        "worker": {"name": contract.worker_name, "id_number": contract.worker.id_masked,
                   "phone": contract.worker_phone_masked},
        "terms": {k: v for k, v in contract.terms.items() if k != "worker_name"},
        "document": {"version": doc.version, "kind": doc.kind, "sha256": doc.sha256} if doc
        else None,
        "signatures": [{"party": e.party, "signer": e.signer_name, "signed_at":
                        e.signed_at.isoformat(), "certificate_serial": e.certificate_serial}
                       for e in signature_events(contract.id)],
        "created_at": contract.created_at.isoformat(),
        "sent_at": contract.sent_at.isoformat() if contract.sent_at else None,
        "signed_at": contract.signed_at.isoformat() if contract.signed_at else None,
        "status_reason": change.details.get("reason") if change else None,
        "status_changed_at": change.at.isoformat() if change else None,
        "filing": {"number": filing.number, "sha256": filing.sha256,
                   "archived_at": filing.archived_at.isoformat()} if filing else None,
        "warnings": rules.warnings_of(contract),
    }
