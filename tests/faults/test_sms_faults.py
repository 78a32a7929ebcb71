"""Fault scenario 4: the SMS provider is down or throttling while invitations and one-time
codes are sent. Sends are retried or fall back to the second provider, nobody gets two codes
for one request, and in the end every message reached a (fake) provider exactly once.

Runs in-process on the app fixtures (SQLite and PostgreSQL) against the fake Alibaba Cloud
and Tencent Cloud servers of tests/plugins/sms_providers.py; job workers are played by
``jobs.claim`` / ``jobs.execute`` with the clock moved past each backoff.
"""

from __future__ import annotations

import re
from collections import Counter

from app.domain.ids import id_with_check
from app.extensions import db
from app.services.platform import jobs
from tests.app.flows import api_create, api_send
from tests.app.sms_helpers import (
    deliveries,
    run_due_later,
    sms_jobs,
    template_ids,
)

WORKERS = [{"worker_name": name, "worker_phone": f"1370000000{n}",
            "worker_id_number": id_with_check(f"43012119900202{n:03d}")}
           for n, name in enumerate(["赵一", "钱二", "孙三"], start=1)]


def _code_of(message: dict) -> str:
    return message["params"]["code"]


def test_outage_and_throttling_during_invites_and_code_requests(client, world, providers):
    """Alibaba Cloud down and Tencent Cloud throttling while three contracts are sent and
    each worker asks for a code: every request is answered at once, nothing is lost; when
    Alibaba Cloud is back every text goes out once, each code is the request's own."""
    providers.aliyun.down()
    providers.tencent.mode = "throttle"
    tokens = []
    for worker in WORKERS:
        created = api_create(client, world["api_key"], **worker)
        tokens.append(api_send(client, world["api_key"], created["id"]))
    for worker, token in zip(WORKERS, tokens, strict=True):
        resp = client.post(f"/api/v1/sign/{token}/otp", json={
            "name": worker["worker_name"], "id_number": worker["worker_id_number"]})
        assert resp.status_code == 200, resp.get_json()  # the answer does not wait for SMS
    assert providers.all_sent() == []
    rows = deliveries()
    assert len(rows) == 6 and {r.status for r in rows} == {"queued"}
    assert {r.error_code for r in rows} == {  # the number's own limit: waited out
        "number_throttled:LimitExceeded.PhoneNumberThirtySecondLimit"}
    assert run_due_later(minutes=0.01) == 0  # nothing runs before its backoff

    providers.aliyun.up()  # back; Tencent still throttling
    run_due_later()
    sent = providers.aliyun.sent
    assert providers.tencent.sent == []
    by_message = Counter((m["phone"], m["template"]) for m in sent)
    ids = template_ids("SMS_")
    assert by_message == Counter({(w["worker_phone"], ids[kind]): 1 for w in WORKERS
                                  for kind in ("invite", "sign_code")})
    assert {r.status for r in deliveries()} == {"sent"}
    assert {j.status for j in sms_jobs()} == {"done"}
    # each worker got one code, and it is the one that opens their signing session
    for worker, token in zip(WORKERS, tokens, strict=True):
        [code] = [_code_of(m) for m in sent
                  if m["phone"] == worker["worker_phone"] and m["template"] == ids["sign_code"]]
        assert re.fullmatch(r"\d{6}", code)
        resp = client.post(f"/api/v1/sign/{token}/verify", json={"code": code})
        assert resp.status_code == 200, resp.get_json()


