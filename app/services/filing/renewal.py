"""Archive time-stamp renewal (PAdES-LTA): before a filed PDF's newest time-stamp ages out
(its TSA certificate expires within ``TIMESTAMP_RENEW_BEFORE_DAYS``, or its hash algorithm
is on ``TIMESTAMP_WEAK_ALGORITHMS``), a new document time-stamp is added over it.

* :func:`queue_renewals` (the daily scheduled run, ``flask archive renew-timestamps``) finds
  the filings due in one indexed query over ``filing_timestamps`` (plus the filings whose
  time-stamp was never read) and queues one ``renew_timestamp`` job per filing;
* :func:`renew_filing_timestamp` (the job) reads the filed PDF's time-stamp when unknown,
  and when due stores ``<filed key minus .pdf>.r<N>.pdf`` (the previous version plus one
  revision: DSS and a new document time-stamp), records it and the audit-trail entry.

The filed object and the filing's SHA-256 never change (object lock; the record of what was
signed); readers of "the archived PDF" get the newest version
(:func:`app.services.filing.verification.current_version`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import String, cast, exists, func, literal, or_, select, update
from sqlalchemy.orm import aliased

from app.errors import Conflict
from app.extensions import db
from app.models import Filing, FilingTimestamp, Job
from app.models.base import utcnow
from app.services.filing import filing as filing_service
from app.services.filing import renewal_policy, verification
from app.services.filing.verification import newest
from app.services.platform import audit, jobs, pki

log = logging.getLogger(__name__)
JOB_KIND = "renew_timestamp"
#: a failed job is queued again at most this often (with a single attempt)
RETRY_FAILED_AFTER = timedelta(hours=20)
@dataclass
class RenewalRun:
    """What :func:`queue_renewals` found (and queued unless a dry run)."""

    due: list[int] = field(default_factory=list)  # filing ids whose time-stamp ages out
    unknown: list[int] = field(default_factory=list)  # filings whose time-stamp was never read
    queued: int = 0
    already_queued: int = 0
    failed: list[int] = field(default_factory=list)  # filings whose last job gave up: re-queued
    held: int = 0  # failed less than a day ago: not queued again yet

    def summary(self) -> str:
        """One line of counts (the scheduler records it)."""
        line = (f"{len(self.due)} filing(s) due for a new time-stamp, {len(self.unknown)} not "
                f"read yet; {self.queued} job(s) queued, {self.already_queued} already queued")
        if self.failed:
            shown = ", ".join(str(f) for f in self.failed[:10])
            line += (f"; {len(self.failed)} failed job(s) queued again (filing id(s) {shown}"
                     + (", …" if len(self.failed) > 10 else "") + ")")
        if self.held:
            line += f"; {self.held} failed job(s) wait for tomorrow"
        return line


def _failed_job(key) -> exists:
    return exists().where(Job.dedupe_key == key, Job.status == "failed")


def queue_renewals(*, now: datetime | None = None, limit: int | None = None,
                   dry_run: bool = False) -> RenewalRun:
    """Queue a ``renew_timestamp`` job for every filing due (and every filing whose time-stamp
    was never read), at most ``limit`` (default ``TIMESTAMP_RENEW_BATCH``); commits.

    Idempotent: a filing with a job already queued for its current version is skipped, a
    filing renewed already in this window is not due. A failed job is queued again at most
    once a day, with a single attempt; filings whose job failed come after the others.

    :raises Conflict: the platform TSA's certificate expires within the window, or the
        external TSA fails its probe (not for a dry run).
    """
    now = now or utcnow()
    limit = limit or current_app.config["TIMESTAMP_RENEW_BATCH"]
    if not dry_run:
        renewal_policy.renewal_algorithm()
        renewal_policy.check_current_tsa(now)
        renewal_policy.probe_external_tsa(now)
    later = aliased(FilingTimestamp)
    due_key = (literal("ts-renew:") + cast(FilingTimestamp.filing_id, String) + literal(":")
               + cast(FilingTimestamp.seq, String))
    unknown_key = literal("ts-renew:") + cast(Filing.id, String) + literal(":-")
    due = db.session.execute(
        select(FilingTimestamp.filing_id, FilingTimestamp.seq)
        .join(Filing, Filing.id == FilingTimestamp.filing_id)
        .where(or_(FilingTimestamp.tsa_not_after < now + renewal_policy.window(),
                   func.lower(FilingTimestamp.md_algorithm).in_(renewal_policy.weak())),
               Filing.retain_until > now,
               ~exists().where(later.filing_id == FilingTimestamp.filing_id,
                               later.seq > FilingTimestamp.seq))
        .order_by(_failed_job(due_key), FilingTimestamp.tsa_not_after,
                  FilingTimestamp.filing_id).limit(limit)).all()
    unknown = db.session.scalars(
        select(Filing.id).where(Filing.retain_until > now, ~exists().where(
            FilingTimestamp.filing_id == Filing.id))
        .order_by(_failed_job(unknown_key), Filing.id)
        .limit(max(limit - len(due), 0))).all()
    run = RenewalRun(due=[f for f, _ in due], unknown=list(unknown))
    wanted = {f"ts-renew:{f}:{seq}": f for f, seq in due}
    wanted |= {f"ts-renew:{f}:-": f for f in unknown}
    if dry_run or not wanted:
        return run
    known = {job.dedupe_key: job for job in db.session.scalars(
        select(Job).where(Job.dedupe_key.in_(wanted)))}
    for key, filing_id in wanted.items():
        job = known.get(key)
        if job is None:
            _enqueue(run, key, filing_id)
        elif job.status in ("queued", "running"):
            run.already_queued += 1
        elif job.status == "failed" and (job.finished_at or job.run_after) > now - RETRY_FAILED_AFTER:
            run.held += 1  # failed today: tomorrow
        else:  # gave up (failed) or ran without renewing: the filing is still due
            if job.status == "failed":
                run.failed.append(filing_id)
            _requeue(job, now, single=job.status == "failed")
            run.queued += 1
    db.session.commit()
    return run


def _enqueue(run: RenewalRun, key: str, filing_id: int) -> None:
    """Queue one job; another run queuing the same key meanwhile is no error."""
    from sqlalchemy.exc import IntegrityError

    try:
        with db.session.begin_nested():
            jobs.enqueue(JOB_KIND, {"filing_id": filing_id}, dedupe_key=key,
                         after_request=False)
        run.queued += 1
    except IntegrityError:  # a concurrent run (scheduler and command) queued it
        run.already_queued += 1


def _requeue(job: Job, now: datetime, *, single: bool = False) -> None:
    """Run a finished job of the same key again, from a fresh count of attempts (``single``:
    a failed job gets one attempt only)."""
    attempts = current_app.config["JOBS_MAX_ATTEMPTS"] - 1 if single else 0
    job.status, job.attempts, job.run_after = "queued", max(attempts, 0), now
    job.last_error = job.locked_by = job.locked_until = job.finished_at = None


def _read(key: str, sha256: str) -> bytes:
    return verification.fetch_checked(key, sha256)


def _version(filing: Filing, seq: int, key: str, sha256: str, pdf: bytes) -> FilingTimestamp:
    from signing import latest_timestamp

    info = latest_timestamp(pdf)
    row = FilingTimestamp(filing_id=filing.id, seq=seq, key=key, sha256=sha256)
    if info is not None:
        row.stamped_at, row.tsa_serial = info.time, info.tsa_serial
        row.tsa_not_after, row.md_algorithm = info.tsa_not_after, info.md_algorithm
    return row


def _permanent(exc: Exception) -> bool:
    """Whether retrying cannot help: the old time-stamp no longer validates, the filed object
    is missing or altered, the key is taken, or the TSA certificate does not outlive."""
    from signing.errors import InvalidDocument, TimestampError

    return (isinstance(exc, InvalidDocument | verification.ArchiveMismatch)
            or (isinstance(exc, Conflict) and exc.code in ("renewal_key_taken",
                                                          "no_strong_algorithm"))
            or (isinstance(exc, TimestampError) and "does not outlive" in str(exc)))


def renew_filing_timestamp(payload: dict) -> None:
    """The ``renew_timestamp`` job: read the filed PDF's time-stamp when unknown; when due,
    archive the renewed PDF and record it (one transaction; a retry after a crash between
    the object write and the commit takes the object already stored).

    A permanent error (see :func:`_permanent`) is not retried: the job gives up at once (it
    is marked failed with the error; the daily run queues it again at most once a day)."""
    try:
        _renew(payload)
    except Exception as exc:
        if _permanent(exc):
            db.session.rollback()
            _give_up(payload["filing_id"])
        raise


def _give_up(filing_id: int) -> None:
    """Spend the running job's attempts (committed) so that the failure ends it now."""
    db.session.execute(update(Job).where(
        Job.kind == JOB_KIND, Job.status == "running",
        Job.dedupe_key.like(f"ts-renew:{filing_id}:%"))
        .values(attempts=current_app.config["JOBS_MAX_ATTEMPTS"], finished_at=utcnow()))
    db.session.commit()


