"""Webhooks against a local HTTP server started by the test: an admin registers an endpoint
(the secret shown once, kept encrypted), the events of a contract's life arrive signed with
HMAC-SHA256 over timestamp + body, a failing receiver is retried with backoff and the log
shows each answer, 24 hours end the retries, replay sends the same event again, bad and
private URLs are refused by name."""

from __future__ import annotations

import json
import re
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Job, WebhookDelivery, WebhookEndpoint
from app.models.base import utcnow
from app.services.platform import jobs, webhook_delivery
from tests.app.flows import api_create, api_send, worker_session, worker_sign
from tests.conftest import WORKER, bearer, csrf_token, login


class Receiver:
    """An HR system's webhook endpoint: records each request, answers the queued codes."""

    def __init__(self):
        self.requests: list[dict] = []
        self.codes: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append({"headers": {k.lower(): v for k, v in self.headers.items()},
                                          "body": body})
                self.send_response(receiver.codes.pop(0) if receiver.codes else 200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/laborsign"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def events(self) -> list[str]:
        return [json.loads(r["body"])["event"] for r in self.requests]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


EVENTS = ["contract.sent", "contract.signed", "contract.filed", "contract.voided",
          "batch.completed"]


def _register(client, url: str, events=EVENTS) -> tuple[int, str]:
    login(client, "admin")
    page = client.get("/account/webhooks").get_data(as_text=True)
    resp = client.post("/account/webhooks", data={"csrf_token": csrf_token(page), "url": url,
                                                  "events": events})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 201, html
    secret = re.search(r'id="new-secret">(whsec_[^<]+)<', html).group(1)
    endpoint = db.session.scalar(select(WebhookEndpoint))
    assert secret not in endpoint.secret_enc  # encrypted at rest
    assert secret not in client.get("/account/webhooks").get_data(as_text=True)  # shown once
    db.session.rollback()
    return endpoint.id, secret


def test_a_contract_life_arrives_signed_and_verifiable(client, world, outbox, receiver):
    endpoint_id, secret = _register(client, receiver.url)
    contract = api_create(client, world["api_key"])
    token = api_send(client, world["api_key"], contract["id"])
    worker_sign(client, token, worker_session(client, outbox, token))
    jobs.run_pending(limit=50)  # filing, then its webhook
    assert receiver.events() == ["contract.sent", "contract.signed", "contract.filed"]
    for request in receiver.requests:
        headers, body = request["headers"], request["body"]
        assert webhook_delivery.verify(secret, headers["x-laborsign-signature"], body)
        assert not webhook_delivery.verify(secret, headers["x-laborsign-signature"], body + b" ")
        assert not webhook_delivery.verify("whsec_wrong", headers["x-laborsign-signature"], body)
        data = json.loads(body)
        assert data["data"]["contract_no"] == contract["contract_no"]
        assert headers["x-laborsign-event"] == data["event"]
        assert WORKER["id_number"] not in body.decode() and WORKER["phone"] not in body.decode()
    filed = json.loads(receiver.requests[-1]["body"])["data"]
    assert filed["status"] == "filed" and filed["filing_number"]
    # the signature is over timestamp + body: an old one is refused as a replay
    t = int(re.search(r"t=(\d+)", receiver.requests[0]["headers"]["x-laborsign-signature"])[1])
    assert not webhook_delivery.verify(secret, receiver.requests[0]["headers"][
        "x-laborsign-signature"], receiver.requests[0]["body"], now=t + 301)
    log = client.get(f"/account/webhooks/{endpoint_id}").get_data(as_text=True)
    assert log.count('data-status="delivered"') == 3


def test_a_failing_receiver_is_retried_with_backoff_and_replayed(client, world, receiver):
    endpoint_id, _ = _register(client, receiver.url)
    contract = api_create(client, world["api_key"])
    receiver.codes = [500, 503]
    client.post(f"/api/v1/contracts/{contract['id']}/void", json={"reason": "录入错误"},
                headers=bearer(world["api_key"]))
    delivery = db.session.scalar(select(WebhookDelivery))
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("pending", 1, 500)
    retry = db.session.scalar(select(Job).where(Job.kind == "webhook", Job.status == "queued"))
    assert timedelta(seconds=25) < retry.run_after - utcnow() <= timedelta(seconds=30)
    assert jobs.run_pending() == 0  # not due yet
    for expected in (503, 200):
        db.session.get(Job, retry.id).run_after = utcnow() - timedelta(seconds=1)
        db.session.commit()
        assert jobs.run_pending() == 1
        assert db.session.scalar(select(WebhookDelivery)).log[-1]["code"] == expected
        retry = db.session.scalar(select(Job).where(Job.kind == "webhook", Job.status == "queued"))
    delivery = db.session.scalar(select(WebhookDelivery))
    assert delivery.status == "delivered" and [a["code"] for a in delivery.log] == [500, 503, 200]
    assert retry is None
    log = client.get(f"/account/webhooks/{endpoint_id}").get_data(as_text=True)
    assert "500 → 503 → 200" in log
    assert len({r["body"] for r in receiver.requests}) == 1  # the same signed event each time

    page = log
    resp = client.post(f"/account/webhooks/{endpoint_id}/deliveries/{delivery.id}/replay",
                       data={"csrf_token": csrf_token(page)})
    assert resp.status_code == 302 and len(receiver.requests) == 4
    assert json.loads(receiver.requests[-1]["body"])["id"] == json.loads(
        receiver.requests[0]["body"])["id"]  # the event id is kept: the receiver can dedupe
    replayed = db.session.scalar(select(WebhookDelivery).order_by(WebhookDelivery.id.desc()))
    assert replayed.replay_of == delivery.id and replayed.status == "delivered"


def test_retries_end_after_a_day_and_a_disabled_endpoint_gets_nothing(client, world, receiver):
    endpoint_id, _ = _register(client, receiver.url)
    receiver.codes = [500]
    contract = api_create(client, world["api_key"])
    client.post(f"/api/v1/contracts/{contract['id']}/void", json={"reason": "录入错误"},
                headers=bearer(world["api_key"]))
    delivery = db.session.scalar(select(WebhookDelivery))
    delivery.created_at = utcnow() - timedelta(hours=23, minutes=59, seconds=50)
    db.session.get(Job, db.session.scalar(select(Job.id).where(
        Job.kind == "webhook", Job.status == "queued"))).run_after = utcnow()
    receiver.codes = [500]
    db.session.commit()
    jobs.run_pending()
    delivery = db.session.scalar(select(WebhookDelivery))
    assert delivery.status == "failed" and delivery.attempts == 2
    assert db.session.scalar(select(Job).where(Job.kind == "webhook", Job.status == "queued")) \
        is None
    db.session.rollback()
    page = client.get("/account/webhooks").get_data(as_text=True)
    client.post(f"/account/webhooks/{endpoint_id}/disable", data={"csrf_token": csrf_token(page)})
    other = api_create(client, world["api_key"], worker_id_number="11010519491231002X")
    client.post(f"/api/v1/contracts/{other['id']}/void", json={"reason": "录入错误"},
                headers=bearer(world["api_key"]))
    assert len(receiver.requests) == 2
    assert db.session.scalar(select(WebhookDelivery).order_by(WebhookDelivery.id.desc())).id \
        == delivery.id


def test_batch_completed_is_told(client, world, receiver):
    from tests.app.roster_helpers import person
    from tests.conftest import contract_payload

    _register(client, receiver.url, ["batch.completed"])
    key = bearer(world["api_key"])
    batch = client.post("/api/v1/batches", json={"rows": [contract_payload(**person(i))
                                                          for i in range(2)]},
                        headers=key).get_json()
    client.post(f"/api/v1/batches/{batch['id']}/launch", headers=key)
    while client.get(f"/api/v1/batches/{batch['id']}", headers=key).get_json()["status"] != "done":
        pass
    jobs.run_pending()
    assert receiver.events() == ["batch.completed"]
    data = json.loads(receiver.requests[0]["body"])["data"]
    assert data == {"batch_id": batch["id"], "total": 2, "done": 2, "failed": 0}


@pytest.mark.parametrize("url,events,field,says", [
    ("ftp://example.com/x", ["contract.sent"], "url", "http:// 或 https://"),
    ("", ["contract.sent"], "url", "http:// 或 https://"),
    ("https://example.com/" + "x" * 500, ["contract.sent"], "url", "最多 500 字符"),
    ("https://example.com/hook", [], "events", "请至少选择一个事件"),
    ("https://example.com/hook", ["contract.deleted"], "events", "未知的事件"),
])
def test_bad_settings_are_named_and_kept(client, world, url, events, field, says):
    login(client, "admin")
    page = client.get("/account/webhooks").get_data(as_text=True)
    resp = client.post("/account/webhooks", data={"csrf_token": csrf_token(page), "url": url,
                                                  "events": events})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and f'id="err-{field}"' in html and says in html
    assert db.session.scalar(select(WebhookEndpoint)) is None


def test_private_addresses_are_refused_outside_tests_and_demos(client, world):
    client.application.config["WEBHOOK_ALLOW_PRIVATE"] = False
    try:
        login(client, "admin")
        for url in ("http://127.0.0.1:8080/hook", "http://10.0.0.5/hook",
                    "http://169.254.169.254/latest/meta-data", "http://[::1]/hook"):
            page = client.get("/account/webhooks").get_data(as_text=True)
            resp = client.post("/account/webhooks", data={
                "csrf_token": csrf_token(page), "url": url, "events": ["contract.sent"]})
            assert resp.status_code == 422 and "内网或本机" in resp.get_data(as_text=True), url
    finally:
        client.application.config["WEBHOOK_ALLOW_PRIVATE"] = True


def test_a_link_that_runs_out_unsigned_is_told_once(client, world, receiver):
    from app.models import AuditEvent, SigningLink
    from app.services.worker_signing import link_expiry

    _register(client, receiver.url, ["contract.expired"])
    contract = api_create(client, world["api_key"])
    api_send(client, world["api_key"], contract["id"])
    assert link_expiry.report_expired() == 0  # the link still runs
    db.session.scalar(select(SigningLink)).expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert link_expiry.report_expired() == 1
    assert link_expiry.report_expired() == 0  # a second run (or host) tells nothing more
    jobs.run_pending()
    assert receiver.events() == ["contract.expired"]
    data = json.loads(receiver.requests[0]["body"])["data"]
    assert data["contract_no"] == contract["contract_no"] and data["status"] == "sent"
    trail = db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.contract_id == contract["id"])).all()
    assert trail.count("contract.link_expired") == 1
    db.session.rollback()
    # renewed from the contract page: the new link runs, nothing to tell
    assert client.post(f"/api/v1/contracts/{contract['id']}/resend",
                       headers=bearer(world["api_key"])).status_code == 200
    assert link_expiry.report_expired() == 0


