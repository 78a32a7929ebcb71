"""``flask security report``: a checklist of the running configuration (issue 21)."""

from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import AppGroup

from app.services.platform import security_report

group = AppGroup("security", help="Checks of the running configuration.")


@group.command("report")
@click.option("--json", "as_json", is_flag=True, help="One JSON object instead of lines.")
def report(as_json: bool) -> None:
    """Check secrets, debug, TLS, cookies, key files, the bucket's object lock, SMS, webhooks
    and metrics; print one line per check (OK / WARN / FAIL and what to do).

    Exit code 1 in production mode (LABORSIGN_ENV=production) when any check fails; secret
    values are never printed.
    """
    config = current_app.config
    findings = security_report.run_checks(config)
    failures = security_report.failed(findings)
    production = bool(config.get("PRODUCTION"))
    if as_json:
        click.echo(json.dumps({"production": production, "failed": len(failures),
                               "checks": [f.as_dict() for f in findings]}, ensure_ascii=False))
    else:
        for finding in findings:
            click.echo(f"{finding.status:<4}  {finding.check}: {finding.message}")
        mode = "production" if production else "embedded default"
        click.echo(f"{len(failures)} failed, "
                   f"{sum(f.status == security_report.WARN for f in findings)} warnings "
                   f"({mode})")
    if production and failures:
        raise SystemExit(1)