def _renew(payload: dict) -> None:
    import hashlib

    from signing import renew_archival_timestamp

    # the row lock (PostgreSQL) keeps extend_retention from running between reading
    # retain_until and recording the new object (it would not see the object's key)
    filing = db.session.scalar(select(Filing).where(Filing.id == payload["filing_id"])
                               .with_for_update().execution_options(populate_existing=True))
    if filing is None:
        return
    now = utcnow()
    current = newest(filing.id)
    if current is None:  # added last: no write (SQLite: no lock) before the TSA's serial
        current = _version(filing, 0, filing.pdf_key, filing.sha256,
                           _read(filing.pdf_key, filing.sha256))
        backfilled = current
    else:
        backfilled = None
    if not renewal_policy.is_due(current, now) or filing.retain_until <= now:
        db.session.add_all([backfilled] if backfilled else [])
        return
    md_algorithm = renewal_policy.renewal_algorithm()
    renewal_policy.check_current_tsa(now)
    previous = _read(current.key, current.sha256)
    stem = filing.pdf_key.removesuffix(".pdf")
    key = f"{stem}.r{current.seq + 1}.pdf"
    renewed = _stored_renewal(key, previous)
    if renewed is None:
        later = not renewal_policy.weak_only(current, now)
        renewed = renew_archival_timestamp(previous, pki.timestamper(),
                                           trust_roots=[pki.ca().root_cert], crls=pki.crls(),
                                           certs=[pki.ca().issuing_cert_asn1],
                                           md_algorithm=md_algorithm, require_later_tsa=later)
        filing_service.store().put(key, renewed, content_type="application/pdf",
                                   retain_until=filing.retain_until)
    else:  # stored by an attempt that crashed: the filing's retention may have grown since
        _keep_until(key, filing.retain_until)
    sha256 = hashlib.sha256(renewed).hexdigest()
    row = _version(filing, current.seq + 1, key, sha256, renewed)
    db.session.add_all([backfilled, row] if backfilled else [row])
    audit.record(filing.contract_id, "system", "contract.timestamp_renewed",
                 filing_number=filing.number, seq=row.seq, sha256=sha256,
                 tsa_serial=row.tsa_serial,
                 tsa_not_after=row.tsa_not_after.isoformat() if row.tsa_not_after else None,
                 previous_tsa_not_after=current.tsa_not_after.isoformat()
                 if current.tsa_not_after else None)
    log.info("filing %s: archive time-stamp renewed (%s)", filing.number, key)


def _keep_until(key: str, until: datetime) -> None:
    """Extend ``key``'s retention to ``until`` where the archive keeps it less long."""
    s = filing_service.store()
    if getattr(s, "supports_retention", True):
        current = s.retention(key)
        if current is not None and current < until:
            s.extend_retention(key, until)


def _stored_renewal(key: str, previous: bytes) -> bytes | None:
    """The renewal an interrupted earlier attempt stored at ``key`` (it extends ``previous``
    and reads back with a newer time-stamp), None when nothing is there.

    :raises Conflict: another object holds the key (never overwritten).
    """
    from archive import ObjectNotFound
    from signing import latest_timestamp

    try:
        data = filing_service.store().get(key)
    except ObjectNotFound:
        return None
    if data.startswith(previous) and len(data) > len(previous) and latest_timestamp(data):
        return data
    raise Conflict("归档中已有同名的其他文件：%(key)s", code="renewal_key_taken", key=key)
