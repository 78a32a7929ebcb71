"""``flask keys rotate``: re-encrypt stored personal data under the newest field key."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.extensions import db
from app.services import platform
from app.services.platform.keys import UndecryptableValue

group = AppGroup("keys", help="Personal-data encryption keys.")


@group.command("rotate")
@click.option("--batch-size", default=500, show_default=True, type=click.IntRange(1, 100_000),
              help="Rows re-encrypted per transaction.")
def rotate(batch_size: int) -> None:
    """Re-encrypt every *_enc value under the first key of PII_FIELD_KEYS.

    Rotation: prepend a new secret to PII_FIELD_KEYS (keep the old ones after it), restart
    the app instances, run this command; afterwards the old secrets may be removed.
    """
    try:
        report = platform.rotate_field_key(batch_size=batch_size)
    except UndecryptableValue as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    for name in sorted(set(report.rotated) | set(report.current)):
        click.echo(f"{name}: {report.rotated.get(name, 0)} re-encrypted, "
                   f"{report.current.get(name, 0)} already current")
    click.echo(f"total: {sum(report.rotated.values())} re-encrypted, "
               f"{sum(report.current.values())} already current")
