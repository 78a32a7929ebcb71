"""``flask filings export`` (the filings export for the 人社 systems) and
``flask bureau-key create|revoke`` (the bureau systems' region-scoped keys).

``filings export`` prints the records (JSON Lines or CSV) on stdout and the cursor to continue
from on stderr, as its last line: ``next-cursor: <cursor>`` (plus ``more: yes`` when the page
was full). Personal data: the ID number is printed in full (the registration's key), so every
run is recorded in the access log (action ``export_filings``, actor ``system:cli``); the cursor
is bound to that actor, the region and the format (a bureau key's cursor is refused here).

``filings new-generation`` (run by ``deploy/backup/restore.sh``) replaces the export's
generation, so that every cursor issued before a restore answers ``cursor_outdated``.
"""

from __future__ import annotations

import dataclasses
import sys
from datetime import datetime

import click
from flask.cli import AppGroup

from app.cli.common import run
from app.services import exports
from app.services.exports.formats import EXPORTERS
from app.services.platform.principal import SYSTEM

group = AppGroup("filings", help="Filings out to the 人社 systems.")
#: who exports from the command line, as the access log and the cursors name it
CLI = dataclasses.replace(SYSTEM, actor="system:cli")
key_group = AppGroup("bureau-key", help="Keys of the labor bureau's systems (region-scoped).")


@group.command("export")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Filings archived on or after this Beijing date (first run).")
@click.option("--cursor", help="Continue after this cursor (from the previous run's stderr).")
@click.option("--format", "fmt", type=click.Choice(sorted(EXPORTERS)), default="json",
              show_default=True)
@click.option("--region", help="Only employers whose region code starts with this.")
@click.option("--limit", type=int, help="At most this many records (FILING_EXPORT_PAGE caps).")
def export_command(since: datetime | None, cursor: str | None, fmt: str, region: str | None,
                   limit: int | None) -> None:
    """Print the next filings after --cursor (or from --since) and the next cursor."""
    if since and cursor:
        raise click.UsageError("give --since or --cursor, not both")
    page = run(exports.export_filings, CLI, cursor=cursor,
               since=since.date() if since else None, fmt=fmt, region=region, limit=limit)
    sys.stdout.buffer.write(page.body)
    sys.stdout.flush()
    click.echo(f"records: {len(page.records)}" + ("; more: yes" if page.more else ""), err=True)
    click.echo(f"next-cursor: {page.next_cursor}", err=True)


@group.command("new-generation")
def new_generation_command() -> None:
    """Start a new export generation (after a restore): older cursors are refused."""
    value = run(exports.new_export_generation)
    click.echo(f"new export generation {value}: cursors issued before answer cursor_outdated; "
               "the bureau systems start again with --since (the API: without a cursor)")


@key_group.command("create")
@click.option("--region", required=True, help="Region-code prefix the key reads (e.g. 4301).")
@click.option("--name", required=True, help="Which bureau system the key is for.")
def key_create(region: str, name: str) -> None:
    """Create a bureau system's key and print it (shown this once)."""
    key, secret = run(exports.create_bureau_key, region, name, "cli")
    click.echo(f"created bureau key {key.id} for region {key.region_prefix}; store it now, "
               f"it is not shown again:\n{secret}")


@key_group.command("revoke")
@click.argument("prefix")
def key_revoke(prefix: str) -> None:
    """Revoke the bureau key with PREFIX (the part after ``lbk_``, or the whole key)."""
    key = run(exports.revoke_bureau_key, prefix, "cli")
    click.echo(f"revoked bureau key {key.id} (lbk_{key.prefix}_…)")


GROUPS = (group, key_group)
