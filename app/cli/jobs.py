"""``flask jobs work``: a job worker (filing, SMS, webhooks, batch rows, certificates)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.services import platform

group = AppGroup("jobs", help="Background jobs.")


@group.command("work")
@click.option("--once", is_flag=True, help="Run due jobs once and exit.")
@click.option("--poll", default=0.25, show_default=True,
              help="Seconds between polls when idle (filing lag; one indexed query each).")
def work(once: bool, poll: float) -> None:
    """Run queued jobs (filing, SMS) until stopped."""
    if once:
        click.echo(f"ran {platform.run_pending(limit=1000)} job(s)")
    else:
        platform.work_forever(poll_seconds=poll)
