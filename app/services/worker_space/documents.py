"""What the worker sees of their own contracts: every document they signed, with any
employer (whatever its status now), grouped by labor contract; each view and download is
recorded in that document's audit trail as ``person:<id>``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.orm import joinedload

from app.domain import labels
from app.domain.expiry import today_in_beijing
from app.domain.typed import Msg
from app.extensions import db
from app.models import Contract
from app.services.contracts import contracts, queries
from app.services.contracts.queries import ContractPdf
from app.services.lifecycle import chain
from app.services.platform import audit, scope
from app.services.platform.principal import Principal

RENEWAL = "续订劳动合同"
#: the order of a contract's documents on the page
ORDER = {"amendment": 1, "renewal": 2, "termination": 3, "certificate": 4}


@dataclass(frozen=True)
class Document:
    """One signed document as the worker's pages show it."""

    id: int
    kind: str  # contract | renewal | amendment | termination | certificate
    title: str  # a msgid
    contract_no: str
    employer: str
    status: Msg
    term: Msg | None
    filing_number: str | None
    signed_at: datetime | None
    parent_id: int | None = None
    documents: list[Document] = field(default_factory=list)  # a contract's later documents


def title_of(c: Contract) -> str:
    if c.document_kind != "contract":
        return chain.TITLES.get(c.document_kind, c.document_kind)
    return contracts.TEMPLATE_TITLES.get(c.template, c.template)


def term_words(c: Contract) -> Msg | None:
    """The contract's term in words (``None`` for a lifecycle document)."""
    if c.document_kind != "contract":
        return None
    start, end = c.terms.get("term_start") or "—", c.terms.get("term_end")
    if end:
        return Msg("%(start)s 至 %(end)s", start=start, end=end)
    # what ends a term without an end date, by kind: 无固定期限 only for an open-ended one
    words = Msg(labels.open_end(c.template, c.terms), task=c.terms.get("task_name", ""))
    return Msg("%(start)s 起，%(end)s", start=start, end=words)


def status_words(c: Contract, today: date | None = None) -> Msg:
    """Where the document stands, in words a worker reads."""
    today = today or today_in_beijing()
    if c.document_kind != "contract":
        return Msg("已备案") if c.status == "filed" else Msg("已签署，正在备案")
    if c.status == "terminated" or c.ended_on:
        return Msg("已解除（终止）")
    end = c.terms.get("term_end")
    if end and end < today.isoformat():
        return Msg("已期满")
    return Msg("已备案，履行中") if c.status == "filed" else Msg("已签署，正在备案")


def _document(c: Contract, numbers: dict[int, str], today: date) -> Document:
    kind = "renewal" if c.renewal_of_id else c.document_kind
    return Document(c.id, kind, RENEWAL if c.renewal_of_id else title_of(c), c.contract_no,
                    c.organization.name, status_words(c, today), term_words(c),
                    numbers.get(c.id), c.signed_at, c.parent_id or c.renewal_of_id)


def _visible(p: Principal) -> list[Contract]:
    return list(db.session.scalars(scope.contracts(p).options(
        joinedload(Contract.organization)).order_by(Contract.id)))


def _cards(rows: list[Contract]) -> list[Document]:
    """Labor contracts (renewals too, each its own card), newest first, each with its later
    documents (amendments, renewals, termination, certificate) in order."""
    today = today_in_beijing()
    numbers = queries.filing_numbers([c.id for c in rows])
    docs = {c.id: _document(c, numbers, today) for c in rows}
    cards = [docs[c.id] for c in rows if c.document_kind == "contract"]
    for c in rows:
        owner = c.parent_id if c.document_kind != "contract" else c.renewal_of_id
        if owner in docs:
            docs[owner].documents.append(docs[c.id])
    for card in cards:
        card.documents.sort(key=lambda d: (ORDER.get(d.kind, 5), d.id))
    return sorted(cards, key=lambda d: d.id, reverse=True)


def list_contracts(p: Principal) -> list[Document]:
    """The worker's labor contracts with their documents; the view is recorded on each."""
    rows = _visible(p)
    for c in rows:
        audit.record(c.id, p.actor, "portal.listed")
    cards = _cards(rows)
    db.session.commit()
    return cards


@dataclass(frozen=True)
class ContractView:
    """One document on its own page: what it is, its facts, its signatures."""

    document: Document
    facts: list[tuple[str, str]]  # (label msgid, value)
    sha256: str | None
    signatures: list[tuple[str, str, datetime]]  # (party, signer, signed at)
    related: list[Document]  # the rest of its contract's chain


FACTS = (("post", "工作岗位"), ("work_location", "工作地点"), ("project_name", "工程项目"))


def view_contract(p: Principal, contract_id: int) -> ContractView:
    """One of the worker's documents; the view is recorded in its trail.

    :raises NotFound: not one the worker signed (another person's looks the same).
    """
    c = scope.contract(p, contract_id)
    cards = _cards(_visible(p))
    card = next(k for k in cards if k.id == c.id or any(d.id == c.id for d in k.documents))
    shown = next(d for d in [card, *card.documents] if d.id == c.id)
    related = [d for d in [card, *card.documents] if d.id != c.id]
    if shown.kind == "renewal":  # the contract it continues, too
        related = [k for k in cards if k.id == shown.parent_id] + related
    doc = c.current_document
    view = ContractView(
        shown,
        [(label, str(c.terms[key])) for key, label in FACTS if c.terms.get(key)],
        doc.sha256 if doc else None,
        [(e.party, e.signer_name, e.signed_at) for e in queries.signature_events(c.id)],
        related)
    audit.record(c.id, p.actor, "portal.viewed")
    db.session.commit()
    return view


def download(p: Principal, contract_id: int) -> ContractPdf:
    """The signed PDF of one of the worker's documents, from the archive (checked against
    its recorded SHA-256), free of charge; the download is recorded in its trail.

    :raises NotFound: not the worker's, or no document. :raises DocumentMismatch: the
        archive copy does not match its hash. :raises ServiceUnavailable: archive down.
    """
    c = scope.contract(p, contract_id)
    pdf = queries.current_pdf(c)
    audit.record(c.id, p.actor, "portal.downloaded", sha256=pdf.sha256)
    db.session.commit()
    return pdf
