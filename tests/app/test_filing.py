"""Automatic filing as a durable job: retried when the archive is down, exactly once."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from app.extensions import archive_ext, db
from app.models import Contract, Filing, Job
from app.models.base import utcnow
from app.services.platform import audit, jobs
from tests.app.flows import sent_contract, worker_session, worker_sign


def _make_due() -> None:
    for job in db.session.scalars(select(Job).where(Job.status == "queued")):
        job.run_after = utcnow() - timedelta(seconds=1)
    db.session.commit()


class FilingsDown:
    """The archive as it looks when it goes down right after the signature was stored:
    contract documents answer, filings/ does not."""

    def __init__(self, inner):
        self.inner = inner

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def _check(self, key: str) -> None:
        from archive import ArchiveUnavailable

        if key.startswith("filings/"):
            raise ArchiveUnavailable("connection refused")

    def stat(self, key):
        self._check(key)
        return self.inner.stat(key)

    def put(self, key, *args, **kwargs):
        self._check(key)
        return self.inner.put(key, *args, **kwargs)


def test_unreachable_archive_keeps_the_contract_signed_and_files_later(client, world, outbox,
                                                                       ctx):
    local = archive_ext.store()
    contract_id, token = sent_contract(client, world, outbox)
    archive_ext.use(FilingsDown(local))
    session = worker_session(client, outbox, token)
    resp = worker_sign(client, token, session)
    assert resp.status_code == 200
    assert resp.get_json()["status"] == "signed" and resp.get_json()["filing"] is None
    number = resp.get_json()["filing_number"]
    job = db.session.scalar(select(Job).where(Job.kind == "file_contract"))
    assert job.status == "queued" and job.attempts == 1
    assert "ArchiveUnavailable" in job.last_error
    assert job.run_after > utcnow()
    assert db.session.get(Contract, contract_id).status == "signed"
    assert db.session.scalar(select(func.count(Filing.id))) == 0
    # Not due yet: nothing happens.
    assert jobs.run_pending() == 0

    archive_ext.use(local)
    _make_due()
    assert jobs.run_pending() == 2  # the filing, then the SMS telling the worker
    db.session.expire_all()
    filing = db.session.scalar(select(Filing))
    assert filing.number == number and local.exists(filing.pdf_key)
    assert db.session.get(Contract, contract_id).status == "filed"
    assert db.session.get(Job, job.id).status == "done"
    # Exactly once: running again changes nothing.
    _make_due()
    assert jobs.run_pending() == 0
    assert db.session.scalar(select(func.count(Filing.id))) == 1


def crash_filing_once(monkeypatch) -> dict:
    """Make the first filing attempt die after archiving, before its commit."""
    real_record, calls = audit.record, {"n": 0}

    def crash_once(contract_id_, actor, action, **details):
        if action == "contract.filed" and calls["n"] == 0:
            calls["n"] += 1
            raise RuntimeError("process died before commit")
        return real_record(contract_id_, actor, action, **details)

    monkeypatch.setattr(audit, "record", crash_once)
    calls["real_record"] = real_record
    return calls


def test_a_crash_after_archiving_is_retried_without_duplicates(client, world, outbox, ctx,
                                                               monkeypatch):
    contract_id, token = sent_contract(client, world, outbox)
    calls = crash_filing_once(monkeypatch)
    session = worker_session(client, outbox, token)
    assert worker_sign(client, token, session).get_json()["status"] == "signed"
    assert calls["n"] == 1
    store = archive_ext.store()
    # the audit trail and the manifest reached the archive (the signed PDF is already there,
    # as the contract's signed version, and the filing refers to it)
    assert len(list(store.list("filings/"))) == 2
    _make_due()
    assert jobs.run_pending() == 2  # the filing, then the SMS telling the worker
    db.session.expire_all()
    assert db.session.get(Contract, contract_id).status == "filed"
    assert db.session.scalar(select(func.count(Filing.id))) == 1
    assert len(list(store.list("filings/"))) == 2  # the retry stored nothing twice
    filing = db.session.scalar(select(Filing))
    signed = db.session.get(Contract, contract_id).current_document
    assert (filing.pdf_key, filing.sha256) == (signed.key, signed.sha256) and signed.kind == "signed"


def test_a_crashed_worker_lease_expires_and_another_worker_takes_over(client, world, outbox, ctx):
    contract_id, token = sent_contract(client, world, outbox)
    session = worker_session(client, outbox, token)
    ctx.config["JOBS_INLINE"] = False
    try:
        assert worker_sign(client, token, session).status_code == 200
    finally:
        ctx.config["JOBS_INLINE"] = True
    claimed = jobs.claim("worker-a")
    assert claimed is not None and claimed.kind == "file_contract"
    assert jobs.claim("worker-b") is None  # leased to worker-a
    # worker-a dies; its lease runs out.
    job = db.session.get(Job, claimed.id)
    job.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    _make_due()
    assert jobs.run_pending(worker="worker-b") >= 1
    db.session.expire_all()
    assert db.session.get(Contract, contract_id).status == "filed"
    assert db.session.get(Job, claimed.id).attempts == 2


def test_jobs_back_off_exponentially():
    assert jobs.backoff(1) == timedelta(seconds=5)
    assert jobs.backoff(3) == timedelta(seconds=20)
    assert jobs.backoff(30) == timedelta(hours=1)


def test_jobs_work_command_files_queued_contracts(client, world, outbox, ctx):
    contract_id, token = sent_contract(client, world, outbox)
    session = worker_session(client, outbox, token)
    ctx.config["JOBS_INLINE"] = False
    try:
        assert worker_sign(client, token, session).get_json()["status"] == "signed"
    finally:
        ctx.config["JOBS_INLINE"] = True
    result = ctx.test_cli_runner().invoke(args=["jobs", "work", "--once"])
    assert result.exit_code == 0 and "ran 2 job(s)" in result.output  # filing, then its SMS
    db.session.expire_all()
    assert db.session.get(Contract, contract_id).status == "filed"


def test_a_retry_after_the_trail_grew_keeps_both_versions(client, world, outbox, ctx, monkeypatch):
    contract_id, token = sent_contract(client, world, outbox)
    calls = crash_filing_once(monkeypatch)
    assert worker_sign(client, token, worker_session(client, outbox, token)).status_code == 200
    calls["real_record"](contract_id, "user:auditor", "contract.viewed")  # the trail grows meanwhile
    db.session.commit()
    _make_due()
    assert jobs.run_pending() == 2  # the filing, then the SMS telling the worker
    db.session.expire_all()
    filing = db.session.scalar(select(Filing))
    store = archive_ext.store()
    first = store.get(filing.audit_key.rsplit("-", 1)[0] + ".json")
    assert re.search(r"/audit-trail-[0-9a-f]{12}\.json$", filing.audit_key), filing.audit_key
    assert b"contract.viewed" in store.get(filing.audit_key) and b"contract.viewed" not in first


def test_many_workers_run_each_job_exactly_once(ctx):
    import threading

    ran: list[int] = []
    lock = threading.Lock()

    def record(payload: dict) -> None:
        with lock:
            ran.append(payload["n"])

    jobs.HANDLERS["test_record"] = record
    try:
        for n in range(40):
            jobs.enqueue("test_record", {"n": n})
        db.session.commit()

        def work(name: str) -> None:
            with ctx.app_context():
                jobs.run_pending(limit=100, worker=name)
                db.session.remove()

        threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        jobs.HANDLERS.pop("test_record")
    assert sorted(ran) == list(range(40))
    db.session.expire_all()
    assert {j.status for j in db.session.scalars(select(Job))} == {"done"}
    assert {j.attempts for j in db.session.scalars(select(Job))} == {1}


def test_a_contract_ending_on_29_february_is_filed_and_kept_two_full_years(client, world, outbox):
    from datetime import date

    from tests.app.flows import api_create, api_send

    created = api_create(client, world["api_key"], term_end="2028-02-29")
    token = api_send(client, world["api_key"], created["id"])
    signed = worker_sign(client, token, worker_session(client, outbox, token)).get_json()
    assert signed["status"] == "signed"  # the filing job runs right after this answer
    filing = db.session.scalar(select(Filing))
    assert filing.number == signed["filing_number"]
    assert filing.retain_until.date() == date(2030, 3, 1)
