"""Pydantic models of every API v1 request and response body.

One source for both: :mod:`app.api.spec` validates requests with them and generates the
OpenAPI document (``GET /api/v1/openapi.json``) from them; the tests validate every response
against them. Request models forbid unknown fields; response models allow fields added later.
"""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StringConstraints

from app.api.rule_schemas import Acknowledged, FindingOut
from app.api.types import Amount, BoundedInt, IsoDate, Text
from app.domain.rules.law_fields import USUAL_OUTPUT
from app.domain.templates import TEMPLATE_FIELD_LABELS, required_missing
from app.domain.terms import FIELD_LABELS, MULTILINE, TEXT_LIMITS

STATUSES = Literal["draft", "sent", "signed", "filed", "declined", "voided", "expired",
                   "terminated"]
REASON_MAX = 200
# The label of each request field in error messages (a gettext msgid).
LABELS = {**FIELD_LABELS, "name": "姓名", "id_number": "身份证号码", "code": "验证码",
          "session": "签署会话", "signature": "签名图片", "consent": "同意条款", "reason": "原因",
          "acknowledged_rules": "确认的提示", **TEMPLATE_FIELD_LABELS,
          "usual_output": USUAL_OUTPUT["label"]}


def _text(name: str, description: str = "") -> object:
    """A contract text field with the domain's limit, multi-line where the domain allows it."""
    return Text(TEXT_LIMITS.get(name, 40), multiline=name in MULTILINE,
                description=description or FIELD_LABELS[name])


class RequestModel(BaseModel):
    """A request body: a JSON object with exactly the documented fields."""

    model_config = ConfigDict(extra="forbid")


# ---- requests --------------------------------------------------------------------------

