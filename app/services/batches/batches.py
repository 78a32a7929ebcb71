"""Batch launch: every row of a checked roster becomes a contract — created, rendered, sealed
with the employer's event certificate and sent to the worker — by its own durable job, so a
failed row never stops the others, and the employer watches the progress live.

A row's job is idempotent: the contract it made is recorded in the contract's own
transaction, a retry after a crash finds it and only seals and sends what is still a draft.
A row that fails for a reason the employer can act on (a rule, a warning that appeared since
the check, a closed account) is marked failed with that reason and can be retried; other
failures are retried by the job queue and marked failed after its last attempt.
"""

from __future__ import annotations

import json
import time

from flask import current_app
from sqlalchemy import func, select

from app import pii
from app.domain.typed import Msg
from app.errors import AppError, Conflict, NotFound, translate
from app.extensions import db
from app.models import ApiKey, Batch, BatchRow, Contract, Job, TemplateVersion, User
from app.models.base import utcnow
from app.services.contracts import contracts
from app.services.platform import audit, jobs
from app.services.platform.principal import EMPLOYER_ROLES, Principal, of_api_key, of_user

NOT_FOUND = "批量任务不存在"
ALREADY_LAUNCHED = "该批量任务已经启动"
WARNINGS_PENDING = "请先确认名册中的劳动法提示（%(rules)s）后再启动"
NOTHING_TO_RETRY = "没有失败的行需要重试"
LAUNCHER_GONE = "发起批量任务的账号已停用或 API 密钥已吊销，请重新登录后重试"
SYSTEM_FAILURE = "系统暂时故障，多次重试未成功：%(reason)s"
PUMP_SECONDS = 1.0


def _batch(p: Principal, batch_id: int) -> Batch:
    """``p``'s employer's batch. :raises NotFound: none, or another employer's."""
    batch = db.session.get(Batch, batch_id)
    if batch is None or not p.is_employer or batch.organization_id != p.organization_id:
        raise NotFound(NOT_FOUND, code="batch_not_found")
    return batch


def get(p: Principal, batch_id: int) -> Batch:
    """One batch of ``p``'s employer. :raises NotFound: none, or another employer's."""
    return _batch(p, batch_id)


def recent(p: Principal, limit: int = 30) -> list[Batch]:
    """The employer's latest batches, newest first."""
    if not p.is_employer:
        return []
    return list(db.session.scalars(select(Batch).where(
        Batch.organization_id == p.organization_id).order_by(Batch.id.desc()).limit(limit)))


def warning_summary(batch: Batch) -> list[dict]:
    """The warnings of a batch's rows by rule: rule id, one message, the rows it concerns."""
    by_rule: dict[str, dict] = {}
    for row in batch.rows:
        for w in row.warnings or []:
            entry = by_rule.setdefault(w["rule"], {"rule": w["rule"], "rows": [],
                                                   "example": w})
            entry["rows"].append(row.row_no)
    return list(by_rule.values())


def launch(p: Principal, batch_id: int, acknowledged: list[str] | tuple = ()) -> Batch:
    """Queue every row's job. The warnings of the rows must all be acknowledged (their rule
    ids in ``acknowledged``, recorded on each contract and in its trail).

    :raises Conflict: already launched, or a warning not acknowledged (nothing changes).
    """
    batch = _batch(p, batch_id)
    db.session.execute(select(Batch.id).where(Batch.id == batch.id).with_for_update())
    db.session.refresh(batch)  # a double click: the second launch sees the first one's status
    if batch.status != "ready":
        raise Conflict(ALREADY_LAUNCHED, code="batch_launched")
    needed = sorted(entry["rule"] for entry in warning_summary(batch))
    if missing := [r for r in needed if r not in acknowledged]:
        raise Conflict(WARNINGS_PENDING, code="warnings_not_acknowledged",
                       rules="、".join(missing))
    batch.acknowledged, batch.status, batch.launched_at = needed, "running", utcnow()
    _queue(batch.rows)
    audit.record(None, p.actor, "batch.launched", batch=batch.id, rows=batch.total,
                 acknowledged=needed)
    db.session.commit()
    return batch


