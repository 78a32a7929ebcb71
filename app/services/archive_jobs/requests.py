"""Asking for an archive job and reading it back: the bulk evidence ZIP of a search, a batch
re-verification. Each request is checked (criteria, scope, size cap) before anything is
queued, recorded in the access log with its criteria and count, and queued as one durable job
(``archive_job``) in the same transaction.

Only the asker (the same user or key) or a platform admin sees a job; anyone else gets the
answer of a missing one.
"""

from __future__ import annotations

from datetime import date

from flask import current_app
from sqlalchemy import select

from app import pii
from app.domain import typed
from app.domain.ids import uscc_error
from app.domain.typed import Msg
from app.errors import Forbidden, NotFound, ValidationFailed
from app.extensions import db
from app.models.archive_job import ArchiveJob
from app.services.archive_jobs import selection
from app.services.filing import search
from app.services.platform import access_log, jobs
from app.services.platform.principal import Principal

#: the job kind of every archive job (one handler: app.services.archive_jobs.runner)
JOB_KIND = "archive_job"
NO_FILINGS = "没有符合条件的已备案合同"
TOO_MANY_ZIP = "符合条件的已备案合同超过%(limit)s份（单次打包上限），请缩小查询范围后再试"
TOO_MANY_VERIFY = "符合条件的备案超过%(limit)s份（单次核验上限），请缩小范围后再试"
NOT_FOUND = "任务不存在"
EMPLOYER_UNKNOWN = "未找到该统一社会信用代码的用人单位，或其不在您的管辖范围内"
NEED_EMPLOYER_OR_PERIOD = "请填写用人单位统一社会信用代码，或备案日期的起止"
PERIOD_REVERSED = "备案日期（起）不能晚于备案日期（止）"
REVERIFY_LABELS = {"employer": "用人单位统一社会信用代码", "since": "备案日期（起）",
                   "until": "备案日期（止）"}
#: criteria kept only encrypted while the job needs them (dropped when it ends)
PERSONAL = ("id_number",)


def _new_job(p: Principal, kind: str, criteria: dict, total: int) -> ArchiveJob:
    stored = {k: v for k, v in criteria.items() if v and k not in PERSONAL}
    stored.update({f"{k}_enc": pii.encrypt(criteria[k]) for k in PERSONAL if criteria.get(k)})
    job = ArchiveJob(kind=kind, actor=p.actor, user_id=p.user_id, scope=selection.scope_of(p),
                     criteria=stored, criteria_shown=access_log.mask_criteria(criteria) or {},
                     total=total, done=0, invalid=0, status="queued")
    db.session.add(job)
    db.session.flush()
    return job


def _queue(job: ArchiveJob, queue: bool) -> None:
    # never run right after the request (the answer would wait for the whole job): a job
    # worker runs it, or — with JOBS_INLINE — its progress poll (runner.follow)
    if queue:
        jobs.enqueue(JOB_KIND, {"archive_job_id": job.id}, dedupe_key=f"{JOB_KIND}:{job.id}",
                     after_request=False)


def search_params(job: ArchiveJob) -> dict:
    """The search criteria of an evidence-ZIP job as the search takes them (ID number
    decrypted: only while the job runs)."""
    params = {k: v for k, v in job.criteria.items() if not k.endswith("_enc")}
    params.update({k: pii.decrypt(job.criteria[f"{k}_enc"]) for k in PERSONAL
                   if job.criteria.get(f"{k}_enc")})
    return params


def request_evidence_zip(p: Principal, params: dict, *, queue: bool = True) -> ArchiveJob:
    """Queue the evidence packages of every filed contract the auditor's search ``params``
    finds (all pages) as one ZIP (commits); recorded in the access log (``evidence``, the
    criteria and the count).

    :param queue: False: the caller runs the job itself (the command line).
    :raises Forbidden: ``p`` is neither an auditor nor a platform admin.
    :raises ValidationFailed: criteria the search refuses; no filed contract found; more than
        ``ARCHIVE_ZIP_MAX_CONTRACTS`` (the message names the cap; matches are counted only
        up to one over it).
    """
    criteria = {name: params.get(name) for name in search.CRITERIA}
    criteria = {k: v.strip() if isinstance(v, str) else v for k, v in criteria.items() if v}
    limit = current_app.config["ARCHIVE_ZIP_MAX_CONTRACTS"]
    total = selection.count(selection.search_filings(p, criteria), at_most=limit + 1)
    if not total:
        raise ValidationFailed(NO_FILINGS, code="nothing_filed")
    if total > limit:
        raise ValidationFailed(TOO_MANY_ZIP, code="too_many", limit=limit)
    job = _new_job(p, "evidence_zip", criteria, total)
    access_log.record(p, "evidence", criteria={**criteria, "archive_job": job.id}, count=total)
    _queue(job, queue)
    db.session.commit()
    return job


