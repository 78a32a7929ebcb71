"""Employer API for a contract's life after signing: amendments, termination, the chain of
documents, the expiring list and one-click renewal (thin: each view calls one use case)."""

from typing import Literal

from flask import g, request
from pydantic import BaseModel, Field, StrictBool

from app.api.blueprint import employer_bp as bp
from app.api.contracts import CID, KNOWN, _with_link
from app.api.schemas import ContractOut, ErrorOut, RequestModel, SentOut
from app.api.spec import API_KEY, operation
from app.api.types import IsoDate, Text
from app.domain.severance import GROUNDS
from app.services.contracts import queries
from app.services.lifecycle import amendment, chain, expiry, renewal, termination

TAGS = ["lifecycle"]
Changeable = Literal[amendment.AMENDABLE]


class AmendmentIn(RequestModel):
    """What changes (term → new value, as typed on a contract) and from when."""

    changes: dict[Changeable, str] = Field(description=(
        "变更的条款及新值，限合同所用模板中有的字段（如 post 岗位、work_location 工作地点、"
        "hours_system 工时制度、monthly_wage 月工资、pay_day 发薪日、other_terms 其他约定；"
        "非全日制 hourly_wage、hours_per_day、hours_per_week、pay_cycle_days；建筑业简易合同 "
        "team、wage_form、wage_amount、wage_account）；模板中没有的字段 422"))
    effective_from: IsoDate("变更生效日期（在合同期限内）")


class TerminationIn(RequestModel):
    """The legal ground, the last working day and the art. 46 facts."""

    ground: Literal[tuple(GROUNDS)] = Field(description="法定依据：" + "；".join(
        f"{k} {g.article}（{g.text}）" for k, g in GROUNDS.items()))
    last_working_day: IsoDate("最后工作日（不早于合同开始、不晚于合同终止日期，最多30天之后）")
    employer_proposed: StrictBool = Field(
        False, description="第三十六条协商解除由用人单位提出（应支付经济补偿）")
    renewal_refused: StrictBool = Field(
        False, description="期满终止且劳动者拒绝维持或提高条件续订（无经济补偿）")
    handover: Text(500, multiline=True, description="工作交接安排") | None = None


class ChainItem(BaseModel):
    """One document of the chain."""

    id: int
    kind: Literal["contract", "amendment", "renewal", "termination", "certificate"]
    title: str
    contract_no: str
    status: str
    filing_number: str | None
    position: int


class ChainOut(BaseModel):
    """original → amendments → renewals → termination → certificate."""

    documents: list[ChainItem]


class ExpiringItem(BaseModel):
    """A contract ending within the window."""

    id: int
    contract_no: str
    worker: str
    term_end: str
    days_left: int
    notified: bool
    renewal_id: int | None


class ExpiringOut(BaseModel):
    """The expiring list."""

    contracts: list[ExpiringItem]


@bp.post(f"{CID}/amendments")
@operation(json=AmendmentIn, security=API_KEY, tags=TAGS, answers={
    201: (SentOut, "变更协议已盖章并短信发送劳动者签署"), 409: (ErrorOut, "合同未生效"), **KNOWN})
def amend_contract(contract_id: int):
    """变更协议（盖章并发送劳动者签署；备案后合同按变更后的条款履行）"""
    body = request.context.json
    doc, token = amendment.amend(g.principal, contract_id, {
        "changes": dict(body.changes), "effective_from": body.effective_from},
        ip=request.remote_addr, user_agent=request.user_agent.string)
    return _with_link(doc, token), 201


@bp.post(f"{CID}/termination")
@operation(json=TerminationIn, security=API_KEY, tags=TAGS, answers={
    201: (SentOut, "解除（终止）协议已盖章并短信发送劳动者签署；terms.severance 为经济补偿计算"),
    409: (ErrorOut, "合同未生效或已有解除协议"), **KNOWN})
def terminate_contract(contract_id: int):
    """解除或终止劳动合同（经济补偿按第四十六、四十七条计算；备案后出具证明）"""
    doc, token = termination.terminate(g.principal, contract_id, request.context.json.model_dump(),
                                       ip=request.remote_addr, user_agent=request.user_agent.string)
    return _with_link(doc, token), 201


@bp.get(f"{CID}/chain")
@operation(security=API_KEY, tags=TAGS, answers={200: ChainOut, **KNOWN})
def contract_chain(contract_id: int):
    """合同链：原合同、变更协议、续订合同、解除协议、解除证明"""
    return {"documents": chain.chain_rows(queries.contract(g.principal, contract_id))}


@bp.get("/contracts/expiring")
@operation(security=API_KEY, tags=TAGS, answers={200: ExpiringOut, 401: KNOWN[401]})
def expiring_contracts():
    """30天内到期的合同（含续订草稿）"""
    return {"contracts": [
        {"id": e.contract.id, "contract_no": e.contract.contract_no,
         "worker": e.contract.worker_name, "term_end": e.term_end.isoformat(),
         "days_left": e.days_left, "notified": e.notice is not None,
         "renewal_id": e.renewal.id if e.renewal else None}
        for e in expiry.expiring_contracts(g.principal)]}


@bp.post(f"{CID}/renewal")
@operation(security=API_KEY, tags=TAGS, answers={
    201: (ContractOut, "已创建续订草稿"), 200: (ContractOut, "续订草稿已存在"),
    409: (ErrorOut, "合同未生效、无固定期限或不在到期前30天内"), **KNOWN})
def renew_contract(contract_id: int):
    """一键续订（新期限，无试用期；草稿须盖章发送）"""
    draft, created = renewal.renew_contract(g.principal, contract_id)
    return queries.contract_summary(draft), 201 if created else 200
