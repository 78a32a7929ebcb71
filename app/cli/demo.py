"""``flask seed-demo``: the demo employer, users, API key and a contract waiting to be signed."""

from __future__ import annotations

import click
from flask import current_app

from app.services import demo


@click.command("seed-demo")
def seed_demo_command() -> None:
    """Seed a demo employer, its admin and HR user, an auditor, a platform admin, an API key
    and a sent contract (refused in production mode)."""
    if current_app.config.get("PRODUCTION"):
        raise click.ClickException("seed-demo is refused in production mode (LABORSIGN_ENV="
                                   "production): it creates accounts with a known password")
    out = demo.seed_demo()
    base, password, worker = current_app.config["BASE_URL"], demo.PASSWORD, demo.WORKER
    click.echo(f"""
智慧星用工 demo is ready / 演示数据已生成
  Employer admin    : {base}/login   user: admin    password: {password}
  Employer HR login : {base}/login   user: hr       password: {password}
  Auditor login     : {base}/login   user: auditor  password: {password}
  Platform admin    : {base}/login   user: platform password: {password}
  API key           : {out['api_key']}
  Contract {out['contract_no']} is waiting for the worker {worker['name']} (ID {worker['id_number']}).
  Signing link (open on a phone-sized window): {base}/s/{out['token']}
  SMS messages (links, one-time codes) go to: {current_app.config['SMS_OUTBOX']}
""")
