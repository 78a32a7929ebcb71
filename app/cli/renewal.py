"""``flask archive renew-timestamps``: the archive time-stamp renewal (PAdES-LTA)."""

from __future__ import annotations

import click

from app.cli.common import run, run_inline_jobs
from app.services import filing


@click.command("renew-timestamps")
@click.option("--dry-run", is_flag=True, help="Only count what is due; queue nothing.")
@click.option("--limit", type=click.IntRange(min=1), default=None,
              help="Queue at most N filings (default TIMESTAMP_RENEW_BATCH).")
def renew_timestamps(dry_run: bool, limit: int | None) -> None:
    """Queue a new document time-stamp for every filed PDF whose newest time-stamp's TSA
    certificate expires within TIMESTAMP_RENEW_BEFORE_DAYS (or uses a weak hash), and read
    the time-stamps never read yet. Job workers (or, embedded, this command) do the work.

    Exit 1 when the platform TSA's own certificate expires within that window: run
    ``flask ca rotate-tsa`` first.
    """
    done = run(filing.queue_renewals, limit=limit, dry_run=dry_run)
    click.echo(("dry run: " if dry_run else "") + done.summary()
               + ("" if dry_run else run_inline_jobs()))


ARCHIVE_COMMANDS: tuple = (renew_timestamps,)
