"""What the worker's reading step gets besides the contract's status and terms."""

from pydantic import BaseModel, Field

from app.api.schemas import ContractOut


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
    clauses: list[ClauseOut] = Field(description="变更、解除协议的条款原文（与 PDF 一致）；合同为空")
    clauses_en: list[ClauseOut] = Field(
        description="劳动合同条款的英文阅读文本（签署的 PDF 为中文）；协议为空")
