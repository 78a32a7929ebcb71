"""Employer API: create, send, resend, void, read a contract and fetch its PDF."""

from flask import jsonify, request

from app.api import bp
from app.api.common import api_org, json_body
from app.services import contracts, lifecycle, queries


@bp.post("/contracts")
def create_contract():
    org = api_org()
    contract = contracts.create_contract(org, json_body(), actor=f"api:{org.id}")
    return jsonify(queries.contract_summary(contract)), 201


@bp.post("/contracts/<int:contract_id>/send")
def send_contract(contract_id: int):
    org = api_org()
    contract = queries.org_contract(org.id, contract_id)
    token = contracts.send_contract(contract, actor=f"api:{org.id}", user_id=None, via="api_key",
                                    ip=request.remote_addr, user_agent=request.user_agent.string)
    return _with_link(contract, token)


@bp.post("/contracts/<int:contract_id>/resend")
def resend_contract(contract_id: int):
    org = api_org()
    contract = queries.org_contract(org.id, contract_id)
    token = lifecycle.resend_link(contract, actor=f"api:{org.id}")
    return _with_link(contract, token)


@bp.post("/contracts/<int:contract_id>/void")
def void_contract(contract_id: int):
    org = api_org()
    contract = queries.org_contract(org.id, contract_id)
    lifecycle.void_contract(contract, reason=json_body().get("reason"), actor=f"api:{org.id}",
                            ip=request.remote_addr, user_agent=request.user_agent.string)
    return jsonify(queries.contract_summary(contract))


@bp.get("/contracts/<int:contract_id>")
def get_contract(contract_id: int):
    org = api_org()
    return jsonify(queries.contract_summary(queries.org_contract(org.id, contract_id)))


@bp.get("/contracts/<int:contract_id>/pdf")
def get_pdf(contract_id: int):
    org = api_org()
    return queries.pdf_response(queries.org_contract(org.id, contract_id))


@bp.get("/contracts/<int:contract_id>/verification")
def get_verification(contract_id: int):
    from app.services import verification

    org = api_org()
    report = verification.for_contract(queries.org_contract(org.id, contract_id))
    return jsonify(report.to_dict())


def _with_link(contract, token: str):
    """The summary and the new link (shown once); the SMS job runs right after the answer."""
    body = queries.contract_summary(contract)
    body["signing_url"] = f"{request.host_url.rstrip('/')}/s/{token}"
    return jsonify(body)
