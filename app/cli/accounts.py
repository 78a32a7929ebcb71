"""``flask org create|approve|list``, ``flask user create|deactivate``,
``flask apikey create|revoke``.

For headless set-ups. Every problem ends the command with exit code 1 and a message naming it.
"""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.cli.common import run
from app.models import ORG_STATUSES, ROLES
from app.services import accounts
from app.services.accounts import registration
from app.services.platform.principal import SYSTEM


def _org_ref(ref: str) -> int | str:
    return int(ref) if ref.isdigit() else ref


org_group = AppGroup("org", help="Employers (organizations).")
user_group = AppGroup("user", help="Users (employer staff, auditors, platform admins).")
key_group = AppGroup("apikey", help="Employers' API keys.")


@org_group.command("create")
@click.option("--name", required=True)
@click.option("--uscc", required=True, help="Unified social credit code (18 characters).")
@click.option("--address", required=True)
@click.option("--legal-rep", required=True, help="Legal representative.")
@click.option("--region-code", default="430121", show_default=True, help="6-digit region code.")
def org_create(name: str, uscc: str, address: str, legal_rep: str, region_code: str) -> None:
    """Create an approved employer."""
    org = run(accounts.create_organization, {"name": name, "uscc": uscc, "address": address,
                                             "legal_rep": legal_rep, "region_code": region_code})
    click.echo(f"created organization {org.id} {org.uscc} {org.name} ({org.status})")


@org_group.command("approve")
@click.argument("ref")
def org_approve(ref: str) -> None:
    """Approve the pending (or rejected) employer REF (id or USCC)."""
    org = run(accounts.decide_registration, SYSTEM, _org_ref(ref), "approve")
    click.echo(f"approved organization {org.id} {org.uscc} {org.name}")


@org_group.command("list")
@click.option("--status", type=click.Choice(ORG_STATUSES), help="Only employers with this status.")
def org_list(status: str | None) -> None:
    """List employers: id, status, USCC, region, name."""
    for org in registration.organizations(SYSTEM, status or ""):
        click.echo(f"{org.id}\t{org.status}\t{org.uscc}\t{org.region_code}\t{org.name}")


@user_group.command("create")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--name", "display_name", required=True, help="Display name.")
@click.option("--org", "organization", default="", help="Employer id or USCC (employer roles).")
@click.option("--phone", default="", help="Mobile number (for password-reset SMS).")
@click.option("--jurisdiction", default="", help="Auditors: region-code prefix (2-6 digits).")
@click.option("--employer", "employers", multiple=True, help="Auditors: a named employer's USCC.")
@click.password_option(envvar="LABORSIGN_PASSWORD",
                       help="Prompted for (hidden) unless given or in $LABORSIGN_PASSWORD.")
def user_create(username: str, role: str, display_name: str, organization: str, phone: str,
                jurisdiction: str, employers: tuple[str, ...], password: str) -> None:
    """Create a user with a password (the password policy applies)."""
    user = run(accounts.create_user, {
        "username": username, "role": role, "display_name": display_name,
        "organization": organization, "phone": phone, "jurisdiction": jurisdiction,
        "employers": "\n".join(employers), "password": password})
    click.echo(f"created user {user.id} {user.username} ({user.role})")


@user_group.command("deactivate")
@click.argument("username")
def user_deactivate(username: str) -> None:
    """Deactivate USERNAME; their sessions end at once."""
    user = run(accounts.deactivate_user, username)
    click.echo(f"deactivated user {user.id} {user.username}")


@key_group.command("create")
@click.option("--org", "organization", required=True, help="Employer id or USCC.")
@click.option("--name", required=True, help="What the key is for.")
def apikey_create(organization: str, name: str) -> None:
    """Create an API key for an employer and print it (shown this once)."""
    org = run(registration.find_organization, SYSTEM, _org_ref(organization))
    key, secret = run(accounts.create_api_key_for_organization, org,
                      name.strip()[:100] or "cli", "cli")
    click.echo(f"created API key {key.id} for {org.uscc} ({org.status}); store it now, "
               f"it is not shown again:\n{secret}")


@key_group.command("revoke")
@click.argument("prefix")
def apikey_revoke(prefix: str) -> None:
    """Revoke the API key with PREFIX (the part after ``lsk_``, or the whole key)."""
    key = run(accounts.revoke_api_key_by_prefix, prefix, "cli")
    click.echo(f"revoked API key {key.id} (lsk_{key.prefix}_…)")


GROUPS = (org_group, user_group, key_group)
