"""``flask contracts remind-expiring`` (daily) and ``remind-unsigned`` (hourly)."""

from __future__ import annotations

from datetime import date

import click
from flask.cli import AppGroup

from app.cli.common import run_inline_jobs
from app.services import lifecycle, worker_signing

group = AppGroup("contracts", help="Contracts: scheduled tasks.")


@group.command("remind-expiring")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Count from this Beijing date instead of today (YYYY-MM-DD).")
def remind_expiring(today) -> None:
    """Announce contracts ending within 30 days: text each worker once, tell HR.

    Run once a day, e.g. from cron at 08:00 Beijing time on one or more hosts:

        0 8 * * *  cd /srv/laborsign && .venv/bin/flask --app wsgi contracts remind-expiring

    Safe to repeat and to run on several hosts at once: every contract is announced
    once (one row per contract in expiry_notices). The texts are queued as jobs for
    `flask jobs work`; with JOBS_INLINE (the embedded default) they are sent right away.
    """
    click.echo(expiring_reminders(today.date() if today else None))


def expiring_reminders(today: date | None = None) -> str:
    """Run the expiry notices (as of the Beijing date ``today``, default today); the report.
    The command above and the scheduler's nightly job (:mod:`.schedule`) both call this."""
    run = lifecycle.remind_expiring(today)
    return (f"{run.contracts} contract(s) announced to their workers, "
            f"{run.hr_texts} text(s) to HR staff of {len(run.employers)} employer(s)"
            + run_inline_jobs())


@group.command("remind-unsigned")
def remind_unsigned() -> None:
    """Remind workers who have not signed, on their employer's days after sending.

    Run every hour, e.g. from cron on one or more hosts:

        0 * * * *  cd /srv/laborsign && .venv/bin/flask --app wsgi contracts remind-unsigned

    Safe to repeat and to run on several hosts at once: each scheduled reminder of a
    contract is texted once (one row per contract and number in signing_reminders).
    Links that ran out unsigned are told once each (trail and webhook contract.expired).
    """
    click.echo(unsigned_reminders())


def unsigned_reminders() -> str:
    """Remind unsigned workers and tell expired links; the report. The command above and the
    scheduler's hourly job (:mod:`.schedule`) both call this."""
    run = lifecycle.remind_unsigned()
    expired = worker_signing.report_expired_links()
    return (f"{run.reminded} worker(s) reminded, {run.skipped} skipped, "
            f"{expired} expired link(s) told" + run_inline_jobs())
