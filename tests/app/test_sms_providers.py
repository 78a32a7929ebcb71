"""Text messages through Alibaba Cloud and Tencent Cloud SMS (fake servers on loopback that
check the signatures as the providers document them): templates per kind, fallback, retries
with backoff, the delivery log, receipts, send limits, and numbers never shown plain."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest

from app import pii
from app.domain.typed import Msg
from app.extensions import db
from app.metrics import SMS_FAILED, SMS_SENT
from app.models import Contract
from app.models.base import utcnow
from app.services.contracts import invites
from app.services.filing.filing import SMS_FILED
from app.services.lifecycle.certificate import SMS_CERTIFICATE
from app.services.lifecycle.lifecycle import SMS_WITHDRAWN
from app.services.messaging import outbox
from app.services.platform import jobs
from app.services.worker_signing.worker_signing import SMS_CODE
from tests.app.flows import api_create, api_send
from tests.app.sms_helpers import (
    CALLBACK_SECRET,
    configure,
    deliveries,
    sms_jobs,
    template_ids,
)
from tests.conftest import WORKER, login

PHONE = WORKER["phone"]
MASKED = PHONE[:3] + "****" + PHONE[-4:]


def _count(metric, **labels) -> float:
    return metric.labels(**labels)._value.get()


@pytest.mark.parametrize("name", ["aliyun", "tencent"])
def test_each_provider_sends_the_invitation_with_its_template(client, world, ctx, monkeypatch,
                                                              fake_aliyun, fake_tencent, name):
    """The provider gets its template id, its signature name and the message's parameters;
    the log keeps the provider's message id, the number masked."""
    fakes = configure(ctx, monkeypatch, fake_aliyun, fake_tencent, primary=name,
                      fallback="aliyun" if name == "tencent" else "tencent")
    before = _count(SMS_SENT, provider=name, kind="invite")
    created = api_create(client, world["api_key"])
    token = api_send(client, world["api_key"], created["id"])
    [sent] = fakes[name].sent
    other = fakes["tencent" if name == "aliyun" else "aliyun"]
    assert other.sent == [] and other.refused == []
    prefix = "SMS_" if name == "aliyun" else ""
    assert sent["template"] == template_ids(prefix)["invite"]
    assert sent["phone"].endswith(PHONE)
    assert sent["params"]["url"].endswith(f"/s/{token}")
    assert sent["params"]["employer"] == world["org"].name and sent["params"]["days"]
    [row] = deliveries()
    assert (row.kind, row.provider, row.message_id, row.status) == ("invite", name, sent["id"],
                                                                    "sent")
    assert row.contract_id == created["id"] and row.phone_masked == MASKED
    assert _count(SMS_SENT, provider=name, kind="invite") == before + 1


@pytest.mark.parametrize("name", ["aliyun", "tencent"])
def test_a_wrong_secret_is_refused_by_the_provider(ctx, monkeypatch, fake_aliyun, fake_tencent,
                                                   name):
    """A request signed with the wrong secret is refused like the provider does; with no
    fallback the message stays queued with the provider's code and is retried later."""
    configure(ctx, monkeypatch, fake_aliyun, fake_tencent, primary=name, fallback="")
    key = "ALIYUN_SMS_ACCESS_KEY_SECRET" if name == "aliyun" else "TENCENT_SMS_SECRET_KEY"
    monkeypatch.setitem(ctx.config, key, "not-the-secret")
    from app.extensions import sms_ext

    sms_ext.use(None)
    job = outbox.queue_to_phone(PHONE, Msg(invites.SMS_INVITE, employer="甲", days=7, url="u"))
    db.session.commit()
    assert jobs.run_pending() == 1
    fake = fake_aliyun if name == "aliyun" else fake_tencent
    code = "SignatureDoesNotMatch" if name == "aliyun" else "AuthFailure.SignatureFailure"
    assert fake.sent == [] and fake.refused == [code]
    [row] = deliveries()
    assert (row.status, row.error_code, row.provider) == ("queued", f"auth:{code}", name)
    db.session.refresh(job)
    assert job.status == "queued" and job.run_after > utcnow()


