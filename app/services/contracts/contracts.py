"""Employer use cases: create a contract from the fixed-term template, edit the draft,
seal and send it. Every function takes the acting :class:`Principal` and finds the contract
through :mod:`app.services.platform.scope`: an employer reaches only its own contracts.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app import pii
from app.domain.beijing import document_number
from app.domain.ids import mask_id, mask_phone
from app.domain.rules import typed_law_fields
from app.domain.templates import validate_fields
from app.domain.templates.standard import LABOR_PROTECTION, SOCIAL_INSURANCE
from app.domain.terms import validate_terms
from app.errors import Conflict, Forbidden, ValidationFailed
from app.extensions import db
from app.metrics import SIGNING_SECONDS
from app.models import (
    Contract,
    ContractDocument,
    Organization,
    SignatureEvent,
    TemplateVersion,
    Worker,
)
from app.models.base import utcnow
from app.services.contracts import contract_project, documents, invites
from app.services.contracts import rules as rule_engine
from app.services.platform import audit, counters, pki, scope
from app.services.platform.principal import Principal
from app.services.templates import template_text, templates

TEMPLATE_TITLES = template_text.TITLES
INVALID = "合同信息有误，请检查标出的字段"


def _person(id_number: str) -> Worker:
    """The shared record of the person with this ID number (created on first contract).

    Nothing an employer types besides the ID number itself lives there, so finding or creating
    it neither changes nor reveals anything of another employer's contracts.
    """
    id_hash = pii.keyed_hash(id_number)
    worker = db.session.scalar(select(Worker).where(Worker.id_hash == id_hash))
    if worker is None:
        worker = Worker(id_hash=id_hash, id_number_enc=pii.encrypt(id_number),
                        id_masked=mask_id(id_number))
        db.session.add(worker)
        try:
            with db.session.begin_nested():
                db.session.flush([worker])
        except IntegrityError:  # another employer's request registered the person meanwhile
            worker = db.session.scalar(select(Worker).where(Worker.id_hash == id_hash))
    return worker


def _employer(p: Principal) -> Organization:
    """The organization ``p`` acts for. :raises Forbidden: ``p`` is not an employer."""
    if not p.is_employer:
        raise Forbidden("只有用人单位可以办理合同", code="not_employer")
    return db.session.get(Organization, p.organization_id)


def typed_terms(version: TemplateVersion, raw: dict) -> tuple[dict, dict]:
    """The typed fields of ``raw`` by the template version's kind: (clean, errors by field)."""
    if version.template.kind == "fixed_term":
        defaults = {"social_insurance": SOCIAL_INSURANCE, "labor_protection": LABOR_PROTECTION}
        return validate_terms({**raw, **{name: text for name, text in defaults.items()
                                         if raw.get(name) in (None, "")}})
    clean, errors = validate_fields(version.fields, raw)
    clean.update(template_text.foreign_terms(version, raw, errors))
    clean.update(typed_law_fields(version.template.kind, version.fields, raw, errors))
    return clean, errors


def assess(org: Organization, version: TemplateVersion, raw: dict) -> tuple[dict, dict, list]:
    """Every problem of ``raw`` as a contract of ``org`` on ``version``, writing nothing:
    ``(clean terms, errors by field — typing and the law's errors —, the law's warnings)``.
    What the law says is judged on the fields typed well."""
    kind = version.template.kind
    clean, errors = typed_terms(version, raw)
    typed_well = {k: "" if k in errors else v for k, v in clean.items()}
    id_number = typed_well.get("worker_id_number") or None
    warnings = []
    for f in rule_engine.findings(org, typed_well, id_number, kind=kind):
        if f.severity == "error":
            errors.setdefault(template_text.field_of(kind, f.field) or f.rule.id, f.message)
        else:
            warnings.append(f)
    return clean, errors, warnings


def _checked(org: Organization, raw: dict, version: TemplateVersion,
             link_errors: dict | None = None) -> dict:
    if not isinstance(raw, dict):
        raise ValidationFailed("请求体必须是 JSON 对象", code="malformed_json")
    clean, errors = typed_terms(version, raw)
    if errors:  # what the law says about the fields typed well, in the same answer
        _, errors, _ = assess(org, version, raw)
    errors = {**(link_errors or {}), **errors}
    if errors:
        raise ValidationFailed(INVALID, fields=errors)
    return clean


def _link(p: Principal, raw: object, version: TemplateVersion
          ) -> tuple[object, contract_project.Link, dict]:
    """The project and team ``raw`` names, and ``raw`` with them filled in."""
    return contract_project.resolve(p, raw, {f["name"] for f in version.fields})


def _apply_worker(contract: Contract, clean: dict) -> str:
    """Move the worker's identity out of the terms into the contract; returns the ID number."""
    id_number = clean.pop("worker_id_number")
    phone = clean.pop("worker_phone")
    contract.worker = _person(id_number)
    contract.worker_name = clean.pop("worker_name")
    contract.worker_phone_enc, contract.worker_phone_masked = pii.encrypt(phone), mask_phone(phone)
    contract.terms = clean
    return id_number


