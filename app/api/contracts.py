"""Employer API: create, send, resend, void, read a contract and fetch its PDF and report.

Authenticated once per request by :func:`app.api.common.authenticate_api_key`
(``g.principal``); every contract is looked up through the principal's scope.
"""

from flask import g, request

from app.api import employer_bp as bp
from app.api.schemas import ContractIn, ContractOut, ErrorOut, SentOut, VerificationOut, VoidIn
from app.api.spec import API_KEY, operation
from app.extensions import db
from app.models import Contract, Organization
from app.services import contracts, jobs, lifecycle, queries, scope

CID = "/contracts/<int(min=1, max=2147483647):contract_id>"
KNOWN = {401: (ErrorOut, "缺少或无效的 API 密钥"), 404: (ErrorOut, "合同不存在")}
TAGS = ["contracts"]


def _contract(contract_id: int) -> Contract:
    """The contract if the API key's employer owns it (404 otherwise)."""
    return scope.contract(g.principal, contract_id)


def _organization() -> Organization:
    return db.session.get(Organization, g.principal.organization_id)


@bp.post("/contracts")
@operation(json=ContractIn, security=API_KEY, tags=TAGS,
           answers={201: (ContractOut, "已创建（草稿）"), 401: KNOWN[401]})
def create_contract():
    """创建固定期限劳动合同

    The terms are checked by labor law (ID check digits, minimum wage, probation) after their
    types; each bad field is named in ``fields``.
    """
    body = request.context.json.model_dump()
    contract = contracts.create_contract(_organization(), body, actor=g.principal.actor)
    return queries.contract_summary(contract), 201


@bp.get(CID)
@operation(security=API_KEY, tags=TAGS, answers={200: ContractOut, **KNOWN})
def get_contract(contract_id: int):
    """合同状态（备案后含备案号与 SHA-256）"""
    return queries.contract_summary(_contract(contract_id))


@bp.post(f"{CID}/send")
@operation(security=API_KEY, tags=TAGS, answers={
    200: (SentOut, "已盖章并发送，签署链接仅返回一次"), 409: (ErrorOut, "合同不是草稿"), **KNOWN})
def send_contract(contract_id: int):
    """用人单位盖章并短信发送签署链接"""
    contract = _contract(contract_id)
    token = contracts.send_contract(contract, actor=g.principal.actor, user_id=None, via="api_key",
                                    ip=request.remote_addr, user_agent=request.user_agent.string)
    return _with_link(contract, token)


@bp.post(f"{CID}/resend")
@operation(security=API_KEY, tags=TAGS, answers={
    200: (SentOut, "已重新发送，原链接失效"), 409: (ErrorOut, "合同不是待签署状态"),
    429: (ErrorOut, "重发过于频繁（Retry-After）"), **KNOWN})
def resend_contract(contract_id: int):
    """撤回原签署链接并短信发送新链接（每分钟最多一次）"""
    contract = _contract(contract_id)
    token = lifecycle.resend_link(contract, actor=g.principal.actor)
    return _with_link(contract, token)


@bp.post(f"{CID}/void")
@operation(json=VoidIn, security=API_KEY, tags=TAGS, answers={
    200: (ContractOut, "已作废"), 409: (ErrorOut, "合同已签署或已作废"), **KNOWN})
def void_contract(contract_id: int):
    """作废草稿或待签署的合同（签署链接失效，已发送的短信通知劳动者）"""
    contract = _contract(contract_id)
    lifecycle.void_contract(contract, reason=request.context.json.reason, actor=g.principal.actor,
                            ip=request.remote_addr, user_agent=request.user_agent.string)
    jobs.run_inline()
    return queries.contract_summary(contract)


@bp.get(f"{CID}/pdf")
@operation(security=API_KEY, tags=TAGS, answers={200: (None, "合同 PDF（当前版本）"), **KNOWN},
           binary={200: "application/pdf"})
def get_pdf(contract_id: int):
    """合同 PDF（当前版本）"""
    return queries.pdf_response(_contract(contract_id))


@bp.get(f"{CID}/verification")
@operation(security=API_KEY, tags=TAGS, answers={
    200: (VerificationOut, "签名验证报告"), 503: (ErrorOut, "档案库暂时无法访问"), **KNOWN})
def get_verification(contract_id: int):
    """签名验证报告"""
    from app.services import verification

    return verification.for_contract(_contract(contract_id)).to_dict()


def _with_link(contract: Contract, token: str) -> dict:
    """Run the queued SMS job, then answer with the summary and the new link (shown once)."""
    jobs.run_inline()
    body = queries.contract_summary(contract)
    body["signing_url"] = f"{request.host_url.rstrip('/')}/s/{token}"
    return body
