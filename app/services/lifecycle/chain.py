"""Lifecycle documents of a labor contract and the chain that shows them.

An amendment, termination or certificate is a :class:`Contract` row with its own
``document_kind`` and ``parent_id`` (the labor contract): it is rendered through the same
layout (its own clauses), sealed by the employer, signed by the worker on the phone and filed
by the same job as a contract. This module creates such a row up to the SMS (one call inside
the caller's transaction) and reads the chain: original → amendments → renewals →
termination → certificate.
"""

from __future__ import annotations

import dataclasses
from datetime import date

from sqlalchemy import select

from app import pii
from app.domain.beijing import document_number
from app.errors import Conflict, Forbidden
from app.extensions import db
from app.metrics import SIGNING_SECONDS
from app.models import Contract, Filing
from app.models.base import utcnow
from app.services.contracts import contracts, documents
from app.services.platform import counters, pki, scope
from app.services.platform.principal import Principal

PREFIXES = {"amendment": "BG", "termination": "JC", "certificate": "ZM"}
TITLES = {"amendment": "劳动合同变更协议", "termination": "解除（终止）劳动合同协议书",
          "certificate": "解除（终止）劳动合同证明书"}
ORDER = {"contract": 0, "amendment": 1, "termination": 3, "certificate": 4}
DEAD = ("voided", "declined", "expired")
NOT_IN_FORCE = "只有已签署生效的劳动合同可以办理变更或解除"


def own_contract(p: Principal, contract_id: int) -> Contract:
    """The employer's own labor contract, in force (signed or filed).

    :raises Forbidden: not an employer. :raises NotFound: not its contract, or a document.
    :raises Conflict: not in force (``not_in_force``).
    """
    if not p.is_employer:
        raise Forbidden("只有用人单位可以办理合同", code="not_employer")
    contract = scope.contract(p, contract_id)
    if contract.document_kind != "contract":
        raise Conflict("请在原劳动合同上办理", code="not_a_contract")
    if contract.status not in ("signed", "filed"):
        raise Conflict(NOT_IN_FORCE, code="not_in_force")
    return contract


def documents_of(parent: Contract, kind: str | None = None, *, live: bool = True) -> list[Contract]:
    """The lifecycle documents of ``parent`` (oldest first); ``live``: not voided/declined."""
    query = select(Contract).where(Contract.parent_id == parent.id).order_by(Contract.id)
    if kind:
        query = query.where(Contract.document_kind == kind)
    if live:
        query = query.where(Contract.status.notin_(DEAD))
    return list(db.session.scalars(query))


def terms_in_force(contract: Contract, on: date | None = None) -> dict:
    """The contract's terms with its filed amendments applied (those effective by ``on``,
    default: all of them), newest last."""
    terms = dict(contract.terms)
    for doc in documents_of(contract, "amendment"):
        effective = doc.terms.get("effective_from") or ""
        if doc.status == "filed" and (on is None or effective <= on.isoformat()):
            terms.update({k: v for k, v in doc.terms.get("new_values", {}).items()})
    return terms


def new_document(p: Principal, parent: Contract, kind: str, terms: dict, clause_texts: tuple,
                 preamble: str) -> Contract:
    """A lifecycle document row of ``parent``, rendered (draft version), in the session.

    The caller commits it before sealing (:func:`seal_committed`): the seal's time-stamp may
    take a serial block in its own transaction, which a pending write would lock out."""
    seq = counters.next_value("contract_no")
    doc = Contract(
        contract_no=document_number(PREFIXES[kind], seq, utcnow()), organization=parent.organization,
        template=parent.template, template_version=parent.template_version, status="draft",
        created_by_id=p.user_id, worker=parent.worker, worker_name=parent.worker_name,
        worker_phone_enc=parent.worker_phone_enc, worker_phone_masked=parent.worker_phone_masked,
        terms={**terms, "title": TITLES[kind], "preamble": preamble,
               "clauses": [[c.heading, list(c.paragraphs)] for c in clause_texts]},
        document_kind=kind, parent_id=parent.id)
    db.session.add(doc)
    base = contracts.terms_for_pdf(parent, pii.decrypt(parent.worker.id_number_enc))
    pdf = pki.render(dataclasses.replace(
        base, contract_no=doc.contract_no, title=TITLES[kind], clause_texts=clause_texts,
        preamble=preamble, subject=TITLES[kind], worker_signs=kind != "certificate"))
    documents.add_version(doc, "draft", pdf)
    db.session.flush()
    return doc


def seal(doc: Contract) -> object:
    """The employer's seal on the document's draft (no database write: call before them); a
    certificate, which only the employer signs, is finished to long-term validation by it."""
    org = doc.organization
    pdf, seal_png = documents.read(doc.current_document), pki.seal_image(org.name)
    with SIGNING_SECONDS.labels(party="employer").time():
        return pki.signer().seal_employer(pdf, org_name=org.name, uscc=org.uscc,
                                          seal_image=seal_png,
                                          final=doc.document_kind == "certificate")


def seal_committed(doc: Contract) -> object:
    """Commit the rendered draft, then seal it; when sealing fails the draft is voided (a
    retry draws up a new one) and the error is raised."""
    db.session.commit()
    try:
        return seal(doc)
    except Exception:
        db.session.rollback()
        doc.status = "voided"
        db.session.commit()
        raise


def root_of(contract: Contract) -> Contract:
    """The labor contract a document belongs to (itself for a contract)."""
    return contract.parent if contract.parent_id else contract


def chain(contract: Contract) -> list[Contract]:
    """original → amendments → renewals → termination → certificate (dead ones left out,
    except the original itself). Renewals are the contracts with ``renewal_of_id`` on it."""
    root = root_of(contract)
    docs = documents_of(root)
    renewals = list(db.session.scalars(select(Contract).where(
        Contract.renewal_of_id == root.id, Contract.status.notin_(DEAD)).order_by(Contract.id)))
    items = [root, *docs, *renewals]
    return sorted(items, key=lambda c: (2 if c.renewal_of_id == root.id else
                                        ORDER.get(c.document_kind, 5), c.id))


def chain_rows(contract: Contract) -> list[dict]:
    """The chain as rows for pages and the API: kind, number, status, filing number."""
    items = chain(contract)
    numbers = dict(db.session.execute(select(Filing.contract_id, Filing.number).where(
        Filing.contract_id.in_([c.id for c in items]))).all())
    return [{"id": c.id, "kind": "renewal" if c.renewal_of_id else c.document_kind,
             "title": c.terms.get("title") or contracts.TEMPLATE_TITLES.get(c.template, ""),
             "contract_no": c.contract_no, "status": c.status,
             "filing_number": numbers.get(c.id), "position": i}
            for i, c in enumerate(items)]
