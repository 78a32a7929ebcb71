"""Employer API: batches — a roster as JSON rows checked (every problem by row and field,
nothing created), launched (each row created, sealed and sent by its own job), followed and
retried."""

from flask import g, request

from app.api.batch_schemas import BatchIn, BatchOut, LaunchIn, RosterErrorOut
from app.api.blueprint import employer_bp as bp
from app.api.schemas import ErrorOut
from app.api.spec import API_KEY, operation
from app.errors import translate
from app.models import Batch
from app.services.batches import batch_check, batches
from app.services.contracts import rules

TAGS = ["batches"]
BID = "/batches/<int(min=1, max=2147483647):batch_id>"
KNOWN = {401: (ErrorOut, "缺少或无效的 API 密钥"), 404: (ErrorOut, "批量任务不存在")}


def _out(batch: Batch) -> dict:
    counts = batches.counts(batch)
    return {"id": batch.id, **{k: counts[k] for k in (
        "status", "total", "waiting", "queued", "done", "failed", "percent")},
        "created_at": batch.created_at.isoformat(),
        "warnings": [{"rule": w["rule"], "rows": w["rows"], "message": translate(
            rules.stored_message(w["rule"], w["example"]["params"]))}
            for w in batches.warning_summary(batch)],
        "rows": batches.rows_of(batch)}


@bp.post("/batches")
@operation(json=BatchIn, security=API_KEY, tags=TAGS, answers={
    201: (BatchOut, "名册检查通过，已保存（ready），待启动"),
    422: (RosterErrorOut, "名册有问题（roster_invalid，problems 逐行列出），未创建任何内容"),
    401: KNOWN[401]})
def create_batch():
    """检查名册并保存为批量任务

    Every row is checked as ``POST /contracts`` checks one contract (types, then the
    labor-law rules), plus the same ID number twice in the roster and a worker who already
    has an unsent draft. Any problem answers 422 ``roster_invalid`` with every problem in
    ``problems`` (row index from 1, field) and nothing is stored. The warnings of the rows
    come back in ``warnings``: acknowledge them when launching.
    """
    body = request.context.json
    batch = batch_check.from_rows(g.principal, body.template, body.rows, {
        "project_id": body.project_id, "project_team": body.project_team})
    return _out(batch), 201


@bp.post(f"{BID}/launch")
@operation(json=LaunchIn, optional_body=True, security=API_KEY, tags=TAGS, answers={
    202: (BatchOut, "已启动：每行一个后台任务（生成、盖章、短信发送）"),
    409: (ErrorOut, "已启动（batch_launched），或有未确认的提示（warnings_not_acknowledged）"),
    **KNOWN})
def launch_batch(batch_id: int):
    """启动批量任务

    Each row becomes a contract created, sealed with the employer's event certificate and
    sent to the worker by SMS, each by its own durable job: a failed row never stops the
    others. Follow it with ``GET /batches/{batch_id}``.
    """
    acknowledged = (request.context.json or LaunchIn()).acknowledged_rules
    return _out(batches.launch(g.principal, batch_id, acknowledged)), 202


@bp.get(BID)
@operation(security=API_KEY, tags=TAGS, answers={200: BatchOut, **KNOWN})
def get_batch(batch_id: int):
    """批量任务进度与每行结果"""
    batches.progress(g.principal, batch_id)  # with inline jobs: runs some rows first
    return _out(batches.get(g.principal, batch_id))


@bp.post(f"{BID}/retry")
@operation(security=API_KEY, tags=TAGS, answers={
    202: (BatchOut, "失败的行已重新排队"), 409: (ErrorOut, "没有失败的行（nothing_to_retry）"),
    **KNOWN})
def retry_batch(batch_id: int):
    """重试失败的行"""
    batches.retry(g.principal, batch_id)
    return _out(batches.get(g.principal, batch_id)), 202
