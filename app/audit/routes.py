"""Auditor views. Every read (search, view, PDF, verification report, evidence package) is
appended to the access log (:mod:`app.services.platform.access_log`) before it is answered."""

from flask import render_template, request

from app.audit.blueprint import bp
from app.auth.access import current_principal, role_required
from app.errors import NotFound
from app.services.contracts import queries
from app.services.filing import evidence, search, verification
from app.services.lifecycle import chain
from app.services.platform import audit as audit_log
from app.services.platform.access_log import mask_text, record_read
from app.surface import NOTHING, Refusal, attempt, contract_pdf, download

AUDIT_ROLES = ("auditor", "platform_admin")
#: characters of each search field the access log keeps
LOGGED_CHARS = 100


def logged_criteria(form) -> dict[str, str]:
    """The search as the access log keeps it: only the form's own fields
    (:data:`search.SEARCH_FIELDS`), personal numbers masked (spaces typed inside them too),
    each cut to :data:`LOGGED_CHARS` characters after masking."""
    out = {}
    for name in search.SEARCH_FIELDS:
        value = form.get(name)
        if isinstance(value, str) and value.strip():
            out[name] = mask_text(value)[:LOGGED_CHARS]
    return out


@bp.route("/", methods=["GET", "POST"])
@role_required(*AUDIT_ROLES)
def search_page():
    # Searches are POSTed: an ID number must never end up in a URL (logs, history, referrers).
    results = None
    if request.method == "POST":
        p = current_principal()
        results = attempt(search.search_contracts, p, request.form, again=search_page_with)
        record_read(p, "search", count=getattr(results, "total", None) or len(results),
                    criteria=logged_criteria(request.form))
    return search_page_with(results=results)


def search_page_with(refused: Refusal = NOTHING, results=None):
    """The search page with the posted form kept, the results (if any) and a refusal's
    reasons (used again by the archive jobs' evidence-ZIP request)."""
    form = request.form if request.method == "POST" else {}
    return render_template("audit/search.html",
                           params={k: form.get(k, "") for k in search.SEARCH_FIELDS},
                           results=results, errors=refused.fields, message=refused.message,
                           filings=queries.filing_numbers([c.id for c in results or []]),
                           scoped=search.in_scope(current_principal())), refused.status


@bp.route("/contracts/<int:contract_id>")
@role_required(*AUDIT_ROLES)
def contract(contract_id: int):
    p = current_principal()
    found = search.auditable_contract(p, contract_id)
    record_read(p, "view", target=f"contract:{found.id}")
    filing = queries.filing_of(found.id)
    report = verification.for_filing(filing) if filing else None
    trail = audit_log.trail(found.id)
    return render_template("audit/contract.html", contract=found, filing=filing, report=report,
                           events=queries.signature_events(found.id), trail=trail,
                           chain_ok=audit_log.verify_chain(trail), chain=chain.chain_rows(found))


@bp.route("/contracts/<int:contract_id>/pdf")
@role_required(*AUDIT_ROLES)
def pdf(contract_id: int):
    p = current_principal()
    found = search.auditable_contract(p, contract_id, purpose="pdf")
    record_read(p, "download", target=f"contract:{found.id}")
    filing = queries.filing_of(found.id)
    if filing is None:
        return contract_pdf(queries.current_pdf(found))
    return download(verification.archived_pdf(filing), "application/pdf", f"{filing.number}.pdf",
                    sha256=filing.sha256)


@bp.route("/contracts/<int:contract_id>/verification.pdf")
@role_required(*AUDIT_ROLES)
def verification_pdf(contract_id: int):
    """The verification report of the filed (or current) document as a PDF."""
    p = current_principal()
    found = search.auditable_contract(p, contract_id, purpose="verification")
    record_read(p, "verify", target=f"contract:{found.id}")
    report = verification.for_contract(found)
    return download(verification.report_pdf(report), "application/pdf",
                    f"{found.contract_no}-verification.pdf")


@bp.route("/contracts/<int:contract_id>/evidence.zip")
@role_required(*AUDIT_ROLES)
def evidence_zip(contract_id: int):
    """The evidence package of a filed contract: ZIP checkable offline with standard tools."""
    p = current_principal()
    found = search.auditable_contract(p, contract_id, purpose="evidence")
    filing = queries.filing_of(found.id)
    if filing is None:
        raise NotFound("合同尚未备案，暂无证据包", code="not_filed")
    name, data = evidence.evidence_package(found, filing, actor=p.actor)
    record_read(p, "evidence", target=f"contract:{found.id}")
    return download(data, "application/zip", name)