def _queue(rows: list[BatchRow]) -> None:
    queued = []
    for row in rows:
        row.status, row.error, row.finished_at = "queued", None, None
        queued.append((row, jobs.enqueue("batch_row", {"row_id": row.id}, after_request=False)))
    db.session.flush()
    for row, job in queued:
        row.job_id = job.id


def retry(p: Principal, batch_id: int) -> int:
    """Queue the failed rows again; returns how many. :raises Conflict: none failed."""
    batch = _batch(p, batch_id)
    gave_up = set(db.session.scalars(select(Job.id).where(
        Job.id.in_([r.job_id for r in batch.rows if r.status == "queued" and r.job_id]),
        Job.status == "failed")))  # the queue's last attempt failed before the row was marked
    failed = [r for r in batch.rows if r.status == "failed" or r.job_id in gave_up]
    if not failed:
        raise Conflict(NOTHING_TO_RETRY, code="nothing_to_retry")
    batch.status, batch.finished_at = "running", None
    _queue(failed)
    audit.record(None, p.actor, "batch.retried", batch=batch.id, rows=len(failed))
    db.session.commit()
    return len(failed)


def counts(batch: Batch) -> dict:
    """``{total, waiting, queued, done, failed, percent}`` of the batch's rows."""
    found = dict(db.session.execute(select(BatchRow.status, func.count()).where(
        BatchRow.batch_id == batch.id).group_by(BatchRow.status)).all())
    out = {s: found.get(s, 0) for s in ("waiting", "queued", "done", "failed")}
    finished = out["done"] + out["failed"]
    out.update(total=batch.total, status=batch.status,
               percent=round(100 * finished / batch.total) if batch.total else 100)
    return out


def progress(p: Principal, batch_id: int) -> dict:
    """The batch's counts and every failed row with its reason (in the reader's language).
    With ``JOBS_INLINE`` (one process, no job workers) asking also runs some of the batch's
    queued rows first, about one second's worth: the progress page drives the work."""
    batch = _batch(p, batch_id)
    if current_app.config.get("JOBS_INLINE") and batch.status == "running":
        pump(batch.id)
        db.session.refresh(batch)
    if batch.status == "running":
        _complete_if_finished(batch)
        db.session.commit()
    body = counts(batch)
    body["failed_rows"] = [{"row": r.row_no, "worker_name": r.worker_name,
                            "id_masked": r.id_masked, "reason": error_text(r.error)}
                           for r in batch.rows if r.status == "failed"]
    return body


def pump(batch_id: int, seconds: float = PUMP_SECONDS) -> int:
    """Run queued row jobs of one batch for about ``seconds``; returns how many ran."""
    deadline, ran = time.monotonic() + seconds, 0
    job_ids = list(db.session.scalars(select(BatchRow.job_id).where(
        BatchRow.batch_id == batch_id, BatchRow.status == "queued").order_by(
        BatchRow.row_no).limit(200)))
    for job_id in job_ids:
        if time.monotonic() >= deadline:
            break
        job = jobs.claim(jobs.worker_name(), job_id=job_id)
        if job is not None:
            jobs.execute(job)
            ran += 1
    return ran


def rows_of(batch: Batch) -> list[dict]:
    """Each row's outcome: row number, name, masked ID number, status, contract, reason."""
    numbers = dict(db.session.execute(select(Contract.id, Contract.contract_no).where(
        Contract.id.in_([r.contract_id for r in batch.rows if r.contract_id]))).all())
    return [{"row": r.row_no, "worker_name": r.worker_name, "id_masked": r.id_masked,
             "status": r.status, "contract_id": r.contract_id,
             "contract_no": numbers.get(r.contract_id), "reason": error_text(r.error)}
            for r in batch.rows]


def _msg_json(message) -> dict:
    if isinstance(message, Msg):
        return {"msg": message.template, "params": {
            k: _msg_json(v) if isinstance(v, Msg) else str(v) for k, v in message.params.items()}}
    return {"msg": str(message), "params": {}}


