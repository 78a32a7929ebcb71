"""Push APIs of attendance systems and banks under ``/api/v1/feeds`` (feed keys ``lfk_…``).

``POST /feeds/attendance`` (a project's key) and ``POST /feeds/payments`` (a project's or a
bank's key): records by the national platform's field names, each with the sender's own
``recordId``. Any bad record refuses the whole push (422 ``feed_invalid``, every problem by
record index from 1 and field; nothing stored); a record pushed again is a duplicate, with
other content refused (a pay-out reported failed may come again as success: updated); a
pay-out stored already from another source is matched, not added. Fields: README
"Real-time feeds".
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from flask import Blueprint, current_app, g, request
from pydantic import BaseModel, ConfigDict, Field, Strict

from app.api.batch_schemas import RosterErrorOut
from app.api.schemas import ErrorOut
from app.api.spec import FEED_KEY, operation
from app.errors import Unauthorized
from app.services import feeds
from app.services.feeds import keys

bp = Blueprint("feeds", __name__, url_prefix="/feeds")
_VISIBLE = re.compile(r"[\x21-\x7e]{1,200}")
TAGS = ["feeds"]
ANSWERS = {401: (ErrorOut, "缺少、无效或已吊销的推送密钥"),
           404: (ErrorOut, "项目不存在或不在密钥范围内（project_not_found），未保存任何记录"),
           413: (ErrorOut, "请求体超过 FEED_MAX_BYTES"),
           422: (RosterErrorOut, "记录有问题（feed_invalid，problems 按记录序号和字段列出；"
                                 "已收到的 recordId 内容不同亦在此列），未保存任何记录")}


class PushIn(BaseModel):
    """A push: the project (optional: a project key's own), the records."""

    model_config = ConfigDict(extra="forbid")

    projectId: Annotated[int, Strict(), Field(ge=1, le=2147483647)] | None = Field(  # noqa: N815
        None, description="项目 ID（项目密钥可不填；银行密钥不填时按付款账号匹配项目）")
    records: list[Any] = Field(min_length=1, max_length=10000,
                               description="记录（每次最多 FEED_MAX_RECORDS 条，默认 1000）")


class RecordOut(BaseModel):
    """One record's outcome: new; received before (by its ``recordId``); matched (a pay-out
    stored already from another source); updated (a pay-out reported failed, now success)."""

    index: int = Field(description="记录序号（从 1 起）")
    recordId: str  # noqa: N815
    result: Literal["new", "duplicate", "matched", "updated"]


class PushOut(BaseModel):
    """What a push stored."""

    received: int
    new: int
    duplicates: int
    matched: int = Field(description="已由其他来源（工资表文件、其他推送方）保存的同一笔代发，未重复保存")
    updated: int = Field(description="此前报告失败、现报告成功的代发（同一 recordId）")
    projects: list[int] = Field(description="记录所属的项目 ID")
    records: list[RecordOut]


@bp.before_request
def authenticate_feed_key() -> None:
    """``Authorization: Bearer lfk_…`` -> ``g.feed_key``; the body at most ``FEED_MAX_BYTES``.

    :raises Unauthorized: no key, or an unknown, malformed or revoked one.
    """
    request.max_content_length = current_app.config["FEED_MAX_BYTES"]
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    given = given.strip()
    if not given or scheme.lower() != "bearer":
        raise Unauthorized("缺少 API 密钥（Authorization: Bearer …）", code="missing_api_key")
    g.feed_key = keys.authenticate(given) if _VISIBLE.fullmatch(given) else None
    if g.feed_key is None:
        raise Unauthorized("API 密钥无效或已吊销", code="invalid_api_key")


@bp.post("/attendance")
@operation(json=PushIn, security=FEED_KEY, tags=TAGS, answers={
    200: (PushOut, "已保存（new）或此前已收到（duplicate）"),
    403: (ErrorOut, "银行密钥不能推送考勤（not_a_project_key）"), **ANSWERS})
def push_attendance():
    """推送考勤（打卡记录或按日出勤）

    Each record: ``recordId``, ``idCardNumber`` and either a clock event (``direction``
    01 in / 02 out, ``date`` ``yyyy-MM-dd HH:mm:ss``) or a day (``workDate`` ``yyyy-MM-dd``,
    ``workHours``). Stored as the attendance import stores them (events a set per day;
    minutes first in to last out); the worker-months changed are re-reconciled by a job.
    """
    body = request.context.json
    return feeds.push_attendance(g.feed_key, body.projectId, body.records)


@bp.post("/payments")
@operation(json=PushIn, security=FEED_KEY, tags=TAGS, answers={
    200: (PushOut, "已保存（new）或此前已收到（duplicate）"), **ANSWERS})
def push_payments():
    """推送代发结果（工资专用账户发放记录）

    Each record: ``recordId``, ``idCardNumber``, ``payMonth``, ``actualAmount`` (optional
    ``totalPayAmount``), ``payRollBankCardNumber``, ``payRollBankCardHolder`` (optional
    ``payRollBankName``), ``payBankCardNumber``, ``balanceDate``, ``status`` (success /
    failed). A bank's key: the project is the one whose dedicated account at that bank is
    ``payBankCardNumber``. A failed pay-out is kept but never counts as paid; pushed again
    as success under its ``recordId`` it is updated. A pay-out stored already (a payroll
    file line, another sender's push: same person, month, payee account, amount and date) is
    matched, not added again.
    """
    body = request.context.json
    return feeds.push_payments(g.feed_key, body.projectId, body.records)
