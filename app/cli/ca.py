"""``flask ca init`` and ``flask ca revoke``: the platform certificate authority."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.cli.common import run
from app.services import platform
from app.services.platform import pki, revocation

group = AppGroup("ca", help="The platform certificate authority.")


@group.command("init")
def init() -> None:
    """Create the root and issuing CA and the TSA key (no-op when present).

    With CA_KEY_PROVIDER=pkcs11 the issuing CA and TSA keys are generated on the token.
    """
    authority = pki.ca()
    pki.tsa()
    click.echo(f"root CA: {authority.root_cert.subject.rfc4514_string()}")
    click.echo(f"issuing CA: {authority.issuing_cert.subject.rfc4514_string()}")
    click.echo(f"issuing CA key: {authority.issuing_key!r}")


@group.command("revoke")
@click.argument("serial")
@click.option("--reason", type=click.Choice(tuple(revocation.REASONS)), default="unspecified",
              show_default=True)
def revoke(serial: str, reason: str) -> None:
    """Revoke the certificate with hex SERIAL; the CRL is re-signed."""
    done = run(platform.revoke_certificate, serial, reason, actor="cli")
    state = "revoked" if done.created else "already revoked"
    click.echo(f"{state} {done.serial} ({done.reason}, {done.revoked_at:%Y-%m-%d %H:%M:%S} UTC)")
