"""``flask jobs work``: a job worker (filing, SMS, webhooks, batch rows, certificates)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from app.observe.serve import start_metrics_server
from app.services import platform

group = AppGroup("jobs", help="Background jobs.")


@group.command("work")
@click.option("--once", is_flag=True, help="Run due jobs once and exit.")
@click.option("--poll", default=0.25, show_default=True,
              help="Seconds between polls when idle (filing lag; one indexed query each).")
def work(once: bool, poll: float) -> None:
    """Run queued jobs (filing, SMS) until stopped; with METRICS_PORT set, this worker's
    metrics (jobs finished, texts sent and failed) are served on that port."""
    if once:
        click.echo(f"ran {platform.run_pending(limit=1000)} job(s)")
    else:
        start_metrics_server(current_app.config)
        platform.work_forever(poll_seconds=poll)
