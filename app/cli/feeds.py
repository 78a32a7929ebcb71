"""``flask feed-key create|revoke|list``: the keys of attendance systems and banks.

``create --project ID --name …`` makes a key for one project (its attendance and payments),
``create --bank CODE --name …`` one for a bank (pay-out results from the dedicated wage
accounts it holds, by its 3-digit code). The whole key is printed once; only a hash of its
secret is stored. A replacement key of the same name and scope keeps the sender's record ids
(duplicates stay duplicates).
"""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.cli.common import run
from app.services import feeds
from app.services.feeds.keys import all_keys

key_group = AppGroup("feed-key", help="Keys of the attendance systems and banks that push data.")


@key_group.command("create")
@click.option("--project", "project_id", type=int, help="The project the key pushes for.")
@click.option("--bank", "bank_code", help="The bank (3-digit code, e.g. 105) the key is for.")
@click.option("--name", required=True, help="Which system the key is for.")
def key_create(project_id: int | None, bank_code: str | None, name: str) -> None:
    """Create a feed key and print it (shown this once)."""
    key, whole = run(feeds.create_key, name, "cli", project_id=project_id, bank_code=bank_code)
    scope = f"project {key.project_id}" if key.project_id else f"bank {key.bank_code}"
    click.echo(f"created feed key {key.id} for {scope}; store it now, it is not shown "
               f"again:\n{whole}")


@key_group.command("revoke")
@click.argument("prefix")
def key_revoke(prefix: str) -> None:
    """Revoke the feed key with PREFIX (the part after ``lfk_``, or the whole key)."""
    key = run(feeds.revoke_key, prefix, "cli")
    click.echo(f"revoked feed key {key.id} (lfk_{key.prefix}_…)")


@key_group.command("list")
def key_list() -> None:
    """List the feed keys (never their secrets) and when each was last used (UTC, to the
    minute), newest first."""
    for key in all_keys():
        scope = f"project {key.project_id}" if key.project_id else f"bank {key.bank_code}"
        state = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "live"
        used = f"used {key.last_used_at:%Y-%m-%d %H:%M}" if key.last_used_at else "never used"
        click.echo(f"{key.id}\tlfk_{key.prefix}_…\t{scope}\t{key.name}\t{state}\t{used}")


GROUPS = (key_group,)
