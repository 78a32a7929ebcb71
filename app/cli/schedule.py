"""``flask schedule run``: the scheduler of the periodic jobs (:data:`SCHEDULE`).

A small loop over the ``scheduled_runs`` table (:mod:`app.services.platform.schedule`) rather
than APScheduler or Celery beat: the lock between schedulers and the record of every run must
live in the database anyway (several hosts, an admin page of failures), and a unique (job,
slot) row gives both in one insert, on PostgreSQL and SQLite, with no broker or job store to
run. Each job calls the same function as its command (``flask contracts …``, ``flask wages
reconcile``, ``flask archive check``), so the scheduler and cron run the same code.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

import click
from flask import current_app
from flask.cli import AppGroup

from app.cli.archive_jobs import purge_summary
from app.cli.audit import anchor_now
from app.cli.contracts import expiring_reminders, unsigned_reminders
from app.cli.wages import reconciliation
from app.observe.serve import start_metrics_server
from app.services import filing, platform
from app.services.platform.schedule import JobFailed, Periodic, next_due, slot_key


def archive_check(slot: datetime) -> str:
    """The weekly archive check (``flask archive check``): its counts as the summary; a
    missing, changed or unreadable object fails the run (shown on /admin/schedule), naming
    the first few.

    :raises JobFailed: the check found problems.
    """
    report = filing.check_archive()
    if not report.ok:
        named = "; ".join(p.line() for p in report.problems[:5])
        more = len(report.problems) - 5
        raise JobFailed(f"{len(report.problems)} archive problem(s): {named}"
                        + (f"; and {more} more" if more > 0 else ""), report.summary())
    return report.summary()


def timestamp_renewal(slot: datetime) -> str:
    """The daily archive time-stamp renewal (``flask archive renew-timestamps``): queues the
    filings due and, embedded (``JOBS_INLINE``), runs the jobs as the command does; fails
    (shown on /admin/schedule) when the TSA certificate itself expires within the renewal
    window, saying to rotate it.

    :raises JobFailed: the TSA certificate must be rotated first.
    """
    from app.cli.common import run_inline_jobs
    from app.errors import AppError

    try:
        return filing.queue_renewals().summary() + run_inline_jobs()
    except AppError as exc:
        raise JobFailed(exc.message) from None


#: every periodic job: name, period, Beijing time of day (hourly: the minute), what it runs
#: (weekly: the weekday, Monday 0 … Sunday 6)
SCHEDULE = (
    Periodic("remind-unsigned", "hourly", time(0, 0),
             lambda slot: unsigned_reminders()),  # reminders and signing-link expiry
    Periodic("access-anchor", "daily", time(1, 0),
             lambda slot: anchor_now()),  # time-stamp the access log's head
    Periodic("wages-reconcile", "daily", time(2, 0),
             lambda slot: reconciliation(slot.date(), strict=True)),
    Periodic("timestamp-renewal", "daily", time(4, 0), timestamp_renewal),  # PAdES-LTA
    Periodic("archive-exports-purge", "daily", time(4, 30),
             lambda slot: purge_summary()),  # expired and failed evidence ZIPs' parts
    Periodic("remind-expiring", "daily", time(8, 0),
             lambda slot: expiring_reminders(slot.date())),
    # Sunday 03:00; re-reading every object may take hours: taken over only after a day
    Periodic("archive-check", "weekly", time(3, 0), archive_check, weekday=6,
             stale=timedelta(hours=24)),
)

group = AppGroup("schedule", help="The scheduler of periodic jobs.")


@group.command("run")
@click.option("--once", is_flag=True, help="Run the jobs due now and exit (tests, cron).")
@click.option("--now", "now", type=click.DateTime(formats=["%Y-%m-%dT%H:%M:%S%z",
                                                           "%Y-%m-%dT%H:%M%z"]),
              default=None, help="With --once: judge what is due as at this time "
                                 "(ISO with offset, e.g. 2026-12-07T02:05+08:00).")
def run(once: bool, now: datetime | None) -> None:
    """Run every periodic job at its time, until stopped: reminders and link expiry hourly,
    wage reconciliation at 02:00, archive time-stamp renewal at 04:00, the purge of expired
    evidence ZIPs at 04:30 and expiry notices at 08:00 Beijing time, the archive check on
    Sundays at 03:00.

    Safe on several hosts at once: each job's slot runs once (a row in scheduled_runs);
    a run whose scheduler died is taken over after two hours. Runs and failures are listed
    on the admin page /admin/schedule.
    """
    if now is not None and now.tzinfo is None:
        raise click.BadParameter("needs a UTC offset, e.g. +08:00", param_hint="--now")
    if not once:
        if now is not None:
            raise click.BadParameter("only with --once", param_hint="--now")
        start_metrics_server(current_app.config)
        platform.schedule_forever(SCHEDULE)
        return
    for done in platform.run_scheduled_jobs(SCHEDULE, now):
        line = f"{done.job} {done.slot}: {done.outcome}"
        click.echo(line + (f" ({done.summary})" if done.summary else "")
                   + (f" — {done.error}" if done.error else ""))
    click.echo(f"next due at {slot_key(next_due(SCHEDULE, now or datetime.now().astimezone()))}")