@pytest.mark.parametrize("mode", ["throttle_account", "bad_template", "503", "down"])
@pytest.mark.parametrize("primary", ["aliyun", "tencent"])
def test_the_fallback_provider_takes_over(ctx, monkeypatch, fake_aliyun, fake_tencent, primary,
                                          mode):
    """Our account throttled, template refused, 503 or not listening: the other provider
    sends it."""
    fallback = "tencent" if primary == "aliyun" else "aliyun"
    fakes = configure(ctx, monkeypatch, fake_aliyun, fake_tencent, primary=primary,
                      fallback=fallback)
    if mode == "down":
        fakes[primary].down()
    else:
        fakes[primary].mode = mode
    reason = {"throttle_account": "throttled", "bad_template": "template"}.get(mode, "unavailable")
    before = _count(SMS_FAILED, provider=primary, reason=reason)
    outbox.queue_to_phone(PHONE, Msg(invites.SMS_INVITE, employer="甲", days=7, url="u"))
    db.session.commit()
    jobs.run_pending()
    assert fakes[primary].sent == [] and len(fakes[fallback].sent) == 1
    [row] = deliveries()
    assert (row.status, row.provider, row.error_code) == ("sent", fallback, None)
    assert row.message_id == fakes[fallback].sent[0]["id"]
    assert _count(SMS_FAILED, provider=primary, reason=reason) == before + 1


@pytest.mark.parametrize("primary", ["aliyun", "tencent"])
def test_a_number_s_own_limit_is_waited_out_never_dodged_through_the_other_provider(
        ctx, monkeypatch, fake_aliyun, fake_tencent, primary):
    """The per-number limit (carriers' anti-spam) is not the provider's problem: the other
    provider is not asked; the same provider sends it on a later attempt."""
    fallback = "tencent" if primary == "aliyun" else "aliyun"
    fakes = configure(ctx, monkeypatch, fake_aliyun, fake_tencent, primary=primary,
                      fallback=fallback)
    fakes[primary].mode = "throttle"
    job = outbox.queue_to_phone(PHONE, Msg(invites.SMS_INVITE, employer="甲", days=7, url="u"))
    db.session.commit()
    jobs.run_pending()
    code = ("isv.BUSINESS_LIMIT_CONTROL" if primary == "aliyun"
            else "LimitExceeded.PhoneNumberThirtySecondLimit")
    assert fakes[primary].refused == [code]
    assert fakes[fallback].sent == [] and fakes[fallback].refused == []
    [row] = deliveries()
    assert (row.status, row.error_code) == ("queued", f"number_throttled:{code}")
    db.session.refresh(job)
    assert job.status == "queued" and job.run_after > utcnow()
    fakes[primary].mode = "ok"
    jobs.execute(jobs.claim("w", utcnow() + timedelta(minutes=1), job_id=job.id))
    assert len(fakes[primary].sent) == 1 and fakes[fallback].sent == []
    assert deliveries()[0].status == "sent"


def test_both_down_is_retried_later_with_growing_backoff(ctx, providers):
    """No provider reachable: the job is retried later, each time later; the log shows the
    error code meanwhile; once a provider is back the message goes out exactly once."""
    providers.aliyun.down()
    providers.tencent.mode = "503"
    job = outbox.queue_to_phone(PHONE, Msg(invites.SMS_INVITE, employer="甲", days=7, url="u"))
    db.session.commit()
    job_id, delays = job.id, []
    for attempt in range(3):
        claimed = jobs.claim("w", utcnow() + timedelta(hours=2) if attempt else None, job_id=job_id)
        started = utcnow()
        assert jobs.execute(claimed) is False
        db.session.refresh(claimed)
        delays.append((claimed.run_after - started).total_seconds())
        [row] = deliveries()
        assert (row.status, row.error_code) == ("queued", "unavailable:ServerNetworkError")
        assert row.attempts == attempt + 1
    assert delays[0] < delays[1] < delays[2]
    providers.aliyun.up()
    jobs.execute(jobs.claim("w", utcnow() + timedelta(hours=3), job_id=job_id))
    assert len(providers.aliyun.sent) == 1 and providers.tencent.sent == []
    [row] = deliveries()
    assert (row.status, row.provider, row.attempts) == ("sent", "aliyun", 4)
    assert jobs.claim("w", utcnow() + timedelta(days=2), job_id=job_id) is None  # done


