"""``flask archive evidence-zip|reverify``: the archive over the years, from the command line.

Both act as a platform principal (actor ``system:cli``: everything in scope; the requests are
in the access log under that name), run their job right here, printing its progress, then:

* ``evidence-zip --employer USCC [--since D --until D] --out FILE`` writes the ZIP of the
  employer's filed contracts (signed between the dates) to FILE; exit 1 when a contract's
  archived files did not match its filing (left out, listed);
* ``reverify (--employer USCC | --since D --until D)`` prints the summary and each invalid
  filing with its reason; exit 1 when any filing is invalid;
* ``purge-exports`` deletes the stored parts of expired and failed ZIPs (also run daily by the
  scheduler as ``archive-exports-purge``).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from app.cli.common import run
from app.services import archive_jobs
from app.services.archive_jobs import bulk_evidence
from app.services.platform.principal import Principal

#: who runs archive jobs from the command line: the platform's operator
CLI = Principal(kind="user", actor="system:cli", role="platform_admin")
_DATE = click.DateTime(formats=["%Y-%m-%d"])


def _day(value: datetime | None) -> str:
    return value.date().isoformat() if value else ""


def _echo_progress(done: int, total: int) -> None:
    click.echo(f"progress: {done}/{total}", err=True)


def _run(job_id: int):
    job = run(archive_jobs.run_now, job_id, on_progress=_echo_progress)
    if job.status != "done":
        raise click.ClickException(f"archive job {job.id} {job.status}: {job.error or ''}")
    return job


@click.command("evidence-zip")
@click.option("--employer", required=True, help="The employer's USCC (统一社会信用代码).")
@click.option("--since", type=_DATE, help="Contracts signed on or after this Beijing date.")
@click.option("--until", type=_DATE, help="Contracts signed on or before this Beijing date.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the ZIP.")
def evidence_zip(employer: str, since: datetime | None, until: datetime | None, out: Path) -> None:
    """Write the evidence packages of an employer's filed contracts as one ZIP."""
    params = {"employer": employer, "signed_from": _day(since), "signed_to": _day(until)}
    job = run(archive_jobs.request_evidence_zip, CLI, params, queue=False)
    click.echo(f"archive job {job.id}: {job.total} filed contract(s)")
    job = _run(job.id)
    with out.open("wb") as handle:
        for chunk in bulk_evidence.zip_parts(job):
            handle.write(chunk)
    skipped = job.summary.get("skipped", [])
    for item in skipped:
        click.echo(f"skipped {item['filing_number']} {item['contract_no']}: {item['reason']}")
    click.echo(f"wrote {out}: {job.summary['packages']} package(s), {job.result_size} bytes, "
               f"sha256 {job.sha256}")
    if skipped:
        raise SystemExit(1)


@click.command("reverify")
@click.option("--employer", help="The employer's USCC (统一社会信用代码).")
@click.option("--since", type=_DATE, help="Filings archived on or after this Beijing date.")
@click.option("--until", type=_DATE, help="Filings archived on or before this Beijing date.")
def reverify(employer: str | None, since: datetime | None, until: datetime | None) -> None:
    """Re-verify every filing of an employer or a period; exit 1 if any is invalid."""
    params = {"employer": employer or "", "since": _day(since), "until": _day(until)}
    job = run(archive_jobs.request_reverify, CLI, params, queue=False)
    click.echo(f"archive job {job.id}: {job.total} filing(s)")
    job = _run(job.id)
    for item in job.summary["problems"]:
        click.echo(f"invalid {item['filing_number']} {item['contract_no']} ({item['kind']}): "
                   f"{item['reason']}")
    click.echo(f"valid: {job.summary['valid']}, invalid: {job.summary['invalid']}")
    if job.summary["invalid"]:
        raise SystemExit(1)


def purge_summary() -> str:
    """Purge the expired and failed evidence ZIPs' parts; the counts as one line."""
    out = run(archive_jobs.purge_exports)
    return (f"{out['deleted']} object(s) deleted, {out['jobs']} job(s) cleared, "
            f"{out['left']} object(s) still retained")


@click.command("purge-exports")
def purge_exports() -> None:
    """Delete the stored parts of expired evidence ZIPs and of failed ZIP jobs."""
    click.echo(purge_summary())


ARCHIVE_COMMANDS: tuple = (evidence_zip, reverify, purge_exports)
