"""The certified print copy (打印件) of a filed contract, for the employer: plain, or stamped
with the company seal on the certification page."""

from flask import request

from app.auth.access import current_principal, role_required
from app.employer import routes as detail
from app.employer.blueprint import bp
from app.services.filing import certified_copy
from app.surface import attempt, download

EMPLOYER_ROLES = ("employer_admin", "employer_hr")


@bp.route("/contracts/<int:contract_id>/print-copy", methods=["POST"])
@role_required(*EMPLOYER_ROLES)
def print_copy(contract_id: int):
    """Download the print copy (``stamped=1``: sealed with the company seal); a contract not
    signed and filed yet shows the contract page again with the reason."""
    stamped = request.form.get("stamped") == "1"
    name, pdf = attempt(certified_copy, current_principal(), contract_id, stamped=stamped,
                        again=detail._detail_again(contract_id))
    return download(pdf, "application/pdf", name)
