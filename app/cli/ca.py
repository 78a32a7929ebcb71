"""``flask ca init``, ``flask ca revoke`` and ``flask ca rotate-tsa``: the platform
certificate authority."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.cli.common import run
from app.services import platform
from app.services.platform import pki, revocation, tsa_rotation

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


@group.command("rotate-tsa")
@click.option("--days", type=click.IntRange(min=1), default=3650, show_default=True,
              help="Validity of the new TSA certificate (capped at the issuing CA's).")
def rotate_tsa(days: int) -> None:
    """Issue a new certificate (and key) for the built-in TSA; the old one is kept in
    PKI_DIR as tsa-<serial>.pem. Run it before the TSA certificate comes within
    TIMESTAMP_RENEW_BEFORE_DAYS of its expiry, then ``flask archive renew-timestamps``."""
    try:
        cert = tsa_rotation.rotate_tsa(days)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"new TSA certificate {cert.serial_number:x}, valid until "
               f"{cert.not_valid_after_utc:%Y-%m-%d %H:%M} UTC")