class ContractIn(RequestModel):
    """A fixed-term labor contract as the employer types it (checked by labor law after)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "worker_name": "张三", "worker_id_number": "360426199101010071",
        "worker_phone": "13800138000", "worker_address": "江西省德安县",
        "term_start": "2026-12-01", "term_end": "2028-11-30", "probation_months": 2,
        "probation_wage": "4800", "post": "钢筋工", "work_location": "长沙县星沙产业园三期工地",
        "hours_system": "standard", "monthly_wage": "6000", "pay_day": 15,
        "social_insurance": "依法参加五项社会保险", "labor_protection": "提供安全帽、安全带、防护鞋"}]})

    worker_name: _text("worker_name")
    worker_id_number: _text("worker_id_number", "身份证号码（18位，末位可为X）")
    worker_phone: _text("worker_phone", "手机号码（签署链接和验证码发送到此号码）")
    worker_address: _text("worker_address") | None = None
    term_start: IsoDate(FIELD_LABELS["term_start"])
    term_end: IsoDate(FIELD_LABELS["term_end"]) | None = Field(
        None, description="合同终止日期（固定期限必填；无固定期限、以完成一定工作任务为期限、非全日制不填）")
    probation_months: BoundedInt(0, 6, pattern="[0-6]", description="试用期（月）") = 0
    probation_wage: Amount("试用期工资（元/月，缺省为月工资）") | None = None
    post: _text("post")
    work_location: _text("work_location")
    hours_system: Literal["standard", "comprehensive", "flexible"] | None = Field(
        None, description="工时制度：standard 标准工时制、comprehensive 综合计算工时制、"
        "flexible 不定时工作制（非全日制、建筑业简易合同不填）")
    monthly_wage: Amount("月工资（元；非全日制、建筑业简易合同不填）") = None
    pay_day: BoundedInt(1, 31, pattern="[1-9]|[12][0-9]|3[01]",
                        description="每月发薪日") | None = None
    social_insurance: _text("social_insurance", "社会保险条款（不填则使用法定默认条款）") | None = None
    labor_protection: _text("labor_protection", "劳动保护条款（不填则使用法定默认条款）") | None = None
    other_terms: _text("other_terms") | None = None
    non_compete_months: BoundedInt(0, 120, pattern="[0-9]{1,2}|1[01][0-9]|120",
                                   description="竞业限制期限（月，合同终止后；最长24个月）") = 0
    confidential_role: StrictBool = Field(
        False, description="高级管理人员、高级技术人员或其他负有保密义务的人员（可约定竞业限制）")
    template: Annotated[str, StringConstraints(max_length=40)] | StrictInt | None = Field(
        None, description="合同模板：标准模板的种类（fixed_term 固定期限、open_ended 无固定期限、"
        "project_based 以完成一定工作任务为期限、part_time 非全日制、construction_simple "
        "建筑业简易劳动合同）或 GET /api/v1/templates 中的模板 ID；缺省为固定期限；"
        "使用该模板最新发布的版本")
    task_name: Text(200, description="工作任务（以完成一定工作任务为期限）") | None = None
    hourly_wage: Amount("小时工资（元，非全日制）") | None = None
    hours_per_day: BoundedInt(1, 24, pattern="[0-9]{1,2}",
                              description="每日工作小时数（非全日制）") | None = None
    hours_per_week: BoundedInt(1, 168, pattern="[0-9]{1,3}",
                               description="每周工作小时数（非全日制）") | None = None
    pay_cycle_days: BoundedInt(1, 31, pattern="[0-9]{1,2}",
                               description="结算周期（天，非全日制，最长15天）") | None = None
    project_name: Text(200, description="工程项目名称（建筑业简易合同）") | None = None
    team: Text(100, description="班组（建筑业简易合同）") | None = None
    wage_form: Literal["monthly", "daily", "piece_rate"] | None = Field(
        None, description="工资形式：monthly 按月、daily 按日、piece_rate 计件（建筑业简易合同）")
    wage_amount: Amount("工资标准（元，按工资形式；建筑业简易合同）") | None = None
    wage_account: Text(200, description="农民工工资专用账户（开户行及账号；建筑业简易合同）") | None = None
    usual_output: Amount("正常工作时间月产量（计件数量，大于0；建筑业简易合同按工程量（计件）计发时必填，"
                         "用于核对最低工资）") | None = None
    project_id: Annotated[StrictInt, Field(ge=1, le=2147483647)] | None = Field(
        None, description="工程项目 ID（GET /api/v1/projects 列出本单位作为总包或"
        "分包参与的项目；任何模板的合同都可以指定）")
    project_team: Text(100, description="工程项目上的班组（可选）") | None = None
    acknowledged_rules: Acknowledged = []

    @classmethod
    def missing_required(cls, body: dict) -> dict:
        """The required fields of the body's template kind it leaves out (named along with
        the schema's own errors; the service checks them again by the template version)."""
        return required_missing(body)


class VoidIn(RequestModel):
    """Why the employer voids the contract (told to the worker if the link was sent)."""

    reason: Text(REASON_MAX, multiline=True, description="作废原因（1–200 字）")


# ---- responses -------------------------------------------------------------------------

class ErrorOut(BaseModel):
    """Every error: a stable code, a message in the reader's language, the bad fields."""

    error: str = Field(description="稳定的错误代码，如 validation_failed")
    message: str = Field(description="说明（中文；Accept-Language: en 时为英文）")
    fields: dict[str, str] | None = Field(None, description="字段名（JSON 属性名）→ 问题")
    rules: list[FindingOut] | None = Field(
        None, description="劳动法规则的结论（规则 ID、条文、说明），见 GET /api/v1/rules")


class Party(BaseModel):
    """The employer as named in the contract."""

    name: str
    uscc: str


class WorkerOut(BaseModel):
    """The worker, personal data masked."""

    name: str
    id_number: str = Field(description="脱敏身份证号码")
    phone: str = Field(description="脱敏手机号码")


