"""Review fixes of the archive time-stamp renewal (issue 22): the scheduled run renews in the
embedded mode, a weak list naming SHA-256 is renewed once (with SHA-384), the evidence ZIP
ships the filed original and each renewal, the print copy is made from the filed original,
a retried renewal keeps the filing's retention, failed jobs are queued again, two runs at once
do not clash, and a TSA read during a rotation never uses half of it."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, event, select

from app.errors import Conflict
from app.extensions import db
from app.models import Filing, FilingTimestamp, Job
from app.services.filing import filing as filing_service
from app.services.filing import renewal, verification
from app.services.filing.evidence import package_files
from app.services.platform import jobs, pki, tsa_rotation
from tests.app.test_archive_jobs import _file
from tests.app.test_timestamp_renewal import own_pki

__all__ = ["own_pki"]  # the fixture, shared


def _statements(run) -> list[str]:
    """The SQL statements ``run()`` sends."""
    seen: list[str] = []

    def grab(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", grab)
    try:
        run()
    finally:
        event.remove(db.engine, "before_cursor_execute", grab)
    return seen


def test_a_renewal_scheduled_in_embedded_mode_and_what_readers_get(client, world, outbox,
                                                                   monkeypatch):
    from app.cli.schedule import timestamp_renewal

    ctx = client.application
    monkeypatch.setitem(ctx.config, "TIMESTAMP_WEAK_ALGORITHMS", "sha1,SHA256")
    filed = _file(client, world, outbox, "api_key", 2026)
    original = verification.fetch_checked(filed.pdf_key, filed.sha256)

    sql = _statements(lambda: timestamp_renewal(datetime.now(UTC)))  # JOBS_INLINE: runs it

    versions = db.session.scalars(select(FilingTimestamp).order_by(FilingTimestamp.seq)).all()
    assert [(v.seq, v.md_algorithm) for v in versions] == [(0, "sha256"), (1, "sha384")]
    assert not renewal.queue_renewals(dry_run=True).due  # SHA-384 is not on the list
    if db.engine.dialect.name == "postgresql":  # the filing row is locked while renewing
        assert any(s.lstrip().startswith("SELECT") and "FROM filings" in s
                   and "FOR UPDATE" in s for s in sql)
        _uses_the_sha256_index(filed.number, versions[1].sha256)
    renewed = verification.archived_pdf(filed)

    # evidence: the filed original as contract.pdf (as the manifest says), the renewal beside
    files = package_files(filed.contract, filed)
    assert files["contract.pdf"] == original and files["contract.r1.pdf"] == renewed
    manifest_pdf = next(d for d in json.loads(files["manifest.json"])["documents"]
                        if d["key"] == filed.pdf_key)
    assert manifest_pdf["sha256"] == hashlib.sha256(files["contract.pdf"]).hexdigest()
    from archive import build_evidence_package

    package = build_evidence_package(filing_number=filed.number, files=files,
                                     created_at=datetime.now(UTC))
    readme = zipfile.ZipFile(io.BytesIO(package)).read("README.txt").decode()
    assert readme.count("contract.r1.pdf") >= 4 and "时间戳续期" in readme
    assert "archive time-stamp renewals" in readme

    # the print copy is made from the filed original (its hash is the trail's)
    seen: list[bytes] = []
    import signing.print_copy as print_copy

    real = print_copy.render_print_copy
    monkeypatch.setattr(print_copy, "render_print_copy",
                        lambda pdf, *a, **k: seen.append(pdf) or real(pdf, *a, **k))
    from app.services.filing import certified_copy
    from app.services.platform.principal import of_person

    certified_copy(of_person(filed.contract.worker_id, frozenset({filed.contract_id})),
                   filed.contract_id)
    assert seen == [original]

    # a retry that finds the renewal stored keeps it as long as the filing (grown meanwhile)
    renewed_key = versions[1].key
    db.session.execute(delete(FilingTimestamp).where(FilingTimestamp.seq == 1))
    longer = filed.retain_until + timedelta(days=400)
    db.session.get(Filing, filed.id).retain_until = longer
    db.session.commit()
    renewal.renew_filing_timestamp({"filing_id": filed.id})
    db.session.commit()
    assert filing_service.store().retention(renewed_key) >= longer


def _uses_the_sha256_index(number: str, sha256: str) -> None:
    """The public /verify's look-up of a renewal's hash uses an index, not a scan."""
    sql: list[tuple] = []

    def grab(conn, cursor, statement, parameters, context, executemany):
        sql.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", grab)
    try:
        assert verification.filing_records(number, sha256)
    finally:
        event.remove(db.engine, "before_cursor_execute", grab)
    statement, parameters = sql[-1]
    with db.engine.connect() as conn:
        raw = conn.connection.dbapi_connection.cursor()
        raw.execute("SET enable_seqscan = off")
        raw.execute("EXPLAIN " + statement, parameters)
        plan = "\n".join(row[0] for row in raw.fetchall())
        raw.execute("RESET enable_seqscan")
    assert "Seq Scan on filing_timestamps" not in plan, plan


def test_failed_jobs_are_queued_again_and_two_runs_do_not_clash(client, world, outbox,
                                                                 monkeypatch):
    ctx = client.application
    filed = _file(client, world, outbox, "api_key", 2026)
    db.session.add(FilingTimestamp(filing_id=filed.id, seq=0, key=filed.pdf_key,
                                   sha256=filed.sha256, md_algorithm="sha1",
                                   tsa_not_after=datetime.now(UTC) + timedelta(days=3000)))
    key = f"ts-renew:{filed.id}:0"
    db.session.add(Job(kind=renewal.JOB_KIND, payload={"filing_id": filed.id}, dedupe_key=key,
                       status="failed", attempts=5, last_error="TimestampError: TSA down",
                       run_after=datetime.now(UTC) - timedelta(days=1)))
    db.session.commit()

    run = renewal.queue_renewals()
    assert (run.queued, run.already_queued, run.failed) == (1, 0, [filed.id])
    assert "1 failed job(s) queued again" in run.summary()
    job = db.session.scalar(select(Job).where(Job.dedupe_key == key))
    assert (job.status, job.last_error) == ("queued", None)  # one attempt only:
    assert job.attempts == ctx.config["JOBS_MAX_ATTEMPTS"] - 1
    assert renewal.queue_renewals().already_queued == 1  # queued: taken

    # another run queues the same key between this run's look-up and its insert
    db.session.execute(delete(Job).where(Job.dedupe_key == key))
    db.session.commit()
    real = jobs.enqueue

    def racing(kind, payload, *, dedupe_key=None, **kw):
        with db.engine.begin() as other:  # the other run's transaction commits first
            other.execute(Job.__table__.insert().values(
                kind=kind, payload=payload, dedupe_key=dedupe_key, status="queued",
                attempts=0, run_after=datetime.now(UTC), created_at=datetime.now(UTC)))
        return real(kind, payload, dedupe_key=dedupe_key, **kw)

    monkeypatch.setattr(jobs, "enqueue", racing)
    run = renewal.queue_renewals()
    assert (run.queued, run.already_queued) == (0, 1)
    assert db.session.scalar(select(Job.status).where(Job.dedupe_key == key)) == "queued"

    # a weak list naming every strong algorithm: refused, saying which setting
    monkeypatch.setitem(ctx.config, "TIMESTAMP_WEAK_ALGORITHMS",
                        "sha1,sha256,sha384,sha512,sha3_256,sha3_384,sha3_512")
    with pytest.raises(Conflict, match="TIMESTAMP_WEAK_ALGORITHMS"):
        renewal.queue_renewals()


def test_a_tsa_read_during_a_rotation_waits_for_the_pair(ctx, own_pki, monkeypatch):
    import os

    before = pki.tsa().cert
    real_replace, deferred = os.replace, []

    def key_first(src, dst):  # the rotation is stopped after moving the key
        if str(dst).endswith("tsa.pem"):
            deferred.append((src, dst))
        else:
            real_replace(src, dst)

    monkeypatch.setattr(tsa_rotation.os, "replace", key_first)
    new = tsa_rotation.rotate_tsa(30)
    monkeypatch.setattr(tsa_rotation.os, "replace", real_replace)
    assert deferred  # the directory now holds the new key beside the old certificate
    monkeypatch.setattr(pki, "_wait_for_swap",
                        lambda: [real_replace(*d) for d in deferred])

    now = pki.tsa().cert  # read in the middle of the swap
    assert now.serial_number == new.serial_number != before.serial_number


def test_a_permanent_error_gives_up_at_once_and_waits_a_day_behind_fresh_filings(
        client, world, outbox, monkeypatch):
    config = client.application.config
    stale, fresh = (_file(client, world, outbox, "api_key", y) for y in (2026, 2029))
    soon = datetime.now(UTC) + timedelta(days=3)
    for f, days in ((stale, 0), (fresh, 1)):
        db.session.add(FilingTimestamp(filing_id=f.id, seq=0, key=f.pdf_key, sha256=f.sha256,
                                       md_algorithm="sha256", tsa_not_after=soon + timedelta(days=days)))
    db.session.commit()
    monkeypatch.setattr(renewal, "_read", lambda key, sha: (_ for _ in ()).throw(
        verification.ArchiveMismatch("归档文件与备案记录的 SHA-256 不一致")))
    renewal.queue_renewals(limit=1)
    jobs.run_pending()
    job = db.session.scalar(select(Job).where(Job.dedupe_key == f"ts-renew:{stale.id}:0"))
    assert job.status == "failed" and "ArchiveMismatch" in job.last_error  # one attempt
    assert renewal.queue_renewals(dry_run=True, limit=1).due == [fresh.id]  # fresh first
    assert renewal.queue_renewals().held == 1  # not again today
    later = datetime.now(UTC) + timedelta(days=1)
    run = renewal.queue_renewals(now=later)
    db.session.refresh(job)
    assert run.failed == [stale.id] and job.attempts == config["JOBS_MAX_ATTEMPTS"] - 1


def test_an_external_tsa_is_probed_once_per_run_before_queueing(app, ctx, monkeypatch):
    from signing import InProcessTimeStamper

    monkeypatch.setitem(app.config, "TSA_URL", "http://127.0.0.1:9/tsa")  # nothing listens
    with pytest.raises(Conflict) as refused:
        renewal.queue_renewals()
    assert refused.value.code == "tsa_probe_failed" and "TSA_URL" in refused.value.message
    calls = []

    def stamper():
        calls.append(1)
        return InProcessTimeStamper(pki.tsa())

    monkeypatch.setattr(pki, "timestamper", stamper)
    expires = pki.tsa().cert.not_valid_after
    days = (expires - datetime.now(UTC).replace(tzinfo=None) if expires.tzinfo is None
            else expires - datetime.now(UTC)).days
    monkeypatch.setitem(app.config, "TIMESTAMP_RENEW_BEFORE_DAYS", days + 10)
    with pytest.raises(Conflict) as refused:  # its certificate ends within the window
        renewal.queue_renewals()
    assert refused.value.code == "tsa_expiring" and len(calls) == 1
    monkeypatch.setitem(app.config, "TIMESTAMP_RENEW_BEFORE_DAYS", 30)
    assert renewal.queue_renewals().queued == 0 and len(calls) == 2  # one request per run
