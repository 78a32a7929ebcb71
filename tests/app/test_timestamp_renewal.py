"""Archive time-stamp renewal (PAdES-LTA) through the command line and the scheduler: a
contract filed while the platform TSA's certificate lives only two days is refused renewal
until the TSA is rotated, then gets a new document time-stamp as a new archived object, and
still validates as B-LTA a day after the old TSA certificate expired."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, select

from app.extensions import db, pki_ext
from app.models import AuditEvent, FilingTimestamp
from app.services import filing
from app.services.filing import renewal, verification
from app.services.platform import pki, tsa_rotation
from signing import verify
from tests.app.test_archive_jobs import _file

AFTER_OLD_TSA = timedelta(days=3)


@pytest.fixture
def own_pki(ctx, tmp_path, monkeypatch):
    """A copy of the session's PKI folder (same CA), so that TSA rotations stay here."""
    folder = Path(tmp_path / "pki")
    pki.ca(), pki.tsa()  # the session's CA exists before it is copied
    shutil.copytree(ctx.config["PKI_DIR"], folder)
    monkeypatch.setitem(ctx.config, "PKI_DIR", str(folder))
    pki_ext.reset(ctx)
    yield folder
    pki_ext.reset(ctx)


def _cli(ctx, *args: str):
    return ctx.test_cli_runner().invoke(args=list(args))


def test_a_short_lived_tsa_is_rotated_and_the_filing_renewed(client, world, outbox, own_pki):
    ctx = client.application
    tsa_rotation.rotate_tsa(2)  # the TSA certificate lives two days
    filed = _file(client, world, outbox, "api_key", 2026)
    original = verification.archived_pdf(filed)
    later = datetime.now(UTC) + AFTER_OLD_TSA

    refused = _cli(ctx, "archive", "renew-timestamps")
    assert refused.exit_code == 1 and "flask ca rotate-tsa" in refused.output
    dry = _cli(ctx, "archive", "renew-timestamps", "--dry-run")
    assert "1 not read yet" in dry.output and dry.exit_code == 0

    rotated = _cli(ctx, "ca", "rotate-tsa")
    assert rotated.exit_code == 0 and "new TSA certificate" in rotated.output
    assert len(list(own_pki.glob("tsa-*.pem"))) == 4  # two old certificates and keys kept
    done = _cli(ctx, "archive", "renew-timestamps")
    assert done.exit_code == 0, done.output
    assert "1 job(s) queued" in done.output and "ran 1 job(s)" in done.output

    renewed = verification.archived_pdf(filed)
    assert renewed.startswith(original) and len(renewed) > len(original)
    versions = db.session.scalars(select(FilingTimestamp).order_by(FilingTimestamp.seq)).all()
    assert [v.seq for v in versions] == [0, 1]
    assert versions[1].key == filed.pdf_key.removesuffix(".pdf") + ".r1.pdf"
    assert versions[0].tsa_not_after < versions[0].created_at + timedelta(days=2)
    assert versions[1].tsa_not_after > later + timedelta(days=365)
    assert filed.sha256 == versions[0].sha256  # the filing keeps what was signed
    # B-LTA after the old TSA certificate expired: the renewed copy yes, the filed one no
    roots, crls = [pki.ca().root_cert], pki.crls()
    assert verify(renewed, trust_roots=roots, crls=crls, now=later).ok
    assert not verify(original, trust_roots=roots, crls=crls, now=later).ok
    report = verification.for_filing(filed)  # the platform's own report, now
    assert report.ok and len(report.timestamps) == 2
    # the public check accepts both hashes; the weekly check re-hashes the renewal
    assert verification.filing_records(filed.number, filed.sha256)
    assert verification.filing_records(filed.number, versions[1].sha256)
    check = filing.check_archive()
    assert check.ok and check.checked["filing_renewal"] == 1
    trail = db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.contract_id == filed.contract_id)).all()
    assert trail.count("contract.timestamp_renewed") == 1

    again = _cli(ctx, "archive", "renew-timestamps")
    assert "0 filing(s) due" in again.output and "0 job(s) queued" in again.output


def test_a_crash_after_the_object_was_stored_reruns_harmlessly(client, world, outbox, own_pki):
    filed = _file(client, world, outbox, "api_key", 2026)
    db.session.add(FilingTimestamp(filing_id=filed.id, seq=0, key=filed.pdf_key,
                                   sha256=filed.sha256, md_algorithm="sha1",
                                   tsa_not_after=datetime.now(UTC) + timedelta(days=3000)))
    db.session.commit()
    assert renewal.queue_renewals(dry_run=True).due == [filed.id]  # a weak hash is due

    renewal.renew_filing_timestamp({"filing_id": filed.id})
    db.session.commit()
    first = renewal.newest(filed.id)
    db.session.execute(delete(FilingTimestamp).where(FilingTimestamp.seq == 1))
    db.session.commit()  # the row is lost, the locked object stays
    renewal.renew_filing_timestamp({"filing_id": filed.id})
    db.session.commit()

    again = renewal.newest(filed.id)
    assert (again.seq, again.key, again.sha256) == (1, first.key, first.sha256)
    assert not renewal.queue_renewals(dry_run=True).due


def test_the_scheduled_run_fails_until_the_tsa_is_rotated(client, own_pki):
    from app.cli.schedule import SCHEDULE, timestamp_renewal
    from app.services.platform.schedule import JobFailed

    assert "timestamp-renewal" in [job.name for job in SCHEDULE]
    tsa_rotation.rotate_tsa(30)
    with pytest.raises(JobFailed, match="rotate-tsa"):
        timestamp_renewal(datetime.now(UTC))
    tsa_rotation.rotate_tsa(3650)
    assert "0 job(s) queued" in timestamp_renewal(datetime.now(UTC))
