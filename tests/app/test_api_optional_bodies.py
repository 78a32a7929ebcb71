"""API actions whose body is optional (send, launch) or unused (resend, retry, renewal,
webhook disable and replay) and void (reason required): a body that is sent must be a JSON
object. ``[`` and other malformed bodies answer 422 ``malformed_json`` and change nothing;
no body at all still works where the body is optional."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, Batch, Contract, Job, WebhookDelivery, WebhookEndpoint
from tests.app.flows import api_create, api_send
from tests.app.roster_helpers import person
from tests.conftest import bearer, contract_payload

MALFORMED = [("[", "application/json"), ("[]", "application/json"), ("{", "application/json"),
             ("null", "application/json"), ('"x"', "application/json"),
             ("{}", "text/plain")]


def _state() -> tuple:
    """Everything an action could have changed."""
    db.session.rollback()
    counts = tuple(db.session.scalar(select(func.count()).select_from(m)) for m in (
        Contract, AuditEvent, Job, WebhookDelivery))
    statuses = tuple(db.session.execute(select(Contract.id, Contract.status).order_by(
        Contract.id)).all())
    batches = tuple(db.session.execute(select(Batch.id, Batch.status)).all())
    hooks = tuple(db.session.execute(select(WebhookEndpoint.id, WebhookEndpoint.active)).all())
    return counts, statuses, batches, hooks


def _refused(client, world, url: str, body: str, content_type: str) -> None:
    before = _state()
    resp = client.post(url, data=body, content_type=content_type,
                       headers={**bearer(world["api_key"]), "Accept-Language": "en"})
    assert resp.status_code == 422, (url, body, resp.get_json())
    assert resp.get_json()["error"] == "malformed_json" and "JSON object" in \
        resp.get_json()["message"]
    assert _state() == before, (url, body)


@pytest.mark.parametrize("body,content_type", MALFORMED)
def test_send_with_a_malformed_body_sends_nothing(client, world, outbox, body, content_type):
    contract = api_create(client, world["api_key"])
    _refused(client, world, f"/api/v1/contracts/{contract['id']}/send", body, content_type)
    assert outbox.messages() == []
    assert api_send(client, world["api_key"], contract["id"])  # no body: still sends


def test_launch_with_a_malformed_body_runs_nothing(client, world):
    key = bearer(world["api_key"])
    batch = client.post("/api/v1/batches", json={"rows": [contract_payload(**person(i))
                                                          for i in range(2)]},
                        headers=key).get_json()
    url = f"/api/v1/batches/{batch['id']}"
    for body, content_type in MALFORMED:
        _refused(client, world, url + "/launch", body, content_type)
    assert db.session.get(Batch, batch["id"]).status == "ready"
    _refused(client, world, url + "/retry", "[", "application/json")
    resp = client.post(url + "/launch", headers=key)  # no body: launches
    assert resp.status_code == 202 and resp.get_json()["status"] in ("running", "done")


def test_void_resend_renewal_with_a_malformed_body_change_nothing(client, world, outbox):
    key = world["api_key"]
    draft = api_create(client, key)
    _refused(client, world, f"/api/v1/contracts/{draft['id']}/void", "[", "application/json")
    _refused(client, world, f"/api/v1/contracts/{draft['id']}/renewal", "[", "application/json")
    sent = api_create(client, key, worker_id_number="11010519491231002X")
    api_send(client, key, sent["id"])
    texts = len(outbox.messages())
    _refused(client, world, f"/api/v1/contracts/{sent['id']}/resend", "[", "application/json")
    assert len(outbox.messages()) == texts
    resp = client.post(f"/api/v1/contracts/{sent['id']}/resend", headers=bearer(key))
    assert resp.status_code == 200  # no body: resends
    resp = client.post(f"/api/v1/contracts/{draft['id']}/void", json={"reason": "录入错误"},
                       headers=bearer(key))
    assert resp.status_code == 200 and resp.get_json()["status"] == "voided"


def test_webhook_disable_and_replay_with_a_malformed_body_change_nothing(client, world):
    key = bearer(world["api_key"])
    created = client.post("/api/v1/webhooks", json={"url": "http://127.0.0.1:9/hook",
                                                   "events": ["contract.voided"]},
                          headers=key).get_json()
    contract = api_create(client, world["api_key"])
    client.post(f"/api/v1/contracts/{contract['id']}/void", json={"reason": "录入错误"},
                headers=key)
    delivery = db.session.scalar(select(WebhookDelivery))
    url = f"/api/v1/webhooks/{created['id']}"
    _refused(client, world, f"{url}/deliveries/{delivery.id}/replay", "[", "application/json")
    _refused(client, world, f"{url}/disable", "[", "application/json")
    resp = client.post(f"{url}/disable", headers=key)
    assert resp.status_code == 200 and resp.get_json()["active"] is False
