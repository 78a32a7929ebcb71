"""Durable jobs: a transactional outbox with retries, backoff and safe concurrent workers.

A job is added to the session of the use case that causes it, so it commits (or not)
with the state change. Workers claim due jobs with ``FOR UPDATE SKIP LOCKED`` on
PostgreSQL and a compare-and-set update everywhere; a crashed worker's job becomes
claimable again when its lease runs out. Handlers must be idempotent; every context's
handlers are registered at start-up in one place, :mod:`app.services.wiring`.

With ``JOBS_INLINE`` (the embedded default) one request hook runs, right after a request,
exactly the jobs that this request queued (and the jobs those jobs queue), never other
requests' jobs; otherwise ``flask jobs work`` processes run them.

A job queued during a request (or by another job) keeps that request's id in its payload
(``request_id``); while the job runs it is the current request id again, so the job's log
lines carry the id of the request that caused it (:mod:`app.observe.context`).
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import Flask, Response, current_app, g, has_request_context
from sqlalchemy import and_, inspect, or_, select, update
from sqlalchemy.exc import OperationalError

from app.extensions import db
from app.metrics import JOBS_FINISHED
from app.models import Job
from app.models.base import utcnow
from app.observe import context as request_context

log = logging.getLogger(__name__)
HANDLERS: dict[str, Callable[[dict], None]] = {}
LEASE = timedelta(minutes=5)  # the default of JOBS_LEASE_SECONDS
_QUEUED = "laborsign_queued_jobs"  # attribute of flask.g: the jobs this request queued


def register(kind: str, handler: Callable[[dict], None]) -> None:
    """Run ``handler(payload)`` for jobs of ``kind`` (one handler a kind; idempotent).

    :raises ValueError: another handler is registered for ``kind`` already.
    """
    if HANDLERS.setdefault(kind, handler) is not handler:
        raise ValueError(f"job kind {kind!r} has a handler already: {HANDLERS[kind]!r}")


def init_app(app: Flask) -> None:
    """Add the hook running a request's own jobs right after it (``JOBS_INLINE``)."""
    app.after_request(_run_request_jobs)


def enqueue(kind: str, payload: dict, *, dedupe_key: str | None = None,
            after_request: bool = True, run_after: datetime | None = None) -> Job:
    """Add a job to the current transaction (the caller commits).

    :param after_request: with ``JOBS_INLINE``, run it right after the current request
        (False: a batch's many jobs, run by workers or by its progress page instead).
    :param run_after: not before then (a retry later); default now.
    """
    if (request_id := request_context.current()) and REQUEST_ID_KEY not in payload:
        payload = {**payload, REQUEST_ID_KEY: request_id}
    job = Job(kind=kind, payload=payload, dedupe_key=dedupe_key, run_after=run_after or utcnow())
    db.session.add(job)
    if has_request_context() and after_request:
        g.setdefault(_QUEUED, []).append(job)
    return job


def backoff(attempts: int) -> timedelta:
    """Delay before retry number ``attempts``: 5 s doubling, capped at one hour."""
    return timedelta(seconds=min(3600, 5 * 2 ** max(attempts - 1, 0)))


def lease_time() -> timedelta:
    """How long a claimed job is its worker's before another may take it (a killed worker's
    job is run again after this): ``JOBS_LEASE_SECONDS``, default five minutes."""
    return timedelta(seconds=current_app.config.get("JOBS_LEASE_SECONDS", LEASE.total_seconds()))


def worker_name() -> str:
    """This process's name as a job worker (host and process id)."""
    return f"{socket.gethostname()}:{os.getpid()}"


def claim(worker: str, now: datetime | None = None, *, job_id: int | None = None) -> Job | None:
    """Claim one due job (or the job ``job_id`` if it is due) for ``worker`` and commit the
    claim; None when nothing is due."""
    now = now or utcnow()
    due = or_(
        and_(Job.status == "queued", Job.run_after <= now),
        and_(Job.status == "running", Job.locked_until < now),
    )
    if job_id is not None:
        due = and_(Job.id == job_id, due)
    query = select(Job.id).where(due).order_by(Job.run_after, Job.id).limit(1)
    lease = {"status": "running", "locked_by": worker, "locked_until": now + lease_time(),
             "attempts": Job.attempts + 1}
    if db.engine.dialect.name == "postgresql":
        # one round trip: lock the next due row (skipping those other workers hold) and lease it
        target = query.with_for_update(skip_locked=True).scalar_subquery()
        job_id = db.session.scalar(update(Job).where(Job.id == target).values(**lease)
                                   .returning(Job.id))
        db.session.commit()
        return db.session.get(Job, job_id) if job_id is not None else None
    try:
        job_id = db.session.scalar(query)
        if job_id is None:
            db.session.commit()
            return None
        claimed = db.session.execute(update(Job).where(Job.id == job_id, due).values(**lease))
        db.session.commit()
    except OperationalError as exc:  # SQLite: another worker is writing; claim again later
        db.session.rollback()
        if "locked" not in str(exc):
            raise
        return None
    if claimed.rowcount != 1:
        return None
    return db.session.get(Job, job_id)


#: Handlers receive their payload plus this key: which attempt this is (1 = the first: no
#: earlier attempt can have done part of the work).
ATTEMPT_KEY = "_attempt"
#: The payload key holding the id of the request that queued the job (see the module doc).
REQUEST_ID_KEY = "request_id"