def test_a_rejected_number_is_final_and_not_sent_elsewhere(ctx, providers):
    job = outbox.queue_to_phone("10000000000", Msg(invites.SMS_INVITE, employer="甲", days=7,
                                                     url="u"))
    db.session.commit()
    jobs.run_pending()
    assert providers.aliyun.refused == ["isv.MOBILE_NUMBER_ILLEGAL"]
    assert providers.tencent.sent == [] and providers.tencent.refused == []
    [row] = deliveries()
    assert (row.status, row.error_code) == ("failed", "rejected:isv.MOBILE_NUMBER_ILLEGAL")
    db.session.refresh(job)
    assert job.status == "done"


@pytest.mark.parametrize("name", ["aliyun", "tencent"])
def test_receipts_update_the_log(client, ctx, monkeypatch, fake_aliyun, fake_tencent, name):
    fakes = configure(ctx, monkeypatch, fake_aliyun, fake_tencent, primary=name, fallback="")
    for phone in (PHONE, "13900001111"):
        outbox.queue_to_phone(phone, Msg(invites.SMS_INVITE, employer="甲", days=7, url="u"))
    db.session.commit()
    jobs.run_pending()
    first, second = fakes[name].sent
    url = f"/sms/receipts/{name}/{CALLBACK_SECRET}"
    body = [*fakes[name].receipt(first["id"], PHONE), *fakes[name].receipt("no-such-id", PHONE),
            *fakes[name].receipt(second["id"], "13900001111", delivered=False)]
    assert client.post(f"/sms/receipts/{name}/wrong-secret", json=body).status_code == 404
    assert {r.status for r in deliveries()} == {"sent"}
    resp = client.post(url, json=body)
    assert resp.status_code == 200
    assert resp.get_json() == ({"code": 0, "msg": "接收成功"} if name == "aliyun"
                               else {"result": 0, "errmsg": "OK"})
    rows = deliveries()
    assert [r.status for r in rows] == ["delivered", "failed"]
    assert rows[1].error_code == "report:MK:0012" and rows[0].reported_at is not None
    bad = client.post(url, data="{not json", content_type="application/json",
                      headers={"Accept": "application/json"})
    assert bad.status_code == 422 and bad.get_json()["fields"] == {"body": "回执格式不正确：应为 JSON 数组"}
    monkeypatch.setitem(ctx.config, "SMS_CALLBACK_SECRET", "")
    assert client.post(url, json=body).status_code == 404  # receipts off


def test_limits_count_each_message_once_across_providers(ctx, providers, monkeypatch):
    """Per number: a code that fell back to the second provider counts once; beyond the
    limit the code is logged as failed with a clear code (the job does not fail)."""
    monkeypatch.setitem(ctx.config, "SMS_NUMBER_LIMIT", "2/hour")
    providers.aliyun.mode = "throttle_account"
    for n in range(3):
        outbox.queue_to_phone(PHONE, Msg(SMS_CODE, code=f"00000{n}", minutes=10))
    db.session.commit()
    jobs.run_pending()
    assert len(providers.tencent.sent) == 2
    rows = deliveries()
    assert [(r.status, r.error_code) for r in rows] == [
        ("sent", None), ("sent", None), ("failed", "limited:number")]
    assert {j.status for j in sms_jobs()} == {"done"}