def terms_for_pdf(contract: Contract, id_number: str | None = None):
    """The signing library's ContractTerms for ``contract`` (decrypts the ID number); the
    clauses come from the contract's template version (:mod:`app.services.templates.template_text`)."""
    org = contract.organization
    base = dict(contract_no=contract.contract_no, employer_name=org.name,
                employer_uscc=org.uscc, employer_address=org.address,
                employer_legal_rep=org.legal_rep, worker_name=contract.worker_name,
                worker_id_number=id_number or pii.decrypt(contract.worker.id_number_enc),
                worker_phone=pii.decrypt(contract.worker_phone_enc),
                other_terms=_other_terms(contract.terms))
    return template_text.pdf_terms(contract, base)


NON_COMPETE_CLAUSE = ("竞业限制：劳动合同解除或者终止后%(months)s个月内，劳动者负有竞业限制义务，"
                      "用人单位按月给予经济补偿。")


def _other_terms(t: dict) -> str:
    """The other terms, with the non-compete agreed (if any) stated after them."""
    text = t.get("other_terms") or ""
    if months := int(t.get("non_compete_months") or 0):
        clause = NON_COMPETE_CLAUSE % {"months": months}
        text = f"{text}\n{clause}" if text else clause
    return text


def _findings(p: Principal, org: Organization, clean: dict, acknowledged: list[str] | tuple,
              require_acknowledged: bool, draft: Contract | None = None,
              kind: str = "fixed_term") -> list:
    """The rule engine's warnings on ``clean``. :raises RulesViolated: an error.
    :raises WarningsNotAcknowledged: ``require_acknowledged`` and a warning neither in
    ``acknowledged`` nor acknowledged on ``draft`` before with the same figures (nothing is
    written: the form asks first)."""
    findings = rule_engine.check(org, clean, clean["worker_id_number"], kind=kind,
                                 exclude_id=draft.id if draft else None)
    if draft is not None:
        pending = rule_engine.pending(draft, findings, acknowledged)
    else:
        pending = [f for f in findings if f.rule.id not in acknowledged]
    if require_acknowledged and pending:
        raise rule_engine.WarningsNotAcknowledged(findings, pending)
    return findings


def create_contract(p: Principal, raw: dict, *, acknowledged: list[str] | tuple = (),
                    require_acknowledged: bool = False,
                    before_commit: Callable[[Contract], None] | None = None) -> Contract:
    """Validate the typed terms and check them by labor law, render the draft PDF; one
    transaction. Warnings are kept on the contract (``rule_results``) with the
    acknowledgements given in ``acknowledged`` (rule ids; recorded in the audit trail).

    :param p: an employer user or API key; the contract belongs to its organization.
    :param require_acknowledged: refuse (nothing written) while a warning is not
        acknowledged — the form's behaviour; the API creates the draft and returns them.
    :raises ValidationFailed: with a message per bad field (``RulesViolated`` for the rule
        engine's errors); nothing is written.
    :param before_commit: called with the new contract inside its transaction (a batch
        row records which contract it made, exactly once).
    :raises WarningsNotAcknowledged: see ``require_acknowledged``.
    :raises Forbidden: ``p`` is not an employer.
    """
    org = _employer(p)
    version = templates.version_for(p, raw.get("template") if isinstance(raw, dict) else None)
    raw, link, link_errors = _link(p, raw, version)
    clean = _checked(org, raw, version, link_errors)
    findings = _findings(p, org, clean, acknowledged, require_acknowledged,
                         kind=version.template.kind)
    seq = counters.next_value("contract_no")
    contract = Contract(contract_no=document_number("HT", seq, utcnow()), organization=org,
                        template=version.template.kind, template_version=version.number,
                        template_version_row=version, status="draft", created_by_id=p.user_id)
    id_number = _apply_worker(contract, clean)
    contract_project.apply(contract, link)
    db.session.add(contract)
    pdf = pki.render(terms_for_pdf(contract, id_number))
    documents.add_version(contract, "draft", pdf)
    db.session.flush()
    audit.record(contract.id, p.actor, "contract.created", contract_no=contract.contract_no)
    rule_engine.acknowledge(p, contract, findings, acknowledged)
    if before_commit is not None:
        before_commit(contract)
    db.session.commit()
    return contract