def test_webhooks_by_api_and_the_register(client, world, outbox, receiver):
    key, other = bearer(world["api_key"]), bearer(world["api_key_other"])
    resp = client.post("/api/v1/webhooks", json={"url": "ftp://x", "events": []}, headers=key)
    assert resp.status_code == 422 and {"url", "events"} <= set(resp.get_json()["fields"])
    resp = client.post("/api/v1/webhooks", json={"url": receiver.url,
                                                "events": ["contract.sent"]}, headers=key)
    created = resp.get_json()
    assert resp.status_code == 201 and created["secret"].startswith("whsec_")
    listed = client.get("/api/v1/webhooks", headers=key).get_json()["items"]
    assert [e["id"] for e in listed] == [created["id"]] and "secret" not in listed[0]
    assert client.get("/api/v1/webhooks", headers=other).get_json()["items"] == []
    contract = api_create(client, world["api_key"])
    api_send(client, world["api_key"], contract["id"])
    url = f"/api/v1/webhooks/{created['id']}/deliveries"
    items = client.get(url, headers=key).get_json()["items"]
    assert [(d["event"], d["status"], d["response_code"]) for d in items] == [
        ("contract.sent", "delivered", 200)]
    assert client.get(url, headers=other).status_code == 404
    resp = client.post(f"{url}/{items[0]['id']}/replay", headers=key)
    assert resp.status_code == 202 and resp.get_json()["event_id"] == items[0]["event_id"]
    assert client.post(f"{url}/{items[0]['id']}/replay", headers=other).status_code == 404
    assert len(receiver.requests) == 2
    resp = client.post(f"/api/v1/webhooks/{created['id']}/disable", headers=key)
    assert resp.status_code == 200 and resp.get_json()["active"] is False

    # the register: the signed contract's worker is on it, masked
    signed = api_create(client, world["api_key"], worker_id_number="11010519491231002X",
                        worker_phone="13900001111", worker_name="李四")
    token = api_send(client, world["api_key"], signed["id"])
    resp = client.post(f"/api/v1/sign/{token}/otp", json={"name": "李四",
                                                         "id_number": "11010519491231002X"})
    code = outbox.last_code("13900001111")
    session = client.post(f"/api/v1/sign/{token}/verify", json={"code": code}).get_json()
    assert worker_sign(client, token, session["session"]).status_code == 200
    resp = client.get("/api/v1/register", query_string={"as_of": "2026-12-31"}, headers=key)
    body = resp.get_json()
    assert resp.status_code == 200 and body["as_of"] == "2026-12-31"
    assert [r[0] for r in body["rows"]] == ["李四"] and "身份证号码（脱敏）" in body["headers"]
    assert "11010519491231002X" not in str(body) and "13900001111" not in str(body)
    assert client.get("/api/v1/register", headers=other).get_json()["rows"] == []
    resp = client.get("/api/v1/register/file", headers=key)
    assert resp.status_code == 200 and resp.mimetype.endswith("spreadsheetml.sheet")
    resp = client.get("/api/v1/register/file", query_string={"format": "pdf"}, headers=key)
    assert resp.status_code == 200 and resp.data.startswith(b"%PDF")
    resp = client.get("/api/v1/register", query_string={"as_of": "2026-02-30"}, headers=key)
    assert resp.status_code == 422 and "as_of" in resp.get_json()["fields"]
