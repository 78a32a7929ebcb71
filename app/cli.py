"""Command line: ``flask seed-demo``, ``flask jobs work``, ``flask contracts remind-expiring``,
``flask contracts remind-unsigned``, ``flask ca init|revoke``; the account
commands (``flask org|user|apikey ...``) live in :mod:`app.cli_accounts`."""

from __future__ import annotations

from datetime import date, timedelta

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from app.domain.ids import uscc_with_check
from app.errors import AppError
from app.extensions import db
from app.services.accounts import accounts, apikeys
from app.services.contracts import contracts
from app.services.lifecycle import expiry, lifecycle, reminders
from app.services.platform import jobs, pki, principal, revocation
from app.services.worker_signing import link_expiry

DEMO_PASSWORD = "demo12345"


def seed_demo() -> dict:
    """Create the demo employer, users, API key and one sent contract; returns what to print."""
    org = accounts.add_organization(
        name="湖南星城建设工程有限公司", uscc=uscc_with_check("91430121MA4L8X2Q7"),
        address="湖南省长沙县星沙街道开元东路1号", legal_rep="李建国")
    hr = accounts.add_user(username="hr", password=DEMO_PASSWORD, role="employer_hr",
                           display_name="王人事", organization=org)
    accounts.add_user(username="admin", password=DEMO_PASSWORD, role="employer_admin",
                      display_name="李管理", organization=org, phone="13900139000")
    accounts.add_user(username="platform", password=DEMO_PASSWORD, role="platform_admin",
                      display_name="平台管理员")
    accounts.add_user(username="auditor", password=DEMO_PASSWORD, role="auditor",
                      display_name="赵监察", jurisdiction="430121")
    key = apikeys.create_key(org, "demo")
    db.session.commit()
    start, probation = _demo_term(principal.of_user(hr), org)
    contract = contracts.create_contract(principal.of_user(hr), {
        "worker_name": "张三", "worker_id_number": "360426199101010071",
        "worker_phone": "13800138000", "worker_address": "江西省德安县",
        "term_start": start.isoformat(),
        "term_end": (start + timedelta(days=365 * 2)).isoformat(), "probation_months": probation,
        "probation_wage": "4800", "post": "钢筋工", "work_location": "长沙县星沙产业园三期工地",
        "hours_system": "standard", "monthly_wage": "6000", "pay_day": "15",
        "social_insurance": "依法参加养老、医疗、失业、工伤、生育保险",
        "labor_protection": "提供安全帽、安全带、防护鞋，进行岗前安全培训",
    })
    contract, token = contracts.send_contract(principal.of_user(hr), contract.id,
                                              user_agent="flask seed-demo")
    jobs.run_pending()
    return {"api_key": key, "token": token, "contract_no": contract.contract_no}


def _demo_term(hr, org) -> tuple[date, str]:
    """Start date and probation of a new demo contract that the rules accept on a re-run:
    earlier unsigned demo contracts are voided; after a signed one the new term follows it,
    without a second probation."""
    from sqlalchemy import select

    from app.models import Contract

    start, probation = date.today(), "2"
    for c in db.session.scalars(select(Contract).where(Contract.organization_id == org.id,
                                                      Contract.document_kind == "contract")):
        if c.status in ("draft", "sent"):
            lifecycle.void_contract(hr, c.id, reason="重新生成演示数据")
        elif c.status in ("signed", "filed"):
            start = max(start, date.fromisoformat(c.terms["term_end"]) + timedelta(days=1))
            probation = "0"
    return start, probation


