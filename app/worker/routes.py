"""The signing page; all actions go through the JSON API (/api/v1/sign/<token>/...)."""

from flask import render_template

from app.services.contracts import queries
from app.services.worker_signing import reading, worker_signing
from app.surface import Refusal, attempt
from app.worker.blueprint import bp


@bp.route("/s/<token>")
def sign_page(token: str):
    link = attempt(worker_signing.open_link, token, for_signing=False, again=_unavailable)
    contract = link.contract
    filing = queries.filing_of(contract.id)
    return render_template("worker/sign.html", token=token, contract=contract, filing=filing,
                           title=reading.title(contract),
                           expired=link.expires_at < worker_signing.utcnow())


def _unavailable(refused: Refusal):
    """A link that cannot be opened (unknown, expired, voided …): why, on its own page."""
    return render_template("worker/unavailable.html", message=refused.message), refused.status
