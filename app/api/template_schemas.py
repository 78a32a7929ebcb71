"""Response models of the template routes (``GET /api/v1/templates…``)."""

from datetime import datetime

from pydantic import BaseModel, Field


class FieldOut(BaseModel):
    """One typed field of a template version."""

    name: str
    type: str = Field(description="text, date, money, integer, choice, yes_no, id_number, phone")
    label: str = Field(description="中文名称")
    label_en: str
    required: bool
    choices: dict[str, str] | None = Field(None, description="choice 字段：取值 → 中文名称")
    default: str | None = Field(None, description="留空时使用的法定默认条款")
    minimum: int | None = None
    maximum: int | str | None = None
    limit: int | None = Field(None, description="文本最多字数")


class ClauseOut(BaseModel):
    """One clause: Chinese text with ``%(field)s`` placeholders, and its English reading text."""

    heading: str
    paragraphs: list[str]
    required: bool
    heading_en: str = ""
    paragraphs_en: list[str] = []
    if_filled: str | None = Field(None, description="只在该字段有值时打印本条（如 term_end）")
    if_empty: str | None = Field(None, description="只在该字段为空时打印本条（如 term_end）")


class VersionOut(BaseModel):
    """One published version of a template."""

    id: int
    number: int
    published_at: datetime | None


class TemplateOut(BaseModel):
    """A template the key's employer may use (standard, or its own copy)."""

    id: int
    kind: str
    title: str
    title_en: str
    standard: bool = Field(description="平台标准模板（否则为本单位的副本）")
    based_on_id: int | None
    versions: list[VersionOut]


class TemplatesOut(BaseModel):
    """The templates the key's employer may use."""

    templates: list[TemplateOut]


class TemplateDetailOut(TemplateOut):
    """A template with the fields and clauses of its newest published version."""

    version: VersionOut = Field(description="最新发布的版本（新合同使用此版本）")
    fields: list[FieldOut]
    clauses: list[ClauseOut]