def spent_payload(payload: dict) -> dict:
    """What a finished job keeps of its payload: nothing encrypted (``*_enc``: phones, texts
    with one-time links) — personal data is not kept longer than its use."""
    return {k: v for k, v in payload.items() if not k.endswith("_enc")}


def execute(job: Job) -> bool:
    """Run a claimed job's handler in one transaction; on failure schedule a retry.

    The job's request id is current while it runs; the outcome is counted in
    ``laborsign_jobs_finished_total{kind,outcome}`` (done, retry, failed) and logged.
    """
    bound = request_context.bind(job.payload.get(REQUEST_ID_KEY) or request_context.current())
    try:
        done = _execute(job)
    finally:
        request_context.unbind(bound)
    return done


def _execute(job: Job) -> bool:
    job_id, kind, started = job.id, job.kind, time.perf_counter()
    # the outcome is written only while this run still holds the job: a run that outlived its
    # lease (another worker claimed the job since) leaves the row to the new holder
    held = and_(Job.id == job_id, Job.locked_by == job.locked_by if job.locked_by is not None
                else Job.locked_by.is_(None))
    try:
        fn = HANDLERS[kind]
        fn({**job.payload, ATTEMPT_KEY: job.attempts})
        written = db.session.execute(update(Job).where(held).values(
            status="done", finished_at=utcnow(), locked_by=None, last_error=None,
            payload=spent_payload(job.payload)).execution_options(synchronize_session=False))
        db.session.commit()
        if written.rowcount != 1:
            return _lost(job_id, kind)
        JOBS_FINISHED.labels(kind=kind, outcome="done").inc()
        log.info("job %s (%s) done", job_id, kind, extra={
            "job_id": job_id, "job_kind": kind, "outcome": "done",
            "duration": round(time.perf_counter() - started, 4)})
        return True
    except Exception as exc:  # noqa: BLE001 - any failure is retried later
        db.session.rollback()
        job = db.session.get(Job, job_id)
        if db.session.scalar(select(Job.id).where(held)) is None:
            db.session.commit()
            return _lost(job_id, kind)
        give_up = job.attempts >= current_app.config["JOBS_MAX_ATTEMPTS"]
        job.status = "failed" if give_up else "queued"
        job.run_after = utcnow() + backoff(job.attempts)
        job.locked_by = job.locked_until = None
        job.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        db.session.commit()
        outcome = "failed" if give_up else "retry"
        JOBS_FINISHED.labels(kind=kind, outcome=outcome).inc()
        log.warning("job %s (%s) attempt %s failed: %s", job_id, kind, job.attempts, exc,
                    extra={"job_id": job_id, "job_kind": kind, "outcome": outcome,
                           "duration": round(time.perf_counter() - started, 4)})
        return False


def _lost(job_id: int, kind: str) -> bool:
    """A run that lost its lease: its outcome is not written (the new holder's run decides)."""
    log.warning("job %s (%s) ran past its lease; another worker holds it now", job_id, kind,
                extra={"job_id": job_id, "job_kind": kind, "outcome": "lost"})
    return False


def run_pending(limit: int = 20, worker: str | None = None) -> int:
    """Run up to ``limit`` due jobs; returns how many were attempted."""
    worker = worker or worker_name()
    done = 0
    while done < limit:
        job = claim(worker)
        if job is None:
            break
        execute(job)
        done += 1
    return done


def _committed_id(job: Job) -> int | None:
    """The id of a queued job whose transaction committed (None when it was rolled back)."""
    identity = inspect(job).identity
    return identity[0] if identity else None


def run_queued_by_request() -> int:
    """Run the jobs this request queued, then those they queued; returns how many ran."""
    worker, ran = worker_name(), 0
    while queued := g.pop(_QUEUED, None):
        for job in queued:
            job_id = _committed_id(job)
            claimed = claim(worker, job_id=job_id) if job_id is not None else None
            if claimed is not None:
                execute(claimed)
                ran += 1
    return ran


def _run_request_jobs(response: Response) -> Response:
    """After-request hook: with ``JOBS_INLINE`` run the request's own jobs before answering."""
    if g.get(_QUEUED) and current_app.config.get("JOBS_INLINE"):
        try:
            run_queued_by_request()
        except Exception:  # noqa: BLE001 - the jobs stay queued for a worker
            db.session.rollback()
            log.exception("inline job run failed")
    return response


def _rollback_quietly() -> None:
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the connection is what failed
        log.debug("rollback failed too")


def work_forever(poll_seconds: float = 0.25, max_jobs: int | None = None) -> int:
    """The ``flask jobs work`` loop; returns after ``max_jobs`` jobs when given."""
    worker, total, pause = worker_name(), 0, 0.0
    while max_jobs is None or total < max_jobs:
        try:
            ran = run_pending(limit=1 if max_jobs else 20, worker=worker)
        except OperationalError as exc:  # the database restarts or is unreachable: wait, go on
            _rollback_quietly()
            pause = min(30.0, max(1.0, pause * 2))
            log.warning("database unavailable (%s), job worker waits %.0f s",
                        type(exc.orig or exc).__name__, pause)
            time.sleep(pause)
            continue
        pause = 0.0
        total += ran
        if not ran:
            if max_jobs is not None:
                break
            time.sleep(poll_seconds)
    return total
