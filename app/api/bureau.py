"""``GET /api/v1/bureau/filings`` (the filings export), ``/register`` (the county employment
register) and ``/late-filings`` for a labor bureau's system.

Authenticated by a bureau key (``Authorization: Bearer lbk_…``, ``flask bureau-key create``),
scoped to its region-code prefix. An employer's key (``lsk_…``) is refused with 403. Every
read is recorded in the access log, as the bureau pages' are.
"""

from __future__ import annotations

import re

from flask import Blueprint, g, make_response, request
from pydantic import BaseModel, ConfigDict, Field

from app.api.bureau_schemas import LateFilingsOut, LateQuery, RegisterOut, RegisterQuery
from app.api.schemas import ErrorOut
from app.api.spec import BUREAU_KEY, operation
from app.errors import Forbidden, Unauthorized
from app.services import bureau, exports
from app.services.accounts import apikeys
from app.services.exports import bureau_keys

bp = Blueprint("bureau", __name__, url_prefix="/bureau")
_PRINTABLE = re.compile(r"[\x21-\x7e]{1,200}")


class FilingExportQuery(BaseModel):
    """The export's query: where to continue, the format, an optional narrower region."""

    model_config = ConfigDict(extra="forbid")

    cursor: str = Field("", max_length=400, description="上次返回的 X-Next-Cursor；首次不填")
    format: str = Field("json", pattern="^(json|csv)$",
                        description="json（JSON Lines）或 csv")
    region: str = Field("", pattern=r"^(\d{2,6})?$", description="地区代码前缀（在密钥范围内再缩小）")
    limit: int = Field(500, ge=1, le=5000, description="每页最多条数（不超过 FILING_EXPORT_PAGE）")


@bp.before_request
def authenticate_bureau_key() -> None:
    """``Authorization: Bearer lbk_…`` -> ``g.principal``; an employer's key gets 403.

    :raises Unauthorized: no key, or an unknown, malformed or revoked one.
    :raises Forbidden: a live employer API key (it never reads the bureau's export).
    """
    scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
    presented = presented.strip()
    if scheme.lower() != "bearer" or not presented:
        raise Unauthorized("缺少 API 密钥（Authorization: Bearer …）", code="missing_api_key")
    printable = bool(_PRINTABLE.fullmatch(presented))
    key = bureau_keys.authenticate(presented) if printable else None
    if key is None:
        if printable and apikeys.authenticate(presented) is not None:
            raise Forbidden("用人单位接口密钥不能读取人社备案数据", code="not_a_bureau_key")
        raise Unauthorized("API 密钥无效或已吊销", code="invalid_api_key")
    g.principal = bureau_keys.principal_of(key)


@bp.get("/filings")
@operation(query=FilingExportQuery, security=BUREAU_KEY, tags=["bureau"],
           answers={200: (None, "备案记录（JSON Lines 或 CSV）"),
                    401: (ErrorOut, "缺少或无效的人社系统接口密钥"),
                    403: (ErrorOut, "用人单位接口密钥无权读取")},
           binary={200: ("application/x-ndjson", "text/csv")})
def bureau_filings():
    """人社备案数据增量导出（用工登记、变更、注销）

    Records after ``cursor`` (first call: none) of the key's region, oldest first, as JSON
    Lines or CSV (fields: README "Filings out to the 人社 systems"). The answer's
    ``X-Next-Cursor`` header is the cursor of the next call (the same one when nothing new
    arrived); ``X-More: 1`` when the page was full. A forged or edited cursor answers 422
    naming ``cursor``.
    """
    query = request.context.query
    page = exports.export_filings(g.principal, cursor=query.cursor or None, fmt=query.format,
                                  region=query.region or None, limit=query.limit)
    answer = make_response(page.body)
    answer.headers["Content-Type"] = page.media_type
    answer.headers["X-Next-Cursor"] = page.next_cursor
    answer.headers["X-More"] = "1" if page.more else "0"
    answer.headers["Cache-Control"] = "no-store"
    return answer


@bp.get("/register")
@operation(query=RegisterQuery, security=BUREAU_KEY, tags=["bureau"],
           answers={200: (RegisterOut, "全县用工信息库（本密钥地区）"),
                    401: (ErrorOut, "缺少或无效的人社系统接口密钥"),
                    403: (ErrorOut, "用人单位接口密钥无权读取")})
def bureau_register():
    """全县用工信息库

    The county employment register of the key's region, as ``/bureau/register.json`` gives
    it to a logged-in auditor: employers with workers in service on ``day`` (default today,
    Beijing), contracts ending within 30 days, hires and leavers of the 12 months up to it,
    per region, and the employers whose workers appear in attendance or payroll without a
    filed contract. ``region`` narrows the key's region prefix. Counts only, no personal data.
    """
    return bureau.register_view(g.principal, request.args).as_json()


@bp.get("/late-filings")
@operation(query=LateQuery, security=BUREAU_KEY, tags=["bureau"],
           answers={200: (LateFilingsOut, "逾期备案（本密钥地区）"),
                    401: (ErrorOut, "缺少或无效的人社系统接口密钥"),
                    403: (ErrorOut, "用人单位接口密钥无权读取")})
def bureau_late_filings():
    """逾期备案（用工登记、注销）

    Registrations and deregistrations of the key's region filed after their deadline, in a
    period of filing dates (``from``/``to``, default the last 90 days, at most a year),
    oldest first, 100 a page (``page`` from 1). The ID number is masked.
    """
    found = exports.late_page(g.principal, request.args)
    return {"from": found.start.isoformat(), "to": found.end.isoformat(),
            "total": found.total, "page": found.page, "pages": found.pages,
            "records": [late_row(record, contract) for record, contract in found.rows]}


def late_row(record, contract) -> dict:
    """A late filing as the API answers it (the masked ID number only)."""
    return {"record_id": record.record_id, "record_type": record.record_type,
            "filing_number": record.filing_number, "filed_at": record.filed_at,
            "contract_no": record.contract_no, "employer_uscc": record.employer_uscc,
            "employer_name": record.employer_name, "region_code": record.region_code,
            "worker_name": record.worker_name, "worker_id_masked": contract.worker.id_masked,
            "due_on": record.due_on, "days_late": record.days_late}
