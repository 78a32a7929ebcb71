"""Archive jobs after review: the stored parts of expired and failed ZIPs are purged by a daily
job and a command; one filing the verifier chokes on is reported invalid (its message masked)
while an archive outage fails the attempt for a retry; a job's scope is checked against the
asker's scope of today."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import archive_ext, db
from app.models import ArchiveJob
from app.models.base import utcnow
from tests.app.test_archive_check import plain
from tests.app.test_archive_jobs import _file
from tests.conftest import WORKER

SCOPE = {"role": "auditor", "jurisdiction": "430121", "employer_ids": [], "user_id": None}


def _job(status: str, **extra) -> ArchiveJob:
    job = ArchiveJob(kind="evidence_zip", actor="user:1", scope=SCOPE, criteria={},
                     criteria_shown={}, status=status, **extra)
    db.session.add(job)
    db.session.commit()
    return job


def _parts(store, job: ArchiveJob, count: int, retain_until=None) -> list[str]:
    keys = [f"exports/{job.id}/run{count}/part-{n:05d}" for n in range(count)]
    for key in keys:
        store.put(key, b"zip bytes " + key.encode(), content_type="application/octet-stream",
                  retain_until=retain_until)
    return keys


def test_expired_and_failed_zips_parts_are_purged_by_the_command(app, ctx):
    from app.services import archive_jobs

    store = plain(archive_ext.store())
    now = utcnow()
    failed = _job("failed", finished_at=now)
    failed_parts = _parts(store, failed, 2)  # a dead attempt's parts, not retained
    locked = _job("failed", finished_at=now)
    locked_parts = _parts(store, locked, 1, retain_until=now + timedelta(days=3))
    expired = _job("done", result_key="exports/x", expires_at=now - timedelta(hours=1))
    expired_parts = _parts(store, expired, 1)
    fresh = _job("done", result_key="exports/4/x", expires_at=now + timedelta(days=3))
    fresh_parts = _parts(store, fresh, 1)
    retrying = _job("queued")  # an attempt failed, another will come: its parts stay
    retrying_parts = _parts(store, retrying, 1)

    result = app.test_cli_runner().invoke(args=["archive", "purge-exports"])
    assert result.exit_code == 0, result.output
    expected_left = (1 if store.supports_retention else 0)
    assert (f"{3 + 1 - expected_left} object(s) deleted, {3 - expected_left} job(s) cleared, "
            f"{expected_left} object(s) still retained") in result.output
    left = {o.key for o in store.list("exports/")}
    assert left == {*fresh_parts, *retrying_parts, *(locked_parts if expected_left else [])}
    assert not left & {*failed_parts, *expired_parts}
    db.session.expire_all()
    assert db.session.get(ArchiveJob, failed.id).purged_at is not None
    assert db.session.get(ArchiveJob, expired.id).result_key is None
    assert db.session.get(ArchiveJob, fresh.id).result_key == "exports/4/x"
    # cleared jobs are not looked at again
    assert archive_jobs.purge_exports() == {"deleted": 0, "jobs": 0, "left": expected_left}


def test_one_filing_the_verifier_chokes_on_is_invalid_an_outage_is_retried(
        client, world, outbox, monkeypatch):
    from app.errors import ServiceUnavailable
    from app.services import archive_jobs
    from app.services.archive_jobs import reverify
    from app.services.filing import verification

    ours = [_file(client, world, outbox, "api_key", 2026), _file(client, world, outbox, "api_key", 2028)]
    real = verification.for_filing

    def odd(filing):
        if filing.id == ours[0].id:
            raise RuntimeError(f"unexpected object near worker {WORKER['id_number']}")
        return real(filing)

    monkeypatch.setattr(reverify.verification, "for_filing", odd)
    runner = client.application.test_cli_runner()
    result = runner.invoke(args=["archive", "reverify", "--employer", world["org"].uscc])
    assert result.exit_code == 1, result.output
    assert "valid: 1, invalid: 1" in result.output
    assert f"invalid {ours[0].number}" in result.output and "(error)" in result.output
    assert "核验程序无法处理该文件（RuntimeError" in result.output
    assert WORKER["id_number"] not in result.output
    job = db.session.scalars(select(ArchiveJob).order_by(ArchiveJob.id.desc())).first()
    [problem] = job.summary["problems"]
    assert problem["kind"] == "error" and WORKER["id_number"] not in str(problem)

    def outage(filing):
        raise ServiceUnavailable("档案库暂时无法访问，请稍后再试")

    monkeypatch.setattr(reverify.verification, "for_filing", outage)
    from app.services.platform.principal import Principal

    admin = Principal(kind="user", actor="system:test", role="platform_admin")
    job = archive_jobs.request_reverify(admin, {"employer": world["org"].uscc}, queue=False)
    with pytest.raises(ServiceUnavailable):
        archive_jobs.run_now(job.id, last_attempt=False)
    db.session.refresh(job)
    assert (job.status, job.summary) == ("queued", None)  # no verdict: waits for its retry


def test_a_job_s_scope_must_still_be_covered_by_the_asker_s_scope(ctx, world):
    from app.services.archive_jobs.selection import covers

    org, other = world["org"].id, world["other"].id  # other lies in 430102
    named = {"role": "auditor", "jurisdiction": None, "employer_ids": [org, other]}
    assert covers({"role": "auditor", "employer_ids": [org, other]}, named)
    assert not covers({"role": "auditor", "employer_ids": [org]}, named)  # lost an employer
    assert covers({"role": "auditor", "jurisdiction": "430102", "employer_ids": [org]}, named)
    assert not covers({"role": "auditor", "jurisdiction": "430121"}, named)
    assert covers({"role": "auditor", "jurisdiction": "4301"}, SCOPE)
    assert not covers({"role": "auditor", "jurisdiction": "430102"}, SCOPE)
    assert not covers(SCOPE, {"role": "platform_admin"})
    assert covers({"role": "platform_admin"}, named)


def _evidence_job(client, world, outbox):
    from app.models import User
    from app.services import archive_jobs
    from app.services.platform.principal import of_user
    from tests.app.test_archive_jobs import WORKER as PERSON
    from tests.app.test_archive_jobs import filed

    filed(client, world, outbox)
    auditor = of_user(db.session.scalar(select(User).where(User.username == "auditor")))
    return auditor, archive_jobs.request_evidence_zip(auditor, {"id_number": PERSON["id_number"]})


def test_a_worker_that_lost_its_lease_writes_nothing_and_production_polls_only_read(
        client, world, outbox, monkeypatch):
    from app.models import Job
    from app.services import archive_jobs
    from app.services.archive_jobs import bulk_evidence
    from app.services.platform import jobs

    config = client.application.config
    auditor, job = _evidence_job(client, world, outbox)
    monkeypatch.setitem(config, "PRODUCTION", True)  # a poll in production: only reads
    assert archive_jobs.follow(auditor, job.id).status == "queued"
    monkeypatch.setitem(config, "PRODUCTION", False)

    monkeypatch.setitem(config, "ARCHIVE_EXPORT_PART_BYTES", 4096)
    real, seen = archive_ext.store(), []
    key = f"archive_job:{job.id}"

    class Spy:  # the upload outlives the lease after part 0; w2 takes over after part 1
        supports_retention = real.supports_retention

        def __getattr__(self, name):
            return getattr(real, name)

        def put(self, name, data, **kw):
            row = db.session.scalar(select(Job).where(Job.dedupe_key == key))
            seen.append(row.locked_until.replace(tzinfo=None) > utcnow().replace(tzinfo=None))
            stored = real.put(name, data, **kw)
            if len(seen) == 1:
                row.locked_until = utcnow() - timedelta(seconds=1)
            elif len(seen) == 2:
                row.locked_by, row.locked_until = "w2", utcnow() + timedelta(minutes=5)
            db.session.commit()
            return stored

    monkeypatch.setattr(bulk_evidence.archive_ext, "store", lambda *_: Spy())
    assert jobs.run_pending(worker="w1") == 1
    assert seen[:2] == [True, True]  # the lease was extended after the first part
    db.session.refresh(job)
    assert job.status == "running" and job.result_key is None  # w1 wrote nothing
    row = db.session.scalar(select(Job).where(Job.dedupe_key == key))
    row.status, row.locked_by, row.locked_until = "running", "w2", utcnow() + timedelta(minutes=5)
    db.session.commit()  # (jobs.execute of w1 cleared w2's claim on the queue row)
    archive_jobs.run_now(job.id)  # w2's lease is live: not restarted
    db.session.refresh(job)
    assert job.status == "running" and len(seen) == 2
