"""``flask wages reconcile``: every project's wage reconciliation (nightly)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.cli.common import run_inline_jobs
from app.services import projects

group = AppGroup("wages", help="Construction projects' wage reconciliation.")


@group.command("reconcile")
def reconcile() -> None:
    """Reconcile every project's wages; keep new flags and alert them (SMS jobs).

    Run once a day, e.g. from cron:  30 6 * * *  .venv/bin/flask --app wsgi wages reconcile
    Safe to repeat: a flag of a worker-month is raised (and alerted) once.
    """
    run = projects.reconcile_every_project()
    click.echo(f"{run.raised} new flag(s)" + run_inline_jobs()
               + (f"; failed for project(s) {run.failed}" if run.failed else ""))
