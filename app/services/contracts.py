"""Employer use cases: create a contract from the fixed-term template, seal and send it."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app import pii
from app.domain.ids import mask_id, mask_phone
from app.domain.terms import HOURS_SYSTEMS, validate_terms
from app.errors import Conflict, ValidationFailed
from app.extensions import db
from app.models import Contract, ContractDocument, Organization, SignatureEvent, SigningLink, Worker
from app.models.base import utcnow
from app.services import audit, counters, jobs, pki

TEMPLATE_TITLES = {"fixed_term": "劳动合同（固定期限）"}


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _find_or_add_worker(clean: dict) -> Worker:
    id_hash = pii.keyed_hash(clean["worker_id_number"])
    worker = db.session.scalar(select(Worker).where(Worker.id_hash == id_hash))
    if worker is None:
        worker = Worker(
            name=clean["worker_name"],
            id_hash=id_hash,
            id_number_enc=pii.encrypt(clean["worker_id_number"]),
            id_masked=mask_id(clean["worker_id_number"]),
            phone_enc=pii.encrypt(clean["worker_phone"]),
            phone_masked=mask_phone(clean["worker_phone"]),
        )
        db.session.add(worker)
    elif worker.name != clean["worker_name"]:
        raise ValidationFailed(
            "身份证号码已登记在另一姓名下，请核对姓名",
            fields={"worker_name": "姓名与该身份证号码已登记的姓名不一致"},
        )
    else:
        worker.phone_enc = pii.encrypt(clean["worker_phone"])
        worker.phone_masked = mask_phone(clean["worker_phone"])
    return worker


def terms_for_pdf(contract: Contract, id_number: str | None = None):
    """The signing library's ContractTerms for ``contract`` (decrypts the ID number)."""
    from signing import ContractTerms

    t, org = contract.terms, contract.organization
    return ContractTerms(
        contract_no=contract.contract_no,
        title=TEMPLATE_TITLES[contract.template],
        employer_name=org.name,
        employer_uscc=org.uscc,
        employer_address=org.address,
        employer_legal_rep=org.legal_rep,
        worker_name=t["worker_name"],
        worker_id_number=id_number or pii.decrypt(contract.worker.id_number_enc),
        worker_phone=pii.decrypt(contract.worker.phone_enc),
        worker_address=t.get("worker_address") or "",
        term_start=date.fromisoformat(t["term_start"]),
        term_end=date.fromisoformat(t["term_end"]),
        probation_months=int(t["probation_months"]),
        probation_wage=Decimal(t["probation_wage"] or t["monthly_wage"]),
        post=t["post"],
        work_location=t["work_location"],
        hours_system=HOURS_SYSTEMS[t["hours_system"]],
        monthly_wage=Decimal(t["monthly_wage"]),
        pay_day=int(t["pay_day"]),
        social_insurance=t["social_insurance"],
        labor_protection=t["labor_protection"],
        other_terms=t.get("other_terms") or "",
    )


def create_contract(org: Organization, raw: dict, *, actor: str, user_id: int | None = None):
    """Validate the typed terms, register the worker, render the PDF; one transaction.

    :raises ValidationFailed: with a message per bad field; nothing is written.
    """
    clean, errors = validate_terms(raw, region_code=org.region_code)
    if errors:
        raise ValidationFailed("合同信息有误，请检查标出的字段", fields=errors)
    worker = _find_or_add_worker(clean)
    id_number = clean.pop("worker_id_number")
    clean.pop("worker_phone")
    seq = counters.next_value("contract_no")
    contract = Contract(
        contract_no=f"HT{utcnow():%Y%m%d}{seq:06d}",
        organization=org,
        worker=worker,
        template="fixed_term",
        terms=clean,
        status="draft",
        created_by_id=user_id,
    )
    db.session.add(contract)
    pdf = pki.render(terms_for_pdf(contract, id_number))
    db.session.add(
        ContractDocument(contract=contract, version=1, kind="draft", sha256=_sha256(pdf), data=pdf)
    )
    db.session.flush()
    audit.record(contract.id, actor, "contract.created", contract_no=contract.contract_no)
    db.session.commit()
    return contract


def send_contract(contract: Contract, *, actor: str, user_id: int | None, via: str,
                  ip: str | None, user_agent: str | None) -> str:
    """Seal the contract with the employer's event certificate and text the worker a link.

    :returns: the signing-link token (shown to the caller once; only its hash is stored).
    :raises Conflict: when the contract is not a draft any more.
    """
    if contract.status != "draft":
        raise Conflict(f"合同当前状态为「{contract.status}」，不能再次发送", code="not_draft")
    org, doc = contract.organization, contract.current_document
    result = pki.signer().seal_employer(
        doc.data, org_name=org.name, uscc=org.uscc, seal_image=pki.seal_image(org.name)
    )
    try:
        token = _record_seal(contract, doc, result, actor=actor, user_id=user_id, via=via, ip=ip,
                             user_agent=user_agent)
        db.session.commit()
    except (StaleDataError, IntegrityError):
        db.session.rollback()
        raise Conflict("合同已被他人发送，请刷新页面", code="not_draft") from None
    return token


def _record_seal(contract: Contract, doc: ContractDocument, result, *, actor: str,
                 user_id: int | None, via: str, ip: str | None, user_agent: str | None) -> str:
    """Write the sealed version, the evidence, the link and the SMS job; returns the token."""
    org = contract.organization
    db.session.add(ContractDocument(contract=contract, version=doc.version + 1, kind="sealed",
                                    sha256=result.sha256_after, data=result.pdf))
    db.session.add(SignatureEvent(
        contract_id=contract.id, party="employer", signer_name=org.name, user_id=user_id,
        identity_method=via, identity_evidence={"actor": actor},
        certificate_serial=result.certificate_serial, certificate_pem=result.certificate_pem,
        ip=ip, user_agent=(user_agent or "")[:400], sha256_before=result.sha256_before,
        sha256_after=result.sha256_after, signed_at=result.signed_at,
    ))
    token = issue_link(contract)
    contract.status, contract.sent_at = "sent", utcnow()
    audit.record(contract.id, actor, "contract.sealed", certificate=result.certificate_serial,
                 sha256=result.sha256_after)
    audit.record(contract.id, actor, "contract.sent", to=contract.worker.phone_masked)
    return token


def issue_link(contract: Contract) -> str:
    """Add a new signing link (valid SIGN_LINK_DAYS) and queue the SMS inviting the worker.

    Part of the caller's transaction; returns the token (only its hash is stored).
    """
    token = secrets.token_urlsafe(24)
    days = current_app.config["SIGN_LINK_DAYS"]
    db.session.add(SigningLink(contract=contract, token_hash=pii.token_hash(token),
                               expires_at=utcnow() + timedelta(days=days)))
    url = f"{current_app.config['BASE_URL']}/s/{token}"
    text = (f"【智慧星用工】{contract.organization.name}邀请您签署劳动合同，"
            f"请在{days}天内打开 {url} 查看并签署。")
    queue_sms(contract, text)
    return token


def queue_sms(contract: Contract, text: str) -> None:
    """Queue a text message to the contract's worker (stored encrypted in the job)."""
    jobs.enqueue("sms", {"worker_id": contract.worker_id, "text_enc": pii.encrypt(text)})


def send_queued_sms(payload: dict) -> None:
    """The ``sms`` job: text ``payload["text_enc"]`` to the worker (app.services.job_handlers)."""
    from app.services import sms

    worker = db.session.get(Worker, payload["worker_id"])
    sms.gateway().send(pii.decrypt(worker.phone_enc), pii.decrypt(payload["text_enc"]))