def _period(params: dict) -> tuple[str | None, date | None, date | None]:
    """(USCC, since, until) of a re-verification request.

    :raises ValidationFailed: a malformed USCC or date, neither an employer nor a whole period,
        dates reversed.
    """
    errors: dict = {}
    uscc, problem = typed.text(params.get("employer"), limit=18)
    if problem or (uscc and (problem := uscc_error(uscc))):
        errors["employer"] = Msg(problem, label=Msg(REVERIFY_LABELS["employer"]), limit=18)
    days: dict = {}
    for name in ("since", "until"):
        days[name] = None
        if params.get(name) not in (None, ""):
            days[name], problem = typed.iso_date(params.get(name))
            if problem:
                errors[name] = Msg(problem, label=Msg(REVERIFY_LABELS[name]))
    if errors:
        raise ValidationFailed("核验条件有误，请检查标出的字段", fields=errors)
    if not uscc and not (days["since"] and days["until"]):
        raise ValidationFailed(NEED_EMPLOYER_OR_PERIOD, fields={"employer": NEED_EMPLOYER_OR_PERIOD})
    if days["since"] and days["until"] and days["since"] > days["until"]:
        raise ValidationFailed(PERIOD_REVERSED, fields={"since": PERIOD_REVERSED})
    return (uscc.upper() if uscc else None), days["since"], days["until"]


def request_reverify(p: Principal, params: dict, *, queue: bool = True) -> ArchiveJob:
    """Queue the re-verification of every filing of an employer (``employer``: its USCC)
    and/or archived in a period (``since``, ``until``: Beijing dates, both included) within
    ``p``'s scope (commits); recorded in the access log (``verify``, criteria and count).

    :raises Forbidden: ``p`` is not an auditor, a platform admin or a bureau system's key.
    :raises ValidationFailed: a malformed field (named), an employer not found in the scope,
        no filing, more than ``ARCHIVE_REVERIFY_MAX_FILINGS``.
    """
    if not (p.is_auditor or p.is_platform_admin or p.role == access_log.BUREAU_SYSTEM):
        raise Forbidden("您没有权限访问此页面")
    uscc, since, until = _period(params)
    acting = selection.acting(p.actor, selection.scope_of(p))
    org_id = None
    if uscc:
        org = selection.employer_in_scope(acting, uscc)
        if org is None:
            raise ValidationFailed(EMPLOYER_UNKNOWN, fields={"employer": EMPLOYER_UNKNOWN})
        org_id = org.id
    limit = current_app.config["ARCHIVE_REVERIFY_MAX_FILINGS"]
    total = selection.count(selection.filings_to_verify(acting, org_id, since, until),
                            at_most=limit + 1)
    if not total:
        raise ValidationFailed(NO_FILINGS, code="nothing_filed")
    if total > limit:
        raise ValidationFailed(TOO_MANY_VERIFY, code="too_many", limit=limit)
    criteria = {"employer": uscc, "organization_id": org_id,
                "since": since.isoformat() if since else None,
                "until": until.isoformat() if until else None}
    job = _new_job(p, "reverify", criteria, total)
    access_log.record(p, "verify", criteria={**criteria, "archive_job": job.id}, count=total)
    _queue(job, queue)
    db.session.commit()
    return job


def job_for(p: Principal, job_id: int) -> ArchiveJob:
    """Archive job ``job_id`` if ``p`` asked for it (or is a platform admin), and ``p`` may
    still see what it holds: still an auditor (or a bureau system's key) whose scope today
    covers the scope the job was asked with (an auditor who has since lost an employer cannot
    open the job, its summary or its ZIP any more).

    :raises NotFound: missing, someone else's, or out of the asker's scope now (all alike).
    """
    job = db.session.get(ArchiveJob, job_id)
    if job is None or not (p.is_platform_admin or (
            job.actor == p.actor and (p.is_auditor or p.role == access_log.BUREAU_SYSTEM)
            and selection.covers(selection.scope_of(p), job.scope or {}))):
        raise NotFound(NOT_FOUND, code="archive_job_not_found")
    return job


def jobs_of(p: Principal, limit: int = 50) -> list[ArchiveJob]:
    """``p``'s latest archive jobs (a platform admin: everyone's), newest first."""
    query = select(ArchiveJob).order_by(ArchiveJob.id.desc()).limit(limit)
    if not p.is_platform_admin:
        query = query.where(ArchiveJob.actor == p.actor)
    return list(db.session.scalars(query))


def progress(job: ArchiveJob) -> dict:
    """What a progress page polls: counts, percent and whether the job has ended (``status``
    ``done`` once it finished either way; ``outcome`` says which)."""
    return {"id": job.id, "kind": job.kind, "status": "done" if job.finished else job.status,
            "outcome": job.status, "done": job.done, "total": job.total, "failed": job.invalid,
            "percent": job.percent}
