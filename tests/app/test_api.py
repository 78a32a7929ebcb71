"""REST API v1: keys, validation errors, OpenAPI, CA endpoints."""

from __future__ import annotations

from cryptography import x509
from sqlalchemy import func, select

from app.extensions import db
from app.models import Contract
from tests.app.flows import api_create, api_send
from tests.conftest import bearer, contract_payload


def test_missing_and_bad_keys_are_401_json(client, world):
    assert client.post("/api/v1/contracts", json={}).get_json()["error"] == "missing_api_key"
    resp = client.get("/api/v1/contracts/1", headers=bearer("lsk_nope_nope"))
    assert resp.status_code == 401 and resp.get_json()["error"] == "invalid_api_key"


def test_missing_fields_are_listed_and_nothing_is_written(client, world):
    resp = client.post("/api/v1/contracts", json={"worker_name": "张三"},
                       headers=bearer(world["api_key"]))
    body = resp.get_json()
    assert resp.status_code == 422 and body["error"] == "validation_failed"
    assert {"worker_id_number", "worker_phone", "term_start", "post", "monthly_wage"} <= set(
        body["fields"])
    assert db.session.scalar(select(func.count(Contract.id))) == 0


def test_malformed_json_is_422(client, world):
    resp = client.post("/api/v1/contracts", data="{oops", content_type="application/json",
                       headers=bearer(world["api_key"]))
    assert resp.status_code == 422 and resp.get_json()["error"] == "malformed_json"


def test_wage_below_minimum_and_child_labor_are_refused(client, world):
    resp = client.post("/api/v1/contracts", headers=bearer(world["api_key"]), json=contract_payload(
        monthly_wage="1000", probation_months="0", worker_id_number="110105201205010012"))
    fields = resp.get_json()["fields"]
    assert "最低工资" in fields["monthly_wage"] and "16周岁" in fields["worker_id_number"]


def test_contracts_of_other_employers_are_404(client, world, outbox):
    created = api_create(client, world["api_key"])
    for method, path in (("get", ""), ("get", "/pdf"), ("post", "/send")):
        resp = getattr(client, method)(f"/api/v1/contracts/{created['id']}{path}",
                                       headers=bearer(world["api_key_other"]))
        assert resp.status_code == 404, path


def test_create_send_and_read_status(client, world, outbox):
    created = api_create(client, world["api_key"])
    assert created["status"] == "draft" and created["worker"]["id_number"] == "3604**********0071"
    api_send(client, world["api_key"], created["id"])
    status = client.get(f"/api/v1/contracts/{created['id']}", headers=bearer(world["api_key"]))
    body = status.get_json()
    assert body["status"] == "sent" and body["filing"] is None
    assert [s["party"] for s in body["signatures"]] == ["employer"]
    resend = client.post(f"/api/v1/contracts/{created['id']}/send", headers=bearer(world["api_key"]))
    assert resend.status_code == 409 and resend.get_json()["error"] == "not_draft"


def test_openapi_describes_every_route(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    expected = {"/contracts", "/contracts/{contract_id}", "/contracts/{contract_id}/send",
                "/contracts/{contract_id}/pdf", "/sign/{token}/otp", "/sign/{token}/verify",
                "/sign/{token}"}
    assert expected <= set(doc["paths"])
    rules = {r.rule.removeprefix("/api/v1").replace("<int:contract_id>", "{contract_id}")
             .replace("<token>", "{token}") for r in client.application.url_map.iter_rules()
             if r.rule.startswith("/api/v1/") and "openapi" not in r.rule}
    assert rules <= set(doc["paths"]), rules - set(doc["paths"])


def test_root_certificate_is_served(client, ctx):
    resp = client.get("/ca/root.pem")
    cert = x509.load_pem_x509_certificate(resp.data)
    assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    crl = client.get("/ca/crl")
    assert crl.mimetype == "application/pkix-crl"
    assert x509.load_der_x509_crl(crl.data).issuer is not None


def test_unknown_route_is_json_404_under_api(client):
    resp = client.get("/api/v1/nothing-here")
    assert resp.status_code == 404 and resp.get_json()["error"] == "not_found"
