"""Running an archive job: the ``archive_job`` handler and the command line's direct run.

A run starts from scratch (an attempt after a crash redoes the whole job: nothing of a broken
attempt is reused, its ZIP parts expire with their retention), commits its progress every
``ARCHIVE_JOB_PROGRESS_EVERY`` contracts — and with it extends its job's lease, so that a
long job is not taken for a dead worker's — and ends ``done`` or, after the last attempt,
``failed`` with the error. Personal criteria (an ID number) are dropped when it ends.

A job is never run inside the request that asks for it: job workers (``flask jobs work``) run
it; with ``JOBS_INLINE`` (the embedded default, no workers) its progress poll does
(:func:`follow`), so the asker's page answers at once and the poll drives the work — never in
production mode (``PRODUCTION``), where a poll only reads.

Only the current holder of the job's lease writes: the lease is extended at every progress
commit and every ZIP part stored; a worker whose lease another worker took over (it ran past
the lease) stops at its next commit without writing anything, and :func:`run_now` does not
restart a job another worker holds.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app
from sqlalchemy import select, update

from app.extensions import db
from app.models import Job
from app.models.archive_job import ArchiveJob
from app.models.base import utcnow
from app.services.archive_jobs import bulk_evidence, reverify
from app.services.archive_jobs.requests import JOB_KIND, job_for
from app.services.archive_jobs.selection import acting
from app.services.platform import jobs
from app.services.platform.principal import Principal

#: called with (done, total) whenever progress is committed
OnProgress = Callable[[int, int], None]
BUILDERS = {"evidence_zip": bulk_evidence.build, "reverify": reverify.build}


class LeaseLost(Exception):
    """Another worker holds the job now (this run outlived its lease): stop, write nothing."""


def _owner(job_id: int) -> Job | None:
    return db.session.scalar(select(Job).where(Job.dedupe_key == f"{JOB_KIND}:{job_id}"))


def _check_holder(job_id: int, holder: str | None) -> None:
    """:raises LeaseLost: ``holder`` (a worker) no longer holds job ``job_id``'s lease."""
    if holder is None:
        return
    row = _owner(job_id)
    if row is not None and row.locked_by not in (None, holder):
        raise LeaseLost(f"archive job {job_id} is run by {row.locked_by} now")


class Progress:
    """Counts one job's contracts; every N it commits them (and extends the job's lease)."""

    def __init__(self, job: ArchiveJob, on_progress: OnProgress | None = None,
                 holder: str | None = None) -> None:
        self.job, self.on_progress, self.holder = job, on_progress, holder
        self.every = max(1, current_app.config["ARCHIVE_JOB_PROGRESS_EVERY"])
        self.done = self.invalid = 0

    def start(self, total: int) -> None:
        """The job's real size, found when it runs (committed at once: 0 of total)."""
        self.job.total = total
        self.save()

    def step(self, *, invalid: bool = False) -> None:
        """One more contract done (``invalid``: it failed its check)."""
        self.done += 1
        self.invalid += invalid
        self.job.done, self.job.invalid = self.done, self.invalid
        if self.done % self.every == 0:
            self.save()

    def keep(self) -> None:
        """Extend the job's lease (and commit).

        :raises LeaseLost: another worker holds the job now.
        """
        _check_holder(self.job.id, self.holder)
        held = [Job.locked_by == self.holder] if self.holder else []
        db.session.execute(update(Job).where(
            Job.dedupe_key == f"{JOB_KIND}:{self.job.id}", Job.status == "running", *held)
            .values(locked_until=utcnow() + jobs.lease_time()))
        db.session.commit()

    def save(self) -> None:
        """Commit the counts and keep the job's lease.

        :raises LeaseLost: another worker holds the job now.
        """
        self.job.done, self.job.invalid = self.done, self.invalid
        self.keep()
        if self.on_progress:
            self.on_progress(self.done, self.job.total)


def _held_by_another(job_id: int, holder: str | None) -> bool:
    row = _owner(job_id)
    return (row is not None and row.status == "running" and row.locked_by != holder
            and row.locked_until is not None and row.locked_until > utcnow())


def run_now(job_id: int, *, on_progress: OnProgress | None = None,
            last_attempt: bool = True, holder: str | None = None) -> ArchiveJob | None:
    """Run archive job ``job_id`` from scratch to its end (commits as it goes); a job that
    has already ended, or that another worker's live lease holds, is left as it is.

    :param on_progress: told (done, total) at every progress commit.
    :param last_attempt: a failure ends the job as ``failed`` (else it waits for a retry).
    :param holder: the worker whose lease this run is under (the job handler's); a run
        that loses it to another worker stops without writing (None: a direct run).
    :raises Exception: whatever made the run fail (after recording it on the job).
    """
    job = db.session.get(ArchiveJob, job_id)
    if job is None or job.finished or _held_by_another(job_id, holder):
        return job
    job.status, job.started_at, job.finished_at = "running", utcnow(), None
    job.done = job.invalid = 0
    job.summary = job.error = job.result_key = job.sha256 = job.result_size = None
    db.session.commit()
    try:
        BUILDERS[job.kind](job, acting(job.actor, job.scope or {}),
                           Progress(job, on_progress, holder))
        _check_holder(job_id, holder)
    except LeaseLost:  # the other worker's run writes the outcome
        db.session.rollback()
        return db.session.get(ArchiveJob, job_id)
    except Exception as exc:
        db.session.rollback()
        try:
            _check_holder(job_id, holder)
        except LeaseLost:
            return db.session.get(ArchiveJob, job_id)
        job = db.session.get(ArchiveJob, job_id)
        job.status = "failed" if last_attempt else "queued"
        job.error = f"{type(exc).__name__}: {exc}"[:1000]
        if last_attempt:
            _end(job)
        db.session.commit()
        raise
    job.status = "done"
    _end(job)
    db.session.commit()
    return job


def _end(job: ArchiveJob) -> None:
    job.finished_at = utcnow()
    job.criteria = {k: v for k, v in job.criteria.items() if not k.endswith("_enc")}


def run_archive_job(payload: dict) -> None:
    """Job handler of ``archive_job``: run the archive job ``payload["archive_job_id"]``
    (idempotent: a finished job is not run again; an unfinished one starts over)."""
    attempt = payload.get(jobs.ATTEMPT_KEY, 1)
    row = _owner(payload["archive_job_id"])
    run_now(payload["archive_job_id"],
            last_attempt=attempt >= current_app.config["JOBS_MAX_ATTEMPTS"],
            holder=row.locked_by if row is not None else None)


def follow(p: Principal, job_id: int) -> ArchiveJob:
    """Archive job ``job_id`` for its asker's poll (:func:`.requests.job_for`). With
    ``JOBS_INLINE`` (no job workers) a job still waiting in the queue is run first, here: the
    poll drives the work (one poll runs it; polls meanwhile see its committed progress).
    In production mode (``PRODUCTION``) a poll only reads: workers run the jobs.

    :raises NotFound: as :func:`.requests.job_for`.
    """
    job = job_for(p, job_id)
    config = current_app.config
    if job.finished or not config.get("JOBS_INLINE") or config.get("PRODUCTION"):
        return job
    queued = db.session.scalar(select(Job.id).where(
        Job.dedupe_key == f"{JOB_KIND}:{job.id}", Job.status.in_(("queued", "running")))
        .order_by(Job.id.desc()).limit(1))
    claimed = jobs.claim(jobs.worker_name(), job_id=queued) if queued is not None else None
    if claimed is not None:  # None: not due yet (a retry's backoff), or another poll runs it
        jobs.execute(claimed)
        db.session.refresh(job)
    return job