class TermsOut(BaseModel):
    """The validated terms (amounts as decimal strings); which fields a contract has depends
    on its template (GET /api/v1/templates/{id}), the others are absent."""

    model_config = ConfigDict(extra="allow")

    term_start: str
    term_end: str | None = None
    probation_months: int | None = None
    probation_wage: str | None = None
    post: str | None = None
    work_location: str | None = None
    hours_system: str | None = None
    monthly_wage: str | None = None
    pay_day: int | None = None
    social_insurance: str
    labor_protection: str
    worker_address: str | None = None
    other_terms: str | None = None
    non_compete_months: int | None = None
    confidential_role: bool | None = None


class DocumentOut(BaseModel):
    """The current version of the contract PDF."""

    version: int
    kind: str
    sha256: str


class SignatureOut(BaseModel):
    """One signature on the contract."""

    party: str
    signer: str
    signed_at: datetime
    certificate_serial: str


class FilingOut(BaseModel):
    """The employment filing (备案) of a signed contract."""

    number: str
    sha256: str
    archived_at: datetime


class ContractOut(BaseModel):
    """A contract's status, terms, signatures and filing (personal data masked)."""

    id: int
    contract_no: str
    status: STATUSES
    template: str
    document_kind: Literal["contract", "amendment", "termination", "certificate"] = Field(
        "contract", description="劳动合同本身，或其变更协议、解除（终止）协议、解除（终止）证明")
    parent_id: int | None = Field(None, description="变更、解除协议和证明所属的劳动合同")
    project_id: int | None = Field(None, description="劳动者通过本合同进入的工程项目")
    project_team: str | None = Field(None, description="工程项目上的班组")
    employer: Party
    worker: WorkerOut
    terms: TermsOut
    document: DocumentOut | None
    signatures: list[SignatureOut]
    created_at: datetime
    sent_at: datetime | None
    signed_at: datetime | None
    status_reason: str | None = Field(description="作废或拒签的原因")
    status_changed_at: datetime | None = Field(description="作废或拒签的时间")
    filing: FilingOut | None = Field(description="备案后含备案号与 SHA-256")
    warnings: list[FindingOut] = Field([], description="劳动法提示（须确认后才能发送）及确认人")


class ContractPageOut(BaseModel):
    """One page of the contract list, newest first."""

    items: list[ContractOut]
    next_cursor: int | None = Field(description="下一页的 cursor 参数；没有更多时为 null")


class SentOut(ContractOut):
    """The contract and the worker's new signing link (shown only in this answer)."""

    signing_url: str = Field(description="签署链接（仅在发送或重新发送时返回一次）")


class ChainEntryOut(BaseModel):
    """One certificate of a signer's chain (leaf first)."""

    common_name: str
    serial: str


class SignatureCheckOut(BaseModel):
    """What was found out about one signature."""

    field: str
    signer_cn: str | None
    organization: str | None
    serial: str | None
    issuer: str | None
    chain: list[ChainEntryOut]
    signing_time: datetime | None
    timestamp_time: datetime | None
    timestamp_trusted: bool | None
    intact: bool
    valid: bool
    trusted: bool
    revoked: bool
    revocation_reason: str | None
    revocation_time: datetime | None
    coverage: str | None
    modification_level: str | None
    modifications_permitted: bool | None
    certification: bool
    docmdp: str | None
    validated_at: datetime | None
    long_term: bool
    ok: bool
    problems: list[str]
    problems_en: list[str]


class TimestampCheckOut(BaseModel):
    """What was found out about one document time-stamp."""

    field: str
    time: datetime | None
    tsa: str | None
    intact: bool
    valid: bool
    trusted: bool
    coverage: str | None
    validated_at: datetime | None
    ok: bool
    problems: list[str]
    problems_en: list[str]


class VerificationOut(BaseModel):
    """The verification report of the contract's PDF (platform root as the only trust root)."""

    ok: bool
    signatures: list[SignatureCheckOut]
    timestamps: list[TimestampCheckOut]
    summary_zh: str
    summary_en: str
    sha256: str
    checked_at: datetime
