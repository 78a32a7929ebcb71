"""``flask audit …``: the access log (访问留痕) of auditors' and platform admins' reads.

* ``verify-chain`` walks the hash chain and its daily anchors
  (:mod:`app.services.platform.access_chain`); exit 1 naming the first edited, deleted or
  reordered entry, or a bad anchor.
* ``anchor`` time-stamps the chain head now with the platform TSA (the scheduler does it daily
  at 01:00 Beijing time as ``access-anchor``).
"""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.services.platform import access_chain

group = AppGroup("audit", help="The access log of auditors' and admins' reads.")


def anchor_now() -> str:
    """Anchor the chain head (the scheduled job and ``flask audit anchor``); its summary."""
    row = access_chain.anchor()
    return f"anchored #{row.seq} ({row.count} entries) head {row.head_hash[:16]}…"


@group.command("verify-chain")
def verify_chain() -> None:
    """Check every access-log entry and anchor; exit 1 at the first broken one."""
    report = access_chain.verify()
    click.echo(f"{report.entries} entries, {report.anchors} anchors checked")
    if report.broken:
        click.echo(f"BROKEN: {report.broken}", err=True)
    for problem in report.anchor_problems:
        click.echo(f"BAD ANCHOR: {problem}", err=True)
    if not report.ok:
        raise SystemExit(1)
    click.echo("chain intact")


@group.command("anchor")
def anchor() -> None:
    """Time-stamp the access log's head now with the platform TSA."""
    click.echo(anchor_now())