def register(app: Flask) -> None:
    """Attach the commands to ``app.cli``."""

    from app import cli_accounts

    cli_accounts.register(app)

    @app.cli.command("seed-demo")
    def seed_demo_command() -> None:
        """Seed a demo employer, its admin and HR user, an auditor, a platform admin, an API key
        and a sent contract (refused in production mode)."""
        if current_app.config.get("PRODUCTION"):
            raise click.ClickException("seed-demo is refused in production mode (LABORSIGN_ENV="
                                       "production): it creates accounts with a known password")
        out = seed_demo()
        base = current_app.config["BASE_URL"]
        click.echo(f"""
智慧星用工 demo is ready / 演示数据已生成
  Employer admin    : {base}/login   user: admin    password: {DEMO_PASSWORD}
  Employer HR login : {base}/login   user: hr       password: {DEMO_PASSWORD}
  Auditor login     : {base}/login   user: auditor  password: {DEMO_PASSWORD}
  Platform admin    : {base}/login   user: platform password: {DEMO_PASSWORD}
  API key           : {out['api_key']}
  Contract {out['contract_no']} is waiting for the worker 张三 (ID 360426199101010071).
  Signing link (open on a phone-sized window): {base}/s/{out['token']}
  SMS messages (links, one-time codes) go to: {current_app.config['SMS_OUTBOX']}
""")

    jobs_group = click.Group("jobs", help="Background jobs.")
    app.cli.add_command(jobs_group)

    @jobs_group.command("work")
    @click.option("--once", is_flag=True, help="Run due jobs once and exit.")
    @click.option("--poll", default=0.25, show_default=True,
                  help="Seconds between polls when idle (filing lag; one indexed query each).")
    def jobs_work(once: bool, poll: float) -> None:
        """Run queued jobs (filing, SMS) until stopped."""
        if once:
            click.echo(f"ran {jobs.run_pending(limit=1000)} job(s)")
        else:
            jobs.work_forever(poll_seconds=poll)

    contracts_group = AppGroup("contracts", help="Contracts: scheduled tasks.")
    app.cli.add_command(contracts_group)

    @contracts_group.command("remind-expiring")
    @click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
                  help="Count from this Beijing date instead of today (YYYY-MM-DD).")
    def remind_expiring(today) -> None:
        """Announce contracts ending within 30 days: text each worker once, tell HR.

        Run once a day, e.g. from cron at 08:00 Beijing time on one or more hosts:

            0 8 * * *  cd /srv/laborsign && .venv/bin/flask --app wsgi contracts remind-expiring

        Safe to repeat and to run on several hosts at once: every contract is announced
        once (one row per contract in expiry_notices). The texts are queued as jobs for
        `flask jobs work`; with JOBS_INLINE (the embedded default) they are sent right away.
        """
        run = expiry.remind_expiring(today.date() if today else None)
        sent = jobs.run_pending(limit=10000) if current_app.config.get("JOBS_INLINE") else 0
        click.echo(f"{run.contracts} contract(s) announced to their workers, "
                   f"{run.hr_texts} text(s) to HR staff of {len(run.employers)} employer(s)"
                   + (f"; ran {sent} job(s)" if sent else ""))

    @contracts_group.command("remind-unsigned")
    def remind_unsigned() -> None:
        """Remind workers who have not signed, on their employer's days after sending.

        Run every hour, e.g. from cron on one or more hosts:

            0 * * * *  cd /srv/laborsign && .venv/bin/flask --app wsgi contracts remind-unsigned

        Safe to repeat and to run on several hosts at once: each scheduled reminder of a
        contract is texted once (one row per contract and number in signing_reminders).
        Links that ran out unsigned are told once each (trail and webhook contract.expired).
        """
        run = reminders.remind_unsigned()
        expired = link_expiry.report_expired()
        sent = jobs.run_pending(limit=10000) if current_app.config.get("JOBS_INLINE") else 0
        click.echo(f"{run.reminded} worker(s) reminded, {run.skipped} skipped, "
                   f"{expired} expired link(s) told" + (f"; ran {sent} job(s)" if sent else ""))

    wages_group = AppGroup("wages", help="Construction projects' wage reconciliation.")
    app.cli.add_command(wages_group)

    @wages_group.command("reconcile")
    def wages_reconcile() -> None:
        """Reconcile every project's wages; keep new flags and alert them (SMS jobs).

        Run once a day, e.g. from cron:  30 6 * * *  .venv/bin/flask --app wsgi wages reconcile
        Safe to repeat: a flag of a worker-month is raised (and alerted) once.
        """
        from sqlalchemy import select

        from app.domain.expiry import today_in_beijing
        from app.extensions import db
        from app.models import Project
        from app.services.projects import reconcile

        raised, failed = 0, []
        for project_id in db.session.scalars(select(Project.id).order_by(Project.id)).all():
            try:
                raised += len(reconcile.run(db.session.get(Project, project_id),
                                            today_in_beijing()))
            except Exception:  # noqa: BLE001 - the others are still reconciled
                db.session.rollback()
                failed.append(project_id)
                current_app.logger.exception("reconciling project %s failed", project_id)
        sent = jobs.run_pending(limit=10000) if current_app.config.get("JOBS_INLINE") else 0
        click.echo(f"{raised} new flag(s)" + (f"; ran {sent} job(s)" if sent else "")
                   + (f"; failed for project(s) {failed}" if failed else ""))

    ca_group = AppGroup("ca", help="The platform certificate authority.")
    app.cli.add_command(ca_group)

    @ca_group.command("init")
    def ca_init() -> None:
        """Create the root and issuing CA and the TSA key (no-op when present).

        With CA_KEY_PROVIDER=pkcs11 the issuing CA and TSA keys are generated on the token.
        """
        authority = pki.ca()
        pki.tsa()
        click.echo(f"root CA: {authority.root_cert.subject.rfc4514_string()}")
        click.echo(f"issuing CA: {authority.issuing_cert.subject.rfc4514_string()}")
        click.echo(f"issuing CA key: {authority.issuing_key!r}")

    @ca_group.command("revoke")
    @click.argument("serial")
    @click.option("--reason", type=click.Choice(tuple(revocation.REASONS)), default="unspecified",
                  show_default=True)
    def ca_revoke(serial: str, reason: str) -> None:
        """Revoke the certificate with hex SERIAL; the CRL is re-signed."""
        try:
            done = revocation.revoke(serial, reason, actor="cli")
        except AppError as exc:
            raise click.ClickException(exc.message) from None
        state = "revoked" if done.created else "already revoked"
        click.echo(f"{state} {done.serial} ({done.reason}, {done.revoked_at:%Y-%m-%d %H:%M:%S} UTC)")
