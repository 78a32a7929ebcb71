"""Text messages after review: stale or superseded one-time codes are never sent, a message
handed to a provider is never sent twice, a kind without a template is caught at start-up and
never retried, code requests at once make one code, and the receipt callback's limits."""

from __future__ import annotations

import secrets
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app import sms
from app.domain.expiry import today_in_beijing
from app.domain.ids import id_with_check
from app.domain.typed import Msg
from app.errors import TooManyRequests
from app.extensions import db, sms_ext
from app.models import OtpChallenge
from app.models.base import utcnow
from app.services.contracts import invites
from app.services.filing.filing import SMS_FILED
from app.services.lifecycle import expiry
from app.services.messaging import freshness, kinds, outbox
from app.services.platform import jobs
from app.services.worker_signing import worker_signing
from app.services.worker_space import sign_in
from tests.app.flows import api_create, api_send, in_force
from tests.app.sms_helpers import CALLBACK_SECRET, deliveries, sms_jobs, template_ids
from tests.conftest import WORKER

PHONE = WORKER["phone"]
INVITE = Msg(invites.SMS_INVITE, employer="甲", days=7, url="u")


def _signed_contract(client, world):
    contract = in_force(client, world, None, worker_id_number=WORKER["id_number"])
    contract.signed_at = utcnow()
    db.session.commit()
    return contract


def test_a_newer_portal_code_supersedes_the_queued_one(client, world, ctx, providers):
    """Two sign-in codes queued during an outage: only the newer goes out."""
    _signed_contract(client, world)
    providers.aliyun.down()
    providers.tencent.down()
    for _ in range(2):
        sign_in.request_code(WORKER["name"], WORKER["id_number"], PHONE, ip="10.0.0.1")
    jobs.run_pending()  # both providers down: queued
    providers.aliyun.up()
    _run_later()
    [sent] = providers.aliyun.sent
    rows = [r for r in deliveries() if r.kind == "portal_code"]
    assert [(r.status, r.error_code) for r in rows] == [("failed", "superseded"), ("sent", None)]
    assert sent["id"] == rows[1].message_id


def _run_later(minutes: float = 61) -> None:
    while (job := jobs.claim("w", utcnow() + timedelta(minutes=minutes))) is not None:
        jobs.execute(job)


def test_an_expired_code_is_not_sent_and_the_job_ends(ctx, providers, monkeypatch):
    expires = utcnow() + timedelta(minutes=10)
    job = outbox.queue_to_phone(PHONE, Msg(worker_signing.SMS_CODE, code="123456", minutes=10),
                                expires_at=expires)
    db.session.commit()
    monkeypatch.setattr(freshness, "utcnow", lambda: expires + timedelta(seconds=1))
    jobs.run_pending()
    assert providers.all_sent() == [] and providers.aliyun.refused == []
    [row] = deliveries()
    assert (row.status, row.error_code) == ("failed", "expired")
    db.session.refresh(job)
    assert job.status == "done" and "expires_at" in job.payload


def test_a_message_a_receipt_marked_failed_is_not_sent_again(client, ctx, providers):
    """Sent, then the carrier's receipt says failed: a second run of the job (a lost lease)
    sends nothing — the provider already had it."""
    job = outbox.queue_to_phone(PHONE, INVITE)
    db.session.commit()
    payload = dict(job.payload)
    jobs.run_pending()
    [sent] = providers.aliyun.sent
    receipt = providers.aliyun.receipt(sent["id"], PHONE, delivered=False)
    assert client.post(f"/sms/receipts/aliyun/{CALLBACK_SECRET}", json=receipt).status_code == 200
    jobs.HANDLERS["sms"]({**payload, jobs.ATTEMPT_KEY: 2})
    assert providers.all_sent() == [sent] and providers.tencent.refused == []
    [row] = deliveries()
    assert (row.status, row.error_code, row.attempts) == ("failed", "report:MK:0012", 1)


def test_a_rejected_number_is_not_tried_again_by_a_rerun(ctx, providers):
    job = outbox.queue_to_phone("10000000000", INVITE)
    db.session.commit()
    payload = dict(job.payload)
    jobs.run_pending()
    jobs.HANDLERS["sms"]({**payload, jobs.ATTEMPT_KEY: 2})
    assert providers.aliyun.refused == ["isv.MOBILE_NUMBER_ILLEGAL"]  # asked once only
    assert deliveries()[0].attempts == 1


def test_a_kind_without_a_template_fails_once_not_25_times(ctx, providers, monkeypatch):
    for key, prefix in (("ALIYUN_SMS_TEMPLATES", "SMS_"), ("TENCENT_SMS_TEMPLATES", "")):
        monkeypatch.setitem(ctx.config, key, ",".join(
            f"{k}={v}" for k, v in template_ids(prefix).items() if k != "filed"))
    sms_ext.use(None)
    sms_ext.use_fallback(None)
    job = outbox.queue_to_phone(PHONE, Msg(SMS_FILED, employer="甲", number="BA-1", portal="u"))
    db.session.commit()
    jobs.run_pending()
    [row] = deliveries()
    assert (row.status, row.error_code) == ("failed", "template:no_template")
    db.session.refresh(job)
    assert job.status == "done" and job.attempts == 1


