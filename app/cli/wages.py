"""``flask wages reconcile``: every project's wage reconciliation (nightly)."""

from __future__ import annotations

from datetime import date

import click
from flask.cli import AppGroup

from app.cli.common import run_inline_jobs
from app.services import projects

group = AppGroup("wages", help="Construction projects' wage reconciliation.")


@group.command("reconcile")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Judge as of this Beijing date instead of today (YYYY-MM-DD), e.g. a past "
                   "month's pay as it stood on a given day.")
def reconcile(today) -> None:
    """Reconcile every project's wages; keep new flags and alert them (SMS jobs).

    Run once a day, e.g. from cron:  30 6 * * *  .venv/bin/flask --app wsgi wages reconcile
    Safe to repeat: a flag of a worker-month is raised (and alerted) once. With
    ``--today 2026-11-30`` the pay windows are judged as on that day (a flag that no longer
    holds then is marked resolved, as on any run).
    """
    click.echo(reconciliation(today.date() if today else None))


def reconciliation(today: date | None = None, *, strict: bool = False) -> str:
    """Reconcile every project's wages (as of the Beijing date ``today``); the report. The
    command above and the scheduler's nightly job (:mod:`.schedule`, ``strict``) both call it.

    :raises RuntimeError: with ``strict``, some projects failed (the others are reconciled):
        the scheduled run is then recorded as failed, naming them.
    """
    run = projects.reconcile_every_project(today)
    report = f"{run.raised} new flag(s)" + run_inline_jobs()
    report += f"; failed for project(s) {run.failed}" if run.failed else ""
    if strict and run.failed:
        raise RuntimeError(report)
    return report
