"""Pydantic models of the rule engine's API bodies: findings, the rule list, acknowledgements."""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, Strict, StringConstraints

RuleId = Annotated[str, Strict(), StringConstraints(max_length=60, pattern=r"^[A-Z0-9]+\.[a-z0-9_]+$")]
Acknowledged = Annotated[list[RuleId], Field(
    max_length=50, description="确认知悉的提示（warning）规则 ID，如 LCL82.written_within_month")]


class SendIn(BaseModel):
    """Optional body of ``send``: warnings acknowledged now (the body may be left out)."""

    model_config = ConfigDict(extra="forbid")

    acknowledged_rules: Acknowledged = []


class FindingOut(BaseModel):
    """A rule the contract breaks (error) or a risk to acknowledge (warning)."""

    rule: str = Field(description="规则 ID，见 GET /api/v1/rules")
    severity: Literal["error", "warning"]
    article: str = Field(description="依据的法律条文")
    field: str | None = Field(description="对应的字段（JSON 属性名）；与单个字段无关时为 null")
    message: str = Field(description="说明（中文；Accept-Language: en 时为英文）")
    acknowledged_by: str | None = Field(None, description="确认人（如 user:3、api:7）；未确认为 null")
    acknowledged_at: str | None = Field(None, description="确认时间（UTC，ISO 8601）")


class Texts(BaseModel):
    """A text in Chinese and English."""

    zh: str
    en: str


class RuleOut(BaseModel):
    """One rule of the engine."""

    id: str = Field(description="稳定的规则 ID：法律简称与条号，再加检查内容")
    severity: Literal["error", "warning"] = Field(
        description="error：阻止发送；warning：须明确确认后才能发送")
    article: Texts = Field(description="依据的法律条文")
    message: Texts = Field(description="提示文字模板，%(name)s 为命名占位符")
    field: str | None = Field(description="通常对应的字段（JSON 属性名）")


class RulesOut(BaseModel):
    """Every rule the platform checks a labor contract against."""

    rules: list[RuleOut]