def update_draft(p: Principal, contract_id: int, raw: dict, *,
                 acknowledged: list[str] | tuple = (),
                 require_acknowledged: bool = False) -> Contract:
    """Replace the terms of a draft (worker's name, phone, ID number included), check them by
    labor law and re-render; warnings and acknowledgements as in :func:`create_contract`.

    :raises NotFound: not the employer's contract. :raises Conflict: no longer a draft.
    :raises ValidationFailed: a message per bad field; the draft stays as it was.
    :raises WarningsNotAcknowledged: ``require_acknowledged`` and a warning not acknowledged.
    """
    org = _employer(p)
    contract = scope.contract(p, contract_id)
    if contract.status != "draft":
        raise Conflict("只有草稿可以修改；已发送的合同请作废后重新创建", code="not_draft")
    raw = dict(raw) if isinstance(raw, dict) else raw
    for name, enc in (("worker_id_number", contract.worker.id_number_enc),
                      ("worker_phone", contract.worker_phone_enc)):
        if isinstance(raw, dict) and raw.get(name) in (None, ""):  # left empty: unchanged
            raw[name] = pii.decrypt(enc)
    version = contract.template_version_row or templates.version_for(p, None)
    raw, link, link_errors = _link(p, raw, version)
    clean = _checked(org, raw, version, link_errors)
    findings = _findings(p, org, clean, acknowledged, require_acknowledged, contract,
                         kind=contract.template)
    id_number = _apply_worker(contract, clean)
    contract_project.apply(contract, link)
    doc = documents.add_version(contract, "draft", pki.render(terms_for_pdf(contract, id_number)))
    audit.record(contract.id, p.actor, "contract.edited", version=doc.version)
    rule_engine.acknowledge(p, contract, findings, acknowledged)
    try:
        db.session.commit()
    except (StaleDataError, IntegrityError):
        db.session.rollback()
        raise Conflict("合同刚刚被他人修改或发送，请刷新页面", code="state_changed") from None
    return contract


def draft_values(contract: Contract) -> dict:
    """The draft's terms as the edit form shows them; the ID number and phone are left empty
    (shown masked beside the field; left empty they stay unchanged)."""
    values = {k: ("1" if v else "") if isinstance(v, bool) else str(v)
              for k, v in contract.terms.items()}
    values.update(worker_name=contract.worker_name, worker_id_number="", worker_phone="",
                  project_id=str(contract.project_id or ""),
                  project_team=contract.project_team or "")
    return values


SEAL_VIA = {"user": "platform_login", "api_key": "api_key", "system": "seed"}


def send_contract(p: Principal, contract_id: int, *, acknowledged: list[str] | tuple = (),
                  ip: str | None = None, user_agent: str | None = None) -> tuple[Contract, str]:
    """Check the contract by labor law again (today's facts), then seal it with the
    employer's event certificate and text the worker a link.

    :param acknowledged: rule ids of warnings acknowledged now (recorded in the trail).
    :returns: the contract and the signing-link token (shown to the caller once; only its
        hash is stored).
    :raises NotFound: not the employer's contract. :raises Conflict: not a draft any more.
    :raises RulesViolated: a rule gives an error (``rule_violations``, e.g. an overlapping
        contract sent meanwhile). :raises WarningsNotAcknowledged: a warning is pending.
    """
    org = _employer(p)
    contract = scope.contract(p, contract_id)
    if contract.status != "draft":
        raise Conflict("合同已发送或已结束，不能再次发送", code="not_draft")
    # One send per person at a time (PostgreSQL), so two overlapping drafts cannot both pass.
    db.session.execute(select(Worker.id).where(Worker.id == contract.worker_id).with_for_update())
    findings = rule_engine.check(org, {**contract.terms, "worker_name": contract.worker_name},
                                 pii.decrypt(contract.worker.id_number_enc),
                                 exclude_id=contract.id, error_code="rule_violations",
                                 kind=contract.template)
    if pending := rule_engine.pending(contract, findings, acknowledged):
        raise rule_engine.WarningsNotAcknowledged(findings, pending)
    doc = contract.current_document
    pdf, seal = documents.read(doc), pki.seal_image(org.name)
    with SIGNING_SECONDS.labels(party="employer").time():
        result = pki.signer().seal_employer(  # nothing written before: no lock held meanwhile
            pdf, org_name=org.name, uscc=org.uscc, seal_image=seal)
    try:
        rule_engine.acknowledge(p, contract, findings, acknowledged)
        token = _record_seal(contract, doc, result, p, ip=ip, user_agent=user_agent)
        db.session.commit()
    except (StaleDataError, IntegrityError):
        db.session.rollback()
        raise Conflict("合同已被他人发送，请刷新页面", code="not_draft") from None
    return contract, token


def _record_seal(contract: Contract, doc: ContractDocument, result, p: Principal, *,
                 ip: str | None, user_agent: str | None) -> str:
    """Write the sealed version, the evidence, the link and the SMS job; returns the token."""
    org = contract.organization
    documents.add_version(contract, "sealed", result.pdf)
    db.session.add(SignatureEvent(
        contract_id=contract.id, party="employer", signer_name=org.name, user_id=p.user_id,
        identity_method=SEAL_VIA.get(p.kind, p.kind), identity_evidence={"actor": p.actor},
        certificate_serial=result.certificate_serial,
        certificate_sha256=pki.certificate_sha256(result.certificate_pem),
        ip=ip, user_agent=(user_agent or "")[:400], sha256_before=result.sha256_before,
        sha256_after=result.sha256_after, signed_at=result.signed_at,
    ))
    token = invites.issue_link(contract)
    contract.status, contract.sent_at = "sent", utcnow()
    audit.record(contract.id, p.actor, "contract.sealed", certificate=result.certificate_serial,
                 sha256=result.sha256_after)
    audit.record(contract.id, p.actor, "contract.sent", to=contract.worker_phone_masked)
    return token