def test_templates_are_required_for_every_kind(monkeypatch):
    settings = {"SMS_BACKEND": "aliyun", "SMS_FALLBACK_BACKEND": "log",
                "ALIYUN_SMS_ACCESS_KEY_ID": "id", "ALIYUN_SMS_ACCESS_KEY_SECRET": "s",
                "ALIYUN_SMS_SIGN_NAME": "签", "ALIYUN_SMS_TEMPLATES": "invite=SMS_1"}
    [problem] = sms.config_problems(settings, kinds=["invite", "sign_code", "filed"])
    assert problem == "ALIYUN_SMS_TEMPLATES has no template for the message kinds filed, sign_code"
    assert sms.config_problems(settings, kinds=["invite"]) == []


@pytest.mark.parametrize("fresh_process", [False, True])
def test_production_refuses_a_provider_without_a_template_for_a_kind(tmp_path, monkeypatch,
                                                                     fresh_process):
    """Also in a fresh process, where the kinds are registered only after the SMS settings
    were first checked."""
    from app import create_app
    from app.services.wiring import SMS_KINDS
    from config import PRODUCTION_PASSWORD_HASH_METHOD
    from tests.conftest import config_for

    ids = {kind: f"SMS_{n}" for n, kind in enumerate(sorted(set(SMS_KINDS.values())))
           if kind != "certificate"}
    if fresh_process:  # nothing registered yet when the SMS extension checks the settings
        monkeypatch.setattr(kinds, "_BY_TEMPLATE", {})
        monkeypatch.setattr(kinds, "_ORDERED", [])
    settings = config_for(tmp_path, f"sqlite:///{tmp_path / 'p.db'}", PRODUCTION=True,
                          SECRET_KEY="s" * 40, PII_KEY="p" * 40, CA_KEY_PASSPHRASE="c" * 40,
                          PASSWORD_HASH_METHOD=PRODUCTION_PASSWORD_HASH_METHOD,
                          SMS_BACKEND="aliyun", SMS_FALLBACK_BACKEND="log",
                          ALIYUN_SMS_ACCESS_KEY_ID="id", ALIYUN_SMS_ACCESS_KEY_SECRET="secret",
                          ALIYUN_SMS_SIGN_NAME="智慧星用工",
                          ALIYUN_SMS_TEMPLATES=",".join(f"{k}={v}" for k, v in ids.items()))
    with pytest.raises(sms.SmsConfigError, match="no template for the message kinds certificate"):
        create_app(settings)


def test_expiry_notices_are_queued_through_the_delivery_log(client, world, ctx):
    """The expiry text gets its log row (kind, contract) when queued, like every text."""
    contract = in_force(client, world, today_in_beijing() + timedelta(days=10))
    expiry.remind_expiring()
    rows = [(r.kind, r.contract_id, r.status) for r in deliveries()]
    assert ("expiry_notice", contract.id, "queued") in rows
    [job] = [j for j in sms_jobs() if j.payload.get("kind") == "expiry_notice"]
    assert job.payload["contract_id"] == contract.id and job.payload["ref"]


@pytest.mark.postgresql_only  # SQLite serialises writers: the race is PostgreSQL's
def test_two_code_requests_at_once_make_one_code(ctx, client, world, monkeypatch):
    monkeypatch.setitem(ctx.config, "OTP_RESEND_SECONDS", 60)
    monkeypatch.setitem(ctx.config, "JOBS_INLINE", False)
    token = api_send(client, world["api_key"], api_create(client, world["api_key"])["id"])
    first, second, real, results = threading.Event(), threading.Event(), secrets.randbelow, []
    turn = threading.Lock()

    def randbelow(n: int) -> int:  # past the cooldown check: the first waits for the second
        with turn:
            am_first = not first.is_set()
            (first if am_first else second).set()
        if am_first:
            second.wait(timeout=1.5)  # without the link's row lock the second comes in
        return real(n)

    monkeypatch.setattr(worker_signing.secrets, "randbelow", randbelow)
    arrived = threading.Barrier(2, timeout=20)

    def ask() -> None:
        with ctx.app_context():
            arrived.wait()
            try:
                worker_signing.request_otp(token, WORKER["name"], WORKER["id_number"])
                results.append("sent")
            except TooManyRequests as exc:
                results.append(exc.code)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=ask) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["otp_cooldown", "sent"]
    assert db.session.scalar(select(func.count(OtpChallenge.id))) == 1


def test_portal_code_requests_wait_the_resend_time_whoever_asks(client, world, ctx, monkeypatch):
    """Within OTP_RESEND_SECONDS a second request for the same ID number and phone is
    refused — for a real person and for nobody alike (the answer tells nothing)."""
    monkeypatch.setitem(ctx.config, "OTP_RESEND_SECONDS", 60)
    _signed_contract(client, world)
    answers = []
    for number in (WORKER["id_number"], id_with_check("11010519491231003")):  # one, nobody
        sign_in.request_code(WORKER["name"], number, PHONE, ip="10.0.0.2")
        with pytest.raises(TooManyRequests) as refused:
            sign_in.request_code(WORKER["name"], number, PHONE, ip="10.0.0.2")
        answers.append((refused.value.code, refused.value.message))
    assert answers[0] == answers[1] == ("otp_cooldown", "验证码已发送，请稍后再试")
    assert len([r for r in deliveries() if r.kind == "portal_code"]) == 1


def test_a_receipt_push_over_256_kib_is_refused_with_413(client, ctx, providers):
    url = f"/sms/receipts/aliyun/{CALLBACK_SECRET}"
    resp = client.post(url, data=b"[" + b" " * (256 * 1024) + b"]",
                       content_type="application/json")
    assert resp.status_code == 413
    assert resp.get_json() == {"error": "receipt_too_large",
                               "message": "回执内容过大：每次推送最多 256 KiB"}
    assert client.post(url, json=[]).status_code == 200
