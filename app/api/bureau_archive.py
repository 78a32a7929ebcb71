"""Archive jobs for a bureau system's key under ``/api/v1/bureau`` (routes on the bureau
blueprint of :mod:`app.api.bureau`).

``POST /bureau/reverify`` queues the re-verification of an employer's (or a period's) filings
in the key's region; ``GET /bureau/jobs/<id>`` answers its progress and, once done, its
summary. A key sees only the jobs it asked for (anyone else's: 404).
"""

from __future__ import annotations

from datetime import datetime

from flask import g, request
from pydantic import BaseModel, ConfigDict, Field

from app.api.bureau import bp
from app.api.schemas import ErrorOut
from app.api.spec import BUREAU_KEY, operation
from app.services import archive_jobs

DAY = r"^(\d{4}-\d{2}-\d{2})?$"
UNAUTHORIZED = (ErrorOut, "缺少或无效的人社系统接口密钥")
EMPLOYER_KEY = (ErrorOut, "用人单位接口密钥无权使用")


class ReverifyIn(BaseModel):
    """Which filings to re-verify: an employer's, and/or those filed in a period."""

    model_config = ConfigDict(extra="forbid")

    employer: str = Field("", max_length=18, description="用人单位统一社会信用代码")
    since: str = Field("", pattern=DAY, description="备案日期（起，北京时间，含当日）YYYY-MM-DD")
    until: str = Field("", pattern=DAY, description="备案日期（止，含当日）YYYY-MM-DD")


class InvalidFilingOut(BaseModel):
    """A filing that failed its re-verification, and why."""

    filing_number: str
    contract_no: str
    kind: str = Field(description="archive：归档文件缺失或与备案记录不一致；"
                                  "signature：签名或时间戳核验未通过；"
                                  "error：核验程序无法处理该文件")
    reason: str = Field(description="原因（中文）")
    reason_en: str | None = Field(None, description="原因（英文，核验报告给出时）")


class ArchiveJobOut(BaseModel):
    """An archive job: its progress, and the summary once done."""

    id: int
    kind: str = Field(description="reverify（批量重新核验）或 evidence_zip（证据包打包）")
    status: str = Field(description="queued、running、done 或 failed")
    total: int
    done: int
    invalid: int
    valid: int | None = Field(None, description="完成后：有效的备案数")
    problems: list[InvalidFilingOut] = Field([], description="完成后：无效的备案（最多 1000 条）")
    created_at: datetime
    finished_at: datetime | None = None


def _out(job) -> dict:
    summary = (job.summary or {}) if job.status == "done" else {}
    return {"id": job.id, "kind": job.kind, "status": job.status, "total": job.total,
            "done": job.done, "invalid": job.invalid, "valid": summary.get("valid"),
            "problems": [{k: p.get(k) for k in InvalidFilingOut.model_fields}
                         for p in summary.get("problems", [])],
            "created_at": job.created_at, "finished_at": job.finished_at}


@bp.post("/reverify")
@operation(json=ReverifyIn, security=BUREAU_KEY, tags=["bureau"],
           answers={202: (ArchiveJobOut, "已排队：后台逐份重新核验"),
                    401: UNAUTHORIZED, 403: EMPLOYER_KEY})
def bureau_reverify():
    """批量重新核验备案

    Every filing of the employer ``employer`` (USCC) and/or archived between ``since`` and
    ``until`` (Beijing dates, both included; without an employer both are needed), within the
    key's region, is re-verified as a job: the archived PDF's SHA-256 against the filing's,
    then its signatures and time-stamps. Poll ``GET /api/v1/bureau/jobs/{job_id}``. Refused
    with 422 when nothing matches or more than ``ARCHIVE_REVERIFY_MAX_FILINGS`` do.
    """
    params = request.context.json.model_dump()
    return _out(archive_jobs.request_reverify(g.principal, params)), 202


@bp.get("/jobs/<int:job_id>")
@operation(security=BUREAU_KEY, tags=["bureau"],
           answers={200: (ArchiveJobOut, "任务进度与结果"), 401: UNAUTHORIZED,
                    403: EMPLOYER_KEY, 404: (ErrorOut, "任务不存在（或不是本密钥提交的）")})
def bureau_job(job_id: int):
    """批量任务进度与结果

    The progress of an archive job this key asked for, and once ``done`` the summary: how
    many filings are valid, and each invalid one with its reason.
    """
    return _out(archive_jobs.follow(g.principal, job_id))
