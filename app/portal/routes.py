"""The signed-in worker's pages: their contracts, one document, its PDF, pay, history, and who
(which office) opened their contracts."""

from __future__ import annotations

from flask import render_template

from app.domain import labels
from app.errors import translate
from app.portal.blueprint import bp
from app.portal.cookies import person_required
from app.services import worker_space
from app.services.filing import certified_copy
from app.services.worker_space import history, opened, pay
from app.surface import download as send_file


@bp.context_processor
def _words():
    """``tr``: a service's message (a msgid with its values) in the reader's language."""
    return {"tr": translate}


@bp.route("/")
@person_required
def home(person):
    """Every contract the worker signed, with any employer, and its documents."""
    return render_template("portal/home.html", cards=worker_space.list_contracts(person))


@bp.route("/contracts/<int:contract_id>")
@person_required
def contract(person, contract_id: int):
    """One signed document: what it is, its facts, signatures and related documents."""
    return render_template("portal/contract.html",
                           view=worker_space.view_contract(person, contract_id))


@bp.route("/contracts/<int:contract_id>/pdf")
@person_required
def download(person, contract_id: int):
    """The signed PDF, saved as a file (free of charge, at any time)."""
    pdf = worker_space.download(person, contract_id)
    return send_file(pdf.data, "application/pdf", f"{pdf.contract_no}.pdf", sha256=pdf.sha256)


@bp.route("/contracts/<int:contract_id>/print-copy")
@person_required
def print_copy(person, contract_id: int):
    """The certified print copy of a filed document (statement that it matches the electronic
    original, filing number, SHA-256, QR code to the verification page), free, to print."""
    name, pdf = certified_copy(person, contract_id)
    return send_file(pdf, "application/pdf", name)


@bp.route("/pay")
@person_required
def pay_page(person):
    """The worker's pay per project and month."""
    return render_template("portal/pay.html", months=pay.pay_months(person))


@bp.route("/history")
@person_required
def history_page(person):
    """When the worker signed what."""
    return render_template("portal/history.html", entries=history.signing_history(person))


@bp.route("/opened")
@person_required
def opened_page(person):
    """Who opened the worker's contracts: the office and role, when, and what they did."""
    return render_template("portal/opened.html", entries=opened.who_opened(person),
                           words=labels.ACCESS_ACTIONS)
