"""JOBS_INLINE: one hook runs, right after a request, exactly the jobs that request queued."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app import pii
from app.extensions import db
from app.models import Contract, Job
from app.services.platform import jobs
from tests.app.flows import api_create, api_send
from tests.conftest import WORKER, bearer


def _foreign_job(contract_id: int) -> int:
    """A due job queued outside any request (another request's, a worker's backlog)."""
    contract = db.session.get(Contract, contract_id)
    job = jobs.enqueue("sms", {"to_enc": contract.worker_phone_enc,
                               "text_enc": pii.encrypt("别处排队的短信")})
    db.session.commit()
    return job.id


def test_a_request_runs_only_its_own_jobs(client, world, outbox):
    created = api_create(client, world["api_key"])
    foreign = _foreign_job(created["id"])
    token = api_send(client, world["api_key"], created["id"])  # queues the link SMS
    assert outbox.last_link_token(WORKER["phone"]) == token  # its own job ran before the answer
    client.get(f"/api/v1/contracts/{created['id']}", headers=bearer(world["api_key"]))
    db.session.expire_all()
    assert db.session.get(Job, foreign).status == "queued"  # never claimed by those requests
    assert not [m for m in outbox.messages() if "别处排队" in m["text"]]
    assert jobs.run_pending() == 1  # a worker runs it
    assert [m for m in outbox.messages() if "别处排队" in m["text"]]


def test_without_jobs_inline_requests_leave_their_jobs_to_workers(client, world, outbox, ctx):
    created = api_create(client, world["api_key"])
    ctx.config["JOBS_INLINE"] = False
    try:
        client.post(f"/api/v1/contracts/{created['id']}/send", headers=bearer(world["api_key"]))
    finally:
        ctx.config["JOBS_INLINE"] = True
    assert outbox.messages() == []
    db.session.expire_all()
    assert [j.status for j in db.session.scalars(select(Job))] == ["queued"]
    assert jobs.run_pending() == 1 and len(outbox.messages()) == 1


def test_every_job_kind_has_one_registered_handler(ctx):
    from app.services import wiring

    kinds = {"archive_job", "batch_row", "feed_reconcile", "file_contract", "issue_certificate",
             "link_expired", "renew_timestamp", "sms", "webhook"}
    assert set(wiring.JOB_KINDS) == kinds <= set(jobs.HANDLERS)
    assert all(jobs.HANDLERS[kind] is wiring.JOB_KINDS[kind] for kind in kinds)
    with pytest.raises(ValueError, match="sms"):  # one handler a kind
        jobs.register("sms", lambda payload: None)


def test_finished_jobs_keep_no_phone_or_text(client, world, outbox):
    created = api_create(client, world["api_key"])
    api_send(client, world["api_key"], created["id"])
    db.session.expire_all()
    sms = db.session.scalars(select(Job).where(Job.kind == "sms")).all()
    assert sms and all(j.status == "done" for j in sms)
    assert all(not any(k.endswith("_enc") for k in j.payload) for j in sms)
    assert all(j.payload.get("contract_id") == created["id"] for j in sms)

