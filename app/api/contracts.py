"""Employer API: create, send, resend, void, read a contract and fetch its PDF."""

from flask import jsonify, request

from app.api import bp
from app.api.common import api_principal, json_body
from app.services import contracts, lifecycle, queries


@bp.post("/contracts")
def create_contract():
    contract = contracts.create_contract(api_principal(), json_body())
    return jsonify(queries.contract_summary(contract)), 201


@bp.post("/contracts/<int:contract_id>/send")
def send_contract(contract_id: int):
    contract, token = contracts.send_contract(api_principal(), contract_id, ip=request.remote_addr,
                                              user_agent=request.user_agent.string)
    return _with_link(contract, token)


@bp.post("/contracts/<int:contract_id>/resend")
def resend_contract(contract_id: int):
    contract, token = lifecycle.resend_link(api_principal(), contract_id)
    return _with_link(contract, token)


@bp.post("/contracts/<int:contract_id>/void")
def void_contract(contract_id: int):
    contract = lifecycle.void_contract(api_principal(), contract_id,
                                       reason=json_body().get("reason"), ip=request.remote_addr,
                                       user_agent=request.user_agent.string)
    return jsonify(queries.contract_summary(contract))


@bp.get("/contracts/<int:contract_id>")
def get_contract(contract_id: int):
    return jsonify(queries.contract_summary(queries.contract(api_principal(), contract_id)))


@bp.get("/contracts/<int:contract_id>/pdf")
def get_pdf(contract_id: int):
    return queries.pdf_response(queries.contract(api_principal(), contract_id))


@bp.get("/contracts/<int:contract_id>/verification")
def get_verification(contract_id: int):
    from app.services import verification

    report = verification.for_contract(queries.contract(api_principal(), contract_id))
    return jsonify(report.to_dict())


def _with_link(contract, token: str):
    """The summary and the new link (shown once); the SMS job runs right after the answer."""
    body = queries.contract_summary(contract)
    body["signing_url"] = f"{request.host_url.rstrip('/')}/s/{token}"
    return jsonify(body)
