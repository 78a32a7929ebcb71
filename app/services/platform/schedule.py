"""Periodic jobs: a small scheduler over the ``scheduled_runs`` table.

Every job of a schedule (:class:`Periodic`: hourly at a minute, daily at a Beijing time of
day, or weekly on a weekday at a Beijing time) has one due *slot* at any moment: its latest
time at or before now, written in Beijing time (``2026-12-07T02:00+08:00``). A scheduler
claims a slot by inserting its row; the unique (job, slot) constraint decides which of
several schedulers (threads, processes, hosts) wins, on PostgreSQL and SQLite alike. A claim
that started and never finished (its scheduler died) may be taken over after :data:`STALE`.
Each run records its outcome (ok / failed, a summary, the error masked and truncated) and
counts it in the ``SCHEDULER_RUNS`` metric (job, outcome); a failing job does not stop the
others. A job that ran to its end but found something wrong (the archive check) raises
:class:`JobFailed` with its summary: the run is failed and keeps the summary.

Only the latest slot runs: after a scheduler was down for a day, a daily job runs once, not
once per missed day (the jobs themselves catch up: they act on everything due).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import time as day_time

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from app.domain.beijing import BEIJING
from app.extensions import db
from app.logging_redact import redact
from app.metrics import SCHEDULER_RUNS
from app.models import ScheduledRun
from app.models.base import utcnow
from app.services.platform.jobs import worker_name

log = logging.getLogger(__name__)
PERIODS = {"hourly": timedelta(hours=1), "daily": timedelta(days=1),
           "weekly": timedelta(weeks=1)}
#: a claim running longer than this (never finished: its scheduler died) may be taken over
STALE = timedelta(hours=2)
ERROR_LIMIT = 500  # characters of an error kept
_DIGITS = re.compile(r"\d{6,}[\dXx]*")  # phone and ID numbers, bank accounts


class JobFailed(Exception):  # noqa: N818 - a job's verdict, not a programming error
    """Raised by a job that ran to its end but found a problem: the run is recorded as
    failed, with ``summary`` kept beside the error. Its message is the job's own words
    (e.g. archive keys and hashes): link tokens are redacted, numbers are not masked, so it
    must not carry personal data."""

    def __init__(self, message: str, summary: str = "") -> None:
        super().__init__(message)
        self.summary = summary


@dataclass(frozen=True)
class Periodic:
    """A periodic job: ``run(slot)`` (slot: its due time, Beijing) returns a summary line.

    :param period: ``"hourly"`` (at ``at``'s minute), ``"daily"`` (at ``at``, Beijing time)
        or ``"weekly"`` (on ``weekday`` at ``at``).
    :param weekday: for weekly jobs, Monday 0 … Sunday 6 (Beijing date).
    :param stale: how long a claimed run may go unfinished before another scheduler takes it
        over (its scheduler died); default :data:`STALE`. A long job (the archive check
        re-reads every object) needs more than its longest run.
    :raises ValueError: an unknown period, or a weekday missing or given where it has no use.
    """

    name: str
    period: str
    at: day_time
    run: Callable[[datetime], str]
    weekday: int | None = None
    stale: timedelta = STALE

    def __post_init__(self) -> None:
        if self.period not in PERIODS:
            raise ValueError(f"job {self.name}: period must be one of {', '.join(PERIODS)}")
        if (self.period == "weekly") != (self.weekday in range(7)):
            raise ValueError(f"job {self.name}: a weekday (0 = Monday … 6 = Sunday) is needed "
                             "by weekly jobs and by them only")


def due_slot(job: Periodic, now: datetime) -> datetime:
    """The latest time at or before ``now`` when ``job`` is due, in Beijing time."""
    local = now.astimezone(BEIJING)
    if job.period == "hourly":
        slot = local.replace(minute=job.at.minute, second=0, microsecond=0)
    else:
        slot = local.replace(hour=job.at.hour, minute=job.at.minute, second=0, microsecond=0)
    if job.period == "weekly":
        slot -= timedelta(days=(local.weekday() - job.weekday) % 7)
    return slot if slot <= local else slot - PERIODS[job.period]


def slot_key(slot: datetime) -> str:
    """A slot as stored: ``2026-12-07T02:00+08:00``."""
    return slot.astimezone(BEIJING).isoformat(timespec="minutes")


def next_due(jobs: Sequence[Periodic], now: datetime) -> datetime:
    """When the next slot of any of ``jobs`` falls due (after ``now``)."""
    return min(due_slot(job, now) + PERIODS[job.period] for job in jobs)


def mask_error(exc: BaseException) -> str:
    """An error as recorded: its type and message, link tokens and long numbers (phones, ID
    numbers, accounts) masked, at most :data:`ERROR_LIMIT` characters."""
    text = redact(f"{type(exc).__name__}: {exc}")
    text = _DIGITS.sub(lambda m: m.group()[:3] + "****", text)
    return text[:ERROR_LIMIT]


def claim(job: str, slot: str, worker: str | None = None, *,
          stale_after: timedelta = STALE) -> ScheduledRun | None:
    """Claim ``job``'s ``slot`` for this scheduler and commit; None when another scheduler
    has it (running, done, or claimed less than ``stale_after`` ago)."""
    worker = worker or worker_name()
    run = ScheduledRun(job=job, slot=slot, claimed_by=worker, started_at=utcnow())
    db.session.add(run)
    try:
        db.session.commit()
        return run
    except IntegrityError:
        db.session.rollback()
    # taken: take it over only if its scheduler died (compare-and-set on the stale row)
    stale = (ScheduledRun.job == job, ScheduledRun.slot == slot,
             ScheduledRun.finished_at.is_(None), ScheduledRun.started_at < utcnow() - stale_after)
    taken = db.session.execute(update(ScheduledRun).where(*stale).values(
        claimed_by=worker, started_at=utcnow()))
    db.session.commit()
    if taken.rowcount != 1:
        return None
    log.warning("scheduler %s took over the stale run of %s at %s", worker, job, slot)
    return db.session.scalar(select(ScheduledRun).where(
        ScheduledRun.job == job, ScheduledRun.slot == slot))


def _finish(job: str, run_id: int, *, summary: str | None = None,
            error: str | None = None) -> None:
    outcome = "failed" if error else "ok"
    db.session.execute(update(ScheduledRun).where(ScheduledRun.id == run_id).values(
        finished_at=utcnow(), outcome=outcome, summary=(summary or "")[:300] or None,
        error=error))
    db.session.commit()
    SCHEDULER_RUNS.labels(job=job, outcome=outcome).inc()


def run_due(jobs: Sequence[Periodic], now: datetime | None = None) -> list[ScheduledRun]:
    """Run every job of ``jobs`` whose due slot at ``now`` no scheduler has claimed; record
    each outcome. A job that fails is rolled back and recorded as failed; the others run.

    :returns: the runs this call made (each finished, ok or failed).
    """
    now = now or utcnow()
    made = []
    for job in jobs:
        slot = due_slot(job, now)
        run = claim(job.name, slot_key(slot), stale_after=job.stale)
        if run is None:
            continue
        run_id = run.id
        try:
            summary = job.run(slot)
        except JobFailed as exc:  # ran to its end and found a problem: the job's own words
            db.session.rollback()  # (object keys, hashes: numbers an operator needs, unmasked)
            error = redact(f"{type(exc).__name__}: {exc}")[:ERROR_LIMIT]
            log.error("scheduled job %s at %s found a problem: %s", job.name, slot_key(slot),
                      error)
            _finish(job.name, run_id, summary=exc.summary, error=error)
        except Exception as exc:  # noqa: BLE001 - recorded; the other jobs still run
            db.session.rollback()
            log.exception("scheduled job %s at %s failed", job.name, slot_key(slot))
            _finish(job.name, run_id, error=mask_error(exc))
        else:
            _finish(job.name, run_id, summary=summary)
        made.append(db.session.get(ScheduledRun, run_id))
    return made


def run_forever(jobs: Sequence[Periodic], *, nap: float = 60.0) -> None:
    """Run due jobs, sleep until the next slot (waking at least every ``nap`` seconds), and
    again, until stopped."""
    while True:
        try:
            run_due(jobs)
        except OperationalError as exc:  # the database restarts or is unreachable: try later
            log.warning("database unavailable (%s), scheduler retries in %.0f s",
                        type(exc.orig or exc).__name__, min(nap, 30.0))
            db.session.remove()
            time.sleep(min(nap, 30.0))
            continue
        db.session.remove()
        wait = (next_due(jobs, utcnow()) - utcnow()).total_seconds()
        time.sleep(min(max(wait, 1.0), nap))


def recent_runs(limit: int = 100, *, failed: bool = False) -> list[ScheduledRun]:
    """The latest runs (newest first); only the failed ones with ``failed``."""
    query = select(ScheduledRun).order_by(ScheduledRun.started_at.desc(), ScheduledRun.id.desc())
    if failed:
        query = query.where(ScheduledRun.outcome == "failed")
    return list(db.session.scalars(query.limit(limit)))