def test_per_contract_limit_stops_codes_never_the_contract_s_notices(client, world, ctx,
                                                                    providers, monkeypatch):
    """Codes use up SMS_CONTRACT_LIMIT (the request is answered normally, the text not
    sent); the invitation and the notices of the contract are never counted nor dropped."""
    monkeypatch.setitem(ctx.config, "SMS_CONTRACT_LIMIT", "2/day")
    monkeypatch.setitem(ctx.config, "SMS_NUMBER_LIMIT", "3/day")  # the notices: not counted
    created = api_create(client, world["api_key"])
    token = api_send(client, world["api_key"], created["id"])  # the invitation: not counted
    for _ in range(3):  # codes 1 and 2 go out, code 3 is over the limit
        resp = client.post(f"/api/v1/sign/{token}/otp",
                           json={"name": WORKER["name"], "id_number": WORKER["id_number"]})
        assert resp.status_code == 200, resp.get_json()
    contract = db.session.get(Contract, created["id"])
    for text in (Msg(SMS_FILED, employer="甲", number="BA-1", portal="u"),  # all sent
                 Msg(SMS_CERTIFICATE, employer="甲", number="ZM-1", portal="u"),
                 Msg(SMS_WITHDRAWN, employer="甲", contract_no="HT-1")):
        invites.queue_sms(contract, text)
    db.session.commit()
    jobs.run_pending()
    ids = template_ids("SMS_")
    assert [m["template"] for m in providers.aliyun.sent] == [
        ids["invite"], ids["sign_code"], ids["sign_code"], ids["filed"], ids["certificate"],
        ids["withdrawn"]]
    rows = deliveries()
    assert [(r.kind, r.status, r.error_code) for r in rows] == [
        ("invite", "sent", None), ("sign_code", "sent", None), ("sign_code", "sent", None),
        ("sign_code", "failed", "limited:contract"), ("filed", "sent", None),
        ("certificate", "sent", None), ("withdrawn", "sent", None)]


def test_a_number_is_never_plain_in_jobs_log_admin_page_or_logs(client, world, ctx, providers,
                                                               caplog):
    caplog.set_level(logging.DEBUG)
    created = api_create(client, world["api_key"])
    token = api_send(client, world["api_key"], created["id"])
    providers.aliyun.mode = "throttle_account"
    client.post(f"/api/v1/sign/{token}/otp",
                json={"name": WORKER["name"], "id_number": WORKER["id_number"]})
    providers.tencent.down()
    outbox.queue_to_phone(PHONE, Msg(invites.SMS_INVITE, employer="甲", days=7, url="u"))
    db.session.commit()
    jobs.run_pending()
    assert len(providers.aliyun.sent) == 1 and len(providers.tencent.sent) == 1
    payloads = json.dumps([j.payload for j in sms_jobs()], ensure_ascii=False)
    assert PHONE not in payloads and "to_enc" in payloads  # the queued one keeps it encrypted
    assert pii.decrypt(sms_jobs()[-1].payload["to_enc"]) == PHONE
    rows = json.dumps([{c.name: f"{getattr(r, c.name)}" for c in r.__table__.columns}
                       for r in deliveries()], ensure_ascii=False)
    assert PHONE not in rows and MASKED in rows
    login(client, "platform")
    page = client.get("/admin/sms").get_data(as_text=True)
    assert PHONE not in page and MASKED in page and "unavailable:ClientNetworkError" in page
    assert "sign_code" in page and "tencent" in page
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert logged and PHONE not in logged and MASKED in logged
    assert client.get("/admin/sms?status=nonsense").status_code == 200


def test_production_refuses_a_provider_backend_without_credentials(tmp_path):
    from app import create_app
    from app.sms import SmsConfigError
    from config import PRODUCTION_PASSWORD_HASH_METHOD
    from tests.conftest import config_for

    settings = config_for(tmp_path, f"sqlite:///{tmp_path / 'p.db'}", PRODUCTION=True,
                          SECRET_KEY="s" * 40, PII_KEY="p" * 40, CA_KEY_PASSPHRASE="c" * 40,
                          PASSWORD_HASH_METHOD=PRODUCTION_PASSWORD_HASH_METHOD,
                          SMS_BACKEND="aliyun", ALIYUN_SMS_ACCESS_KEY_ID="id")
    with pytest.raises(SmsConfigError, match="ALIYUN_SMS_ACCESS_KEY_SECRET"):
        create_app(settings)
    with pytest.raises(SmsConfigError, match="SMS_BACKEND"):
        create_app({**settings, "PRODUCTION": False, "SMS_BACKEND": "carrier-pigeon"})
