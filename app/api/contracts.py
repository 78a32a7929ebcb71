"""Employer API: create, send, resend, void, read a contract and fetch its PDF and report.

Authenticated once per request by :func:`app.api.common.authenticate_api_key`
(``g.principal``); every contract is looked up through the principal's scope.
"""

from flask import g, request

from app.api.batch_schemas import ContractListQuery
from app.api.blueprint import employer_bp as bp
from app.api.rule_schemas import SendIn
from app.api.schemas import (
    ContractIn,
    ContractOut,
    ContractPageOut,
    ErrorOut,
    SentOut,
    VerificationOut,
    VoidIn,
)
from app.api.spec import API_KEY, operation
from app.models import Contract
from app.services.contracts import contract_list, contracts, queries
from app.services.lifecycle import lifecycle
from app.surface import contract_pdf

CID = "/contracts/<int(min=1, max=2147483647):contract_id>"
KNOWN = {401: (ErrorOut, "缺少或无效的 API 密钥"), 404: (ErrorOut, "合同不存在")}
TAGS = ["contracts"]


def _contract(contract_id: int) -> Contract:
    """The contract if the API key's employer owns it (404 otherwise)."""
    return queries.contract(g.principal, contract_id)


@bp.post("/contracts")
@operation(json=ContractIn, security=API_KEY, tags=TAGS,
           answers={201: (ContractOut, "已创建（草稿），warnings 为须确认的劳动法提示"),
                    401: KNOWN[401]})
def create_contract():
    """创建固定期限劳动合同

    The terms are checked by their types, then by the labor-law rules (``GET /api/v1/rules``):
    an error answers 422, each bad field named in ``fields`` and every finding listed in
    ``rules``. Warnings do not stop the draft: they come back in ``warnings``; those listed
    in ``acknowledged_rules`` are acknowledged (recorded in the audit trail), the others must
    be acknowledged when sending.
    """
    body = request.context.json.model_dump()
    acknowledged = body.pop("acknowledged_rules")
    contract = contracts.create_contract(g.principal, body, acknowledged=acknowledged)
    return queries.contract_summary(contract), 201


@bp.get("/contracts")
@operation(query=ContractListQuery, security=API_KEY, tags=TAGS,
           answers={200: (ContractPageOut, "合同（最新在前）与下一页游标"), 401: KNOWN[401]})
def list_contracts():
    """合同列表（筛选，游标分页）

    Newest first; ``next_cursor`` (null at the end) fetches the next page and stays stable
    while contracts are added. A bad filter answers 422 naming it.
    """
    query = request.context.query
    crit = contract_list.criteria({k: v for k, v in query.model_dump().items()
                                   if k not in ("cursor", "limit")})
    items, cursor = contract_list.after(g.principal, crit, query.cursor, query.limit)
    return {"items": [queries.contract_summary(c) for c in items], "next_cursor": cursor}


@bp.get(CID)
@operation(security=API_KEY, tags=TAGS, answers={200: ContractOut, **KNOWN})
def get_contract(contract_id: int):
    """合同状态（备案后含备案号与 SHA-256）"""
    return queries.contract_summary(_contract(contract_id))


@bp.post(f"{CID}/send")
@operation(json=SendIn, optional_body=True, security=API_KEY, tags=TAGS, answers={
    200: (SentOut, "已盖章并发送，签署链接仅返回一次"),
    409: (ErrorOut, "合同不是草稿（not_draft），或有未确认的提示（warnings_not_acknowledged，见 rules）"),
    **KNOWN})
def send_contract(contract_id: int):
    """用人单位盖章并短信发送签署链接

    The contract is checked by the labor-law rules again first (today's date, the employer's
    other contracts with this worker): an error answers 422 ``rule_violations``; a warning
    not acknowledged before or in ``acknowledged_rules`` answers 409
    ``warnings_not_acknowledged``. The body is optional.
    """
    contract, token = contracts.send_contract(
        g.principal, contract_id, acknowledged=(request.context.json or SendIn()).acknowledged_rules,
        ip=request.remote_addr, user_agent=request.user_agent.string)
    return _with_link(contract, token)


@bp.post(f"{CID}/resend")
@operation(security=API_KEY, tags=TAGS, answers={
    200: (SentOut, "已重新发送，原链接失效"), 409: (ErrorOut, "合同不是待签署状态"),
    429: (ErrorOut, "重发过于频繁（Retry-After）"), **KNOWN})
def resend_contract(contract_id: int):
    """撤回原签署链接并短信发送新链接（每分钟最多一次）"""
    contract, token = lifecycle.resend_link(g.principal, contract_id)
    return _with_link(contract, token)


@bp.post(f"{CID}/void")
@operation(json=VoidIn, security=API_KEY, tags=TAGS, answers={
    200: (ContractOut, "已作废"), 409: (ErrorOut, "合同已签署或已作废"), **KNOWN})
def void_contract(contract_id: int):
    """作废草稿或待签署的合同（签署链接失效，已发送的短信通知劳动者）"""
    contract = lifecycle.void_contract(g.principal, contract_id,
                                       reason=request.context.json.reason, ip=request.remote_addr,
                                       user_agent=request.user_agent.string)
    return queries.contract_summary(contract)


@bp.get(f"{CID}/pdf")
@operation(security=API_KEY, tags=TAGS, answers={200: (None, "合同 PDF（当前版本）"), **KNOWN},
           binary={200: "application/pdf"})
def get_pdf(contract_id: int):
    """合同 PDF（当前版本）"""
    return contract_pdf(queries.current_pdf(_contract(contract_id)))


@bp.get(f"{CID}/verification")
@operation(security=API_KEY, tags=TAGS, answers={
    200: (VerificationOut, "签名验证报告"), 503: (ErrorOut, "档案库暂时无法访问"), **KNOWN})
def get_verification(contract_id: int):
    """签名验证报告"""
    from app.services.filing import verification

    return verification.for_contract(_contract(contract_id)).to_dict()


def _with_link(contract: Contract, token: str) -> dict:
    """The summary and the new link (shown once); the SMS job runs right after the answer."""
    body = queries.contract_summary(contract)
    body["signing_url"] = f"{request.host_url.rstrip('/')}/s/{token}"
    return body
