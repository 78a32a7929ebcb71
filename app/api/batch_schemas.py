"""Pydantic models of the batch API: a roster as JSON rows, its problems, its progress."""

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, Strict

from app.api.rule_schemas import Acknowledged
from app.api.schemas import ErrorOut


class BatchIn(BaseModel):
    """A roster: one object per worker with the template's fields (as for one contract)."""

    model_config = ConfigDict(extra="forbid")

    template: Annotated[str, Strict(), Field(max_length=40)] | Annotated[
        int, Strict(), Field(ge=1, le=2147483647)] | None = Field(
        None, description="模板：类型（如 construction_simple）或模板 ID；默认固定期限")
    project_id: Annotated[int, Strict(), Field(ge=1, le=2147483647)] | None = Field(
        None, description="工程项目 ID：批次的每份合同都进入该项目（GET /api/v1/projects）")
    project_team: Annotated[str, Strict(), Field(max_length=100)] | None = Field(
        None, description="工程项目上的班组（可选）")
    rows: list[dict[str, Any]] = Field(min_length=1, max_length=2000,
                                       description="每个劳动者一个对象，字段同创建合同")


class LaunchIn(BaseModel):
    """The warnings of the batch's rows, acknowledged."""

    model_config = ConfigDict(extra="forbid")

    acknowledged_rules: Acknowledged = []


class ProblemOut(BaseModel):
    """One problem of a row: its index from 1 (a file: the spreadsheet row), the field."""

    row: int
    field: str = Field(description="字段（JSON 属性名）；整行或整个文件的问题为空")
    column: str = Field(description="表格的列（字母）；JSON 提交时为空")
    message: str


class RosterErrorOut(ErrorOut):
    """A roster with problems: every one listed; nothing was created."""

    problems: list[ProblemOut] | None = None


class BatchWarningOut(BaseModel):
    """A labor-law warning of some rows, to acknowledge at launch."""

    rule: str
    rows: list[int]
    message: str


class BatchRowOut(BaseModel):
    """One row's outcome."""

    row: int
    worker_name: str
    id_masked: str
    status: Literal["waiting", "queued", "done", "failed"]
    contract_id: int | None
    contract_no: str | None
    reason: str | None = Field(description="失败原因；其他状态为 null")


class BatchOut(BaseModel):
    """A batch: ready (not launched), running or done; counts and every row."""

    id: int
    status: Literal["ready", "running", "done"]
    total: int
    waiting: int
    queued: int
    done: int
    failed: int
    percent: int
    created_at: str
    warnings: list[BatchWarningOut]
    rows: list[BatchRowOut]


class ContractListQuery(BaseModel):
    """Filters of the contract list (nothing personal: an ID number never goes in a URL)."""

    model_config = ConfigDict(extra="forbid")

    status: str = Field("", max_length=20, description="状态，如 sent")
    kind: str = Field("", max_length=30, description="合同类型，如 construction_simple")
    created_from: str = Field("", max_length=10, description="创建日期（起，北京时间 YYYY-MM-DD）")
    created_to: str = Field("", max_length=10, description="创建日期（止，含当日）")
    project: str = Field("", max_length=200, description="工程项目名称（包含）")
    worker: str = Field("", max_length=50, description="劳动者姓名（包含）")
    cursor: int | None = Field(None, ge=1, le=2147483647,
                               description="上一页返回的 next_cursor；第一页不填")
    limit: int = Field(50, ge=1, le=100, description="每页条数（1–100）")
