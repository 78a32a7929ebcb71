"""The English reading text of a contract (the signed PDF stays Chinese)."""

from flask import render_template

from app.auth.access import current_principal, role_required
from app.employer.blueprint import bp
from app.models import EMPLOYER_ROLES
from app.services.contracts import queries
from app.services.templates import template_text


@bp.route("/contracts/<int:contract_id>/english")
@role_required(*EMPLOYER_ROLES)
def contract_english(contract_id: int):
    """The contract's clauses in English, personal data masked, for reading only."""
    contract = queries.contract(current_principal(), contract_id)
    clauses = template_text.english(contract, contract.worker.id_masked,
                                    contract.worker_phone_masked)
    return render_template("employer/contract_english.html", contract=contract, clauses=clauses)