def test_throttling_falls_back_and_a_rerun_job_never_sends_a_second_code(client, world, ctx,
                                                                         providers, monkeypatch):
    """The primary throttles our account: the fallback sends the code. A worker that sent
    the text but died before marking its job done (the lease runs out) makes another worker
    run the job again: the delivery log knows the text went out, so no second text, no second
    code."""
    providers.aliyun.mode = "throttle_account"
    worker = WORKERS[0]
    created = api_create(client, world["api_key"], **worker)
    token = api_send(client, world["api_key"], created["id"])
    [invite] = providers.tencent.sent
    monkeypatch.setitem(ctx.config, "JOBS_INLINE", False)  # a job worker will send the code
    resp = client.post(f"/api/v1/sign/{token}/otp", json={
        "name": worker["worker_name"], "id_number": worker["worker_id_number"]})
    assert resp.status_code == 200
    job = sms_jobs()[-1]
    assert job.dedupe_key.startswith("sms:sign-code:") and job.status == "queued"
    claimed = jobs.claim("worker-1", job_id=job.id)
    jobs.HANDLERS["sms"]({**claimed.payload, jobs.ATTEMPT_KEY: 1})  # ... then worker-1 dies
    db.session.rollback()
    [_, code] = providers.tencent.sent
    run_due_later(minutes=10)  # the lease ran out: worker-2 takes the job over
    assert providers.all_sent() == [invite, code] and providers.aliyun.sent == []
    assert sms_jobs()[-1].status == "done"
    assert [r.status for r in deliveries()] == ["sent", "sent"]
    resp = client.post(f"/api/v1/sign/{token}/verify", json={"code": _code_of(code)})
    assert resp.status_code == 200, resp.get_json()


def test_a_second_queueing_of_the_same_code_is_refused(ctx, providers):
    """The dedupe key holds one job per code request, whatever retries a caller attempts."""
    import pytest
    from sqlalchemy.exc import IntegrityError

    from app.domain.typed import Msg
    from app.services.messaging import outbox
    from app.services.worker_signing.worker_signing import SMS_CODE

    text = Msg(SMS_CODE, code="123456", minutes=5)
    outbox.queue_to_phone(WORKERS[1]["worker_phone"], text, dedupe_key="sms:sign-code:77")
    db.session.commit()
    outbox.queue_to_phone(WORKERS[1]["worker_phone"], text, dedupe_key="sms:sign-code:77")
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    jobs.run_pending()
    assert [_code_of(m) for m in providers.tencent.sent + providers.aliyun.sent] == ["123456"]


def test_after_an_outage_only_the_newest_live_code_is_sent(client, world, ctx, providers,
                                                           monkeypatch):
    """Both providers down while a worker asks for a code twice: when they are back, the
    first code (superseded) is not sent, the second is, and it opens the session. Codes
    still queued past their validity are never sent: no stale code arrives late."""
    from datetime import timedelta

    from app.models.base import utcnow
    from app.services.messaging import freshness

    worker = WORKERS[0]
    token = api_send(client, world["api_key"], api_create(client, world["api_key"], **worker)["id"])
    providers.aliyun.down()
    providers.tencent.down()
    ask = {"name": worker["worker_name"], "id_number": worker["worker_id_number"]}
    for _ in range(2):
        assert client.post(f"/api/v1/sign/{token}/otp", json=ask).status_code == 200
    providers.aliyun.up()
    run_due_later()
    [_, code] = providers.aliyun.sent
    assert [(r.kind, r.status, r.error_code) for r in deliveries()] == [
        ("invite", "sent", None), ("sign_code", "failed", "superseded"),
        ("sign_code", "sent", None)]
    resp = client.post(f"/api/v1/sign/{token}/verify", json={"code": _code_of(code)})
    assert resp.status_code == 200, resp.get_json()

    providers.aliyun.down()  # a third code, and the outage outlasts its ten minutes
    assert client.post(f"/api/v1/sign/{token}/otp", json=ask).status_code == 200
    providers.aliyun.up()
    later = utcnow() + timedelta(seconds=ctx.config["OTP_TTL_SECONDS"] + 1)
    monkeypatch.setattr(freshness, "utcnow", lambda: later)
    run_due_later()
    assert len(providers.aliyun.sent) == 2  # nothing more
    assert deliveries()[-1].error_code == "expired"
    assert {j.status for j in sms_jobs()} == {"done"}
