"""Query and answer models of the bureau systems' register and late-filings API
(:mod:`app.api.bureau`)."""

from __future__ import annotations

from typing import get_type_hints

from pydantic import BaseModel, ConfigDict, Field, create_model

from app.services.bureau.unfiled import Unfiled


class RegisterQuery(BaseModel):
    """The register's query: the day counted and a narrower region."""

    model_config = ConfigDict(extra="forbid")

    day: str = Field("", max_length=10, description="统计日期 YYYY-MM-DD（默认北京时间今天）")
    region: str = Field("", max_length=6, description="地区代码前缀（在密钥范围内再缩小）")


class RegisterEmployerOut(BaseModel):
    """One employer of the register."""

    id: int
    name: str
    uscc: str
    region_code: str
    in_service: int = Field(description="统计日在职人数")
    ending_within_30_days: int = Field(description="30 天内到期的合同")
    hires: dict[str, int] = Field(description="月份 -> 新入职")
    leavers: dict[str, int] = Field(description="月份 -> 离职")


class RegisterRegionOut(BaseModel):
    """The register's figures of one region code."""

    region_code: str
    employers: int
    in_service: int
    hires: int
    leavers: int
    ending: int


#: a general contractor's project with workers seen without a filed contract: the fields of
#: the service's :class:`Unfiled`, so that the answer's schema cannot drift from it
WithoutContractOut = create_model(
    "WithoutContractOut",
    __doc__="A general contractor's project with workers seen without a filed contract.",
    **{name: (hint, ...) for name, hint in get_type_hints(Unfiled).items()})


class RegisterOut(BaseModel):
    """The county employment register of the key's region."""

    day: str
    region: str | None
    months: list[str]
    totals: dict[str, int]
    regions: list[RegisterRegionOut]
    employers: list[RegisterEmployerOut]
    without_contract: list[WithoutContractOut]


class LateQuery(BaseModel):
    """The late list's query: a period of filing dates and a page. Only the alias ``from``
    is accepted (``from_`` would pass unread)."""

    model_config = ConfigDict(extra="forbid")

    from_: str = Field("", alias="from", max_length=10, description="备案日期（起）YYYY-MM-DD")
    to: str = Field("", max_length=10, description="备案日期（止）YYYY-MM-DD")
    page: int = Field(1, ge=1, le=100_000, description="页码（每页 100 条）")


class LateFilingOut(BaseModel):
    """A registration or deregistration filed after its deadline."""

    record_id: int
    record_type: str = Field(description="registration 用工登记；deregistration 用工注销")
    filing_number: str
    filed_at: str
    contract_no: str
    employer_uscc: str
    employer_name: str
    region_code: str
    worker_name: str
    worker_id_masked: str = Field(description="身份证号码（脱敏）")
    due_on: str | None
    days_late: int | None


class LateFilingsOut(BaseModel):
    """One page of late filings."""

    model_config = ConfigDict(populate_by_name=True)

    from_: str = Field(alias="from")
    to: str
    total: int
    page: int
    pages: int
    records: list[LateFilingOut]