def _msg_back(stored: dict) -> Msg:
    return Msg(stored["msg"], **{k: _msg_back(v) if isinstance(v, dict) else v
                                 for k, v in stored.get("params", {}).items()})


def error_text(error: dict | None) -> str | None:
    """A row's stored reason in the reader's language: the message and each field's."""
    if not error:
        return None
    parts = [translate(_msg_back(error["message"]))]
    parts += [translate(_msg_back(m)) for m in error.get("fields", {}).values()]
    return "；".join(parts)


def _launcher(batch: Batch) -> Principal:
    """Who launched the batch, as they act now. :raises Conflict: account or key closed."""
    if batch.api_key_id is not None:
        key = db.session.get(ApiKey, batch.api_key_id)
        if key is not None and key.revoked_at is None:
            return of_api_key(key)
    elif batch.created_by_id is not None:
        user = db.session.get(User, batch.created_by_id)
        if user is not None and user.active and user.role in EMPLOYER_ROLES \
                and user.organization_id == batch.organization_id:
            return of_user(user)
    raise Conflict(LAUNCHER_GONE, code="launcher_gone")


def run_row(payload: dict) -> None:
    """The ``batch_row`` job: make the row's contract, seal it and send it (idempotent)."""
    row = db.session.get(BatchRow, payload["row_id"])
    if row is None or row.status != "queued":
        return
    row_id, batch = row.id, row.batch
    try:
        p = _launcher(batch)
        if row.contract_id is None:
            version = db.session.get(TemplateVersion, batch.template_version_id)
            raw = {**json.loads(pii.decrypt(row.data_enc)), "template": version.template_id}
            if batch.project_id:  # the batch's project, checked when the roster was
                raw.update(project_id=batch.project_id, project_team=raw.get(
                    "project_team") or raw.get("team") or batch.project_team)
            contracts.create_contract(p, raw, acknowledged=batch.acknowledged,
                                      before_commit=lambda c: setattr(row, "contract_id", c.id))
        contract = db.session.get(Contract, row.contract_id)
        if contract.status == "draft":
            contracts.send_contract(p, contract.id, acknowledged=batch.acknowledged)
    except AppError as exc:
        db.session.rollback()
        _finish(row_id, {"message": _msg_json(Msg(exc.template, **exc.params)),
                         "fields": {k: _msg_json(v) for k, v in exc.fields.items()}})
        return
    except Exception as exc:
        if payload.get(jobs.ATTEMPT_KEY, 1) < current_app.config["JOBS_MAX_ATTEMPTS"]:
            raise  # the queue retries it with backoff
        db.session.rollback()
        _finish(row_id, {"message": _msg_json(Msg(SYSTEM_FAILURE, reason=type(exc).__name__))})
        return
    _finish(row_id, None)


def _finish(row_id: int, error: dict | None) -> None:
    """Mark the row done (its typed data dropped: the contract holds it) or failed, and the
    batch done when no row is left to run."""
    row = db.session.get(BatchRow, row_id)
    row.status, row.error, row.finished_at = ("failed" if error else "done"), error, utcnow()
    if error is None:
        row.data_enc = None
    db.session.flush()
    _complete_if_finished(row.batch)
    db.session.commit()


def _complete_if_finished(batch: Batch) -> None:
    """Mark a running batch done when none of its rows is left to run. The batch's row is
    locked first (PostgreSQL), so of two workers finishing its last rows at once the later
    one sees the other's row finished."""
    db.session.execute(select(Batch.id).where(Batch.id == batch.id).with_for_update())
    left = db.session.scalar(select(func.count()).where(
        BatchRow.batch_id == batch.id, BatchRow.status.in_(("waiting", "queued"))))
    if not left and batch.status == "running":
        batch.status, batch.finished_at = "done", utcnow()
        audit.record(None, "system:batch", "batch.completed", batch=batch.id,
                     **{k: v for k, v in counts(batch).items() if k in ("done", "failed")})
