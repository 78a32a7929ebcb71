"""The worker's signing API behind the SMS link token (no API key: the link token and the
identity-verified signing session authenticate the worker)."""

from flask import request

from app.api.blueprint import signing_bp as bp
from app.api.common import signing_session
from app.api.lifecycle import ChainOut
from app.api.schemas import ErrorOut
from app.api.sign_schemas import (
    CodeIn,
    DeclinedOut,
    DeclineIn,
    IdentityIn,
    OtpOut,
    PayOut,
    SessionOut,
    SignedOut,
    SignIn,
    WorkerContractOut,
)
from app.api.spec import SIGNING_SESSION, operation
from app.errors import NotFound, Unauthorized, translate
from app.services.contracts import queries
from app.services.lifecycle import chain, lifecycle
from app.services.worker_signing import reading, worker_signing
from app.surface import contract_pdf

TOKEN = "/<string(maxlength=128):token>"
LINK = {404: (ErrorOut, "签署链接无效"), 410: (ErrorOut, "链接已撤回、已拒签或已过期")}
IDENTITY = {401: (ErrorOut, "未验证身份或会话已过期")}
BODY_OR_HEADER = [SIGNING_SESSION, {}]  # the session may also come in the JSON body
TAGS = ["signing"]


@bp.post(f"{TOKEN}/otp")
@operation(json=IdentityIn, tags=TAGS, answers={
    200: (OtpOut, "已发送（手机号脱敏）"), 409: (ErrorOut, "已签署"),
    429: (ErrorOut, "尝试或发送过于频繁"), **LINK})
def request_otp(token: str):
    """核对姓名与身份证号码并发送短信验证码"""
    body = request.context.json
    return worker_signing.request_otp(token, body.name, body.id_number)


@bp.post(f"{TOKEN}/verify")
@operation(json=CodeIn, tags=TAGS, answers={
    200: (SessionOut, "签署会话与过期时间"), 409: (ErrorOut, "已签署"),
    429: (ErrorOut, "错误次数过多"), **LINK})
def verify_otp(token: str):
    """校验短信验证码，返回签署会话"""
    return worker_signing.verify_otp(token, request.context.json.code)


def _header_session() -> str:
    session = signing_session()
    if not session:
        raise Unauthorized("请先完成身份验证", code="identity_required")
    return session


@bp.get(f"{TOKEN}/contract")
@operation(security=SIGNING_SESSION, tags=TAGS,
           answers={200: WorkerContractOut, **IDENTITY, **LINK})
def worker_contract(token: str):
    """验证后查看合同条款（主要条款、协议原文与英文阅读文本按页面语言）"""
    link = worker_signing.verified_link(token, _header_session())
    view = reading.view(link.contract)
    # the reading step's title in the page's language, as the clauses are
    return {**queries.contract_summary(link.contract), **view, "title": translate(view["title"])}


@bp.get(f"{TOKEN}/pdf")
@operation(security=SIGNING_SESSION, tags=TAGS, binary={200: "application/pdf"},
           answers={200: (None, "合同 PDF（签署后为已签署的版本）"), **IDENTITY, **LINK})
def worker_pdf(token: str):
    """验证后下载合同 PDF"""
    link = worker_signing.verified_link(token, _header_session())
    return contract_pdf(queries.current_pdf(link.contract))


@bp.post(TOKEN)
@operation(json=SignIn, security=BODY_OR_HEADER, tags=TAGS, answers={
    200: (SignedOut, "已签署，自动备案"), 409: (ErrorOut, "已签署"), **IDENTITY, **LINK})
def sign_contract(token: str):
    """劳动者手写签名并签署"""
    body = request.context.json
    outcome = worker_signing.sign(
        token, session=signing_session(body.session), signature=body.signature,
        consent=body.consent, ip=request.remote_addr, user_agent=request.user_agent.string)
    # The filing job was queued in the signing transaction and runs after this answer: the
    # number is reserved, the filing itself is reported by GET …/contract once it exists.
    return {"status": outcome.status, "contract_no": outcome.contract_no,
            "filing_number": outcome.filing_number, "filing": None}


@bp.post(f"{TOKEN}/decline")
@operation(json=DeclineIn, security=BODY_OR_HEADER, tags=TAGS, answers={
    200: (DeclinedOut, "已拒签"), 409: (ErrorOut, "已签署"), **IDENTITY, **LINK})
def decline_contract(token: str):
    """劳动者验证身份后拒绝签署（须填写原因）"""
    body = request.context.json
    contract = lifecycle.decline_contract(
        token, session=signing_session(body.session), reason=body.reason,
        ip=request.remote_addr, user_agent=request.user_agent.string)
    return {"status": contract.status, "contract_no": contract.contract_no}


@bp.get(f"{TOKEN}/documents")
@operation(security=SIGNING_SESSION, tags=TAGS, answers={200: ChainOut, **IDENTITY, **LINK})
def worker_documents(token: str):
    """验证后查看本合同的全部文件（原合同、变更、续订、解除协议、解除证明）"""
    link = worker_signing.verified_link(token, _header_session())
    return {"documents": [{**row, "title": translate(row["title"])}
                          for row in chain.chain_rows(link.contract)]}


@bp.get(f"{TOKEN}/pay")
@operation(security=SIGNING_SESSION, tags=TAGS, answers={200: PayOut, **IDENTITY, **LINK})
def worker_pay(token: str):
    """验证后查看本人在用人单位工程项目上的工资（应发与实发）"""
    from app.services.projects import reconcile

    link = worker_signing.verified_link(token, _header_session())
    return {"months": reconcile.worker_pay(link.contract)}


@bp.get(f"{TOKEN}/documents/<int(max=1000):position>/pdf")
@operation(security=SIGNING_SESSION, tags=TAGS, binary={200: "application/pdf"},
           answers={200: (None, "合同链中第 position 份文件的 PDF"), **IDENTITY, **LINK})
def worker_document_pdf(token: str, position: int):
    """验证后下载合同链中的一份文件"""
    link = worker_signing.verified_link(token, _header_session())
    items = chain.chain(link.contract)
    if position >= len(items):
        raise NotFound("文件不存在", code="document_not_found")
    return contract_pdf(queries.current_pdf(items[position]))
