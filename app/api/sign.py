"""The worker's signing API behind the SMS link token."""

from flask import jsonify, request

from app.api import bp
from app.api.common import json_body
from app.errors import Unauthorized
from app.services import lifecycle, queries, worker_signing
from app.services.principal import of_signing


@bp.post("/sign/<token>/otp")
def request_otp(token: str):
    body = json_body()
    return jsonify(worker_signing.request_otp(token, body.get("name"), body.get("id_number")))


@bp.post("/sign/<token>/verify")
def verify(token: str):
    body = json_body()
    return jsonify(worker_signing.verify_otp(token, body.get("code")))


def _session() -> str:
    session = request.headers.get("X-Signing-Session", "")
    if not session:
        raise Unauthorized("请先完成身份验证", code="identity_required")
    return session


def _body_session(body: dict) -> str:
    value = body.get("session") or request.headers.get("X-Signing-Session", "")
    return value if isinstance(value, str) else ""


@bp.get("/sign/<token>/contract")
def contract(token: str):
    link = worker_signing.verified_link(token, _session())
    return jsonify(queries.contract_summary(link.contract))


@bp.get("/sign/<token>/pdf")
def pdf(token: str):
    link = worker_signing.verified_link(token, _session())
    return queries.pdf_response(link.contract)


@bp.post("/sign/<token>")
def sign(token: str):
    body = json_body()
    outcome = worker_signing.sign(
        token, session=_body_session(body),
        signature=body.get("signature"), consent=body.get("consent") is True,
        ip=request.remote_addr, user_agent=request.user_agent.string)
    summary = queries.contract_summary(queries.contract(of_signing(outcome.contract_id),
                                                        outcome.contract_id))
    return jsonify({"status": summary["status"], "contract_no": summary["contract_no"],
                    "filing_number": outcome.filing_number, "filing": summary["filing"]})


@bp.post("/sign/<token>/decline")
def decline(token: str):
    body = json_body()
    contract = lifecycle.decline_contract(
        token, session=_body_session(body),
        reason=body.get("reason"), ip=request.remote_addr, user_agent=request.user_agent.string)
    return jsonify({"status": contract.status, "contract_no": contract.contract_no})
