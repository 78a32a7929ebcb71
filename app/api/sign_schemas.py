"""Request and response bodies of the worker's signing API (behind the SMS link token):
identity, code, signature, decline, and the contract as the worker reads it."""

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, Strict, StrictBool, StringConstraints

from app.api.schemas import REASON_MAX, STATUSES, ContractOut, FilingOut, RequestModel
from app.api.types import Text


class IdentityIn(RequestModel):
    """The worker's name and ID number, checked against the contract."""

    name: Text(50, description="劳动者姓名")
    id_number: Text(40, description="身份证号码")


class CodeIn(RequestModel):
    """The one-time code texted to the worker."""

    code: Text(16, description="短信验证码（6位数字）")


class SignIn(RequestModel):
    """The drawn signature and the worker's consent."""

    session: Text(128, description="签署会话（也可用 X-Signing-Session 头传递）") | None = None
    signature: Annotated[str, Strict(), StringConstraints(
        max_length=720_000, pattern=r"^data:image/png;base64,[A-Za-z0-9+/]*={0,2}$")] = Field(
        description="手写签名 PNG：data:image/png;base64,…（最大 512 KB）")
    consent: StrictBool = Field(False, description="已阅读并同意合同全部条款（须为 true）")


class DeclineIn(RequestModel):
    """Why the worker declines to sign."""

    session: Text(128, description="签署会话（也可用 X-Signing-Session 头传递）") | None = None
    reason: Text(REASON_MAX, multiline=True, description="拒签原因（1–200 字）")


class OtpOut(BaseModel):
    """Where the one-time code went."""

    sent_to: str = Field(description="脱敏手机号码")
    expires_at: datetime


class SessionOut(BaseModel):
    """A short identity-verified signing session."""

    session: str
    expires_at: datetime
    contract_status: STATUSES


class SignedOut(BaseModel):
    """The signed contract and its filing number."""

    status: STATUSES
    contract_no: str
    filing_number: str
    filing: FilingOut | None


class DeclinedOut(BaseModel):
    """The declined contract."""

    status: STATUSES
    contract_no: str


class FactOut(BaseModel):
    """One main term as the worker reads it."""

    label: str = Field(description="条款名称（按页面语言）")
    value: str = Field(description="约定内容（金额以元计，选项为其名称）")


class ClauseOut(BaseModel):
    """One clause: heading and paragraphs."""

    heading: str
    paragraphs: list[str]


class WorkerContractOut(ContractOut):
    """The contract or document as the worker reads it before signing."""

    title: str = Field(description="文件名称（如《非全日制用工劳动合同》《劳动合同变更协议》）")
    facts: list[FactOut] = Field(description="劳动合同的主要条款（按合同所用模板的字段）；协议为空")
    clauses: list[ClauseOut] = Field(
        description="条款原文，与签署的 PDF 一致（劳动合同的各条；变更、解除协议的条款）")
    clauses_en: list[ClauseOut] = Field(
        description="劳动合同条款的英文阅读文本（签署的 PDF 为中文）；协议为空")


class PayMonthOut(BaseModel):
    """One month of the worker's pay on one project."""

    project: str
    month: str
    days: int = Field(description="出勤天数")
    expected: str | None = Field(description="按劳动合同应发（元）；计件等无法计算时为 null")
    paid: str = Field(description="实际收到（元）")
    flags: list[str] = Field(description="风险提示，如 unpaid、underpaid、late")


class PayOut(BaseModel):
    """The worker's pay per project and month, newest first."""

    months: list[PayMonthOut]
