"""REST API v1: keys, validation errors, OpenAPI, CA endpoints."""

from __future__ import annotations

import re

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


def _api_routes(app, endpoint_prefix: str = "api.") -> set[tuple[str, str]]:
    """(OpenAPI path, method) of every /api/v1 route but the document itself."""
    return {(re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule), method)
            for rule in app.url_map.iter_rules()
            if rule.endpoint.startswith(endpoint_prefix) and rule.endpoint != "api.openapi"
            for method in rule.methods - {"HEAD", "OPTIONS"}}


def test_openapi_describes_every_route(client):
    resp = client.get("/api/v1/openapi.json")  # public: no key
    doc = resp.get_json()
    assert resp.status_code == 200 and doc["openapi"].startswith("3.1")
    operations = {(path, method.upper()): op for path, item in doc["paths"].items()
                  for method, op in item.items()}
    assert set(operations) == _api_routes(client.application)
    assert ("/api/v1/sign/{token}/otp", "POST") in operations
    schemas = doc["components"]["schemas"]
    for (path, method), op in operations.items():
        assert op["summary"] and op["operationId"], path
        ok = next(code for code in op["responses"] if code.startswith("2"))
        content = op["responses"][ok]["content"]
        assert "application/pdf" in content if path.endswith("/pdf") else content, path
        for code, answer in op["responses"].items():
            if code >= "400":
                ref = answer["content"]["application/json"]["schema"]["$ref"]
                # with the problems by row (a roster) or by record (a feed's push)
                roster = code == "422" and path in (
                    "/api/v1/batches", "/api/v1/feeds/attendance", "/api/v1/feeds/payments")
                assert ref == "#/components/schemas/" + (
                    "RosterErrorOut" if roster else "ErrorOut"), (path, code)
        if method == "POST" and not path.endswith(
                ("/send", "/resend", "/renewal", "/retry", "/disable", "/replay")):
            ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
            assert schemas[ref.rsplit("/", 1)[1]]["additionalProperties"] is False
        expected = [{"apiKey": []}] if path.startswith(
            ("/api/v1/contracts", "/api/v1/templates", "/api/v1/batches", "/api/v1/webhooks",
             "/api/v1/register", "/api/v1/projects")) else None
        if path.startswith("/api/v1/bureau/"):  # a bureau system's key, not an employer's
            assert op["security"] == [{"bureauKey": []}], path
        elif expected:
            assert op["security"] == expected, path
        else:
            assert {"apiKey": []} not in op.get("security", []), path
    wage = schemas["ContractIn"]["properties"]["monthly_wage"]["anyOf"]
    assert {"string", "number"} == {branch["type"] for branch in wage}


def test_every_employer_route_checks_the_key_before_anything_else(client, world):
    routes = _api_routes(client.application, "api.employer.")
    # 7 for the contract and the list, 5 for its life after signing, 2 for the templates,
    # 4 for batches, 5 for webhooks, 2 for the register, 1 for the projects
    assert len(routes) == 27
    for path, method in routes:
        url = re.sub(r"\{\w+\}", "1", path)
        for headers, code in (({}, "missing_api_key"), (bearer("lsk_nope_nope"), "invalid_api_key"),
                              (bearer("lsk_a\x00_b"), "invalid_api_key"),
                              ({"Authorization": "Basic eDp5"}, "missing_api_key")):
            resp = client.open(url, method=method, headers=headers, json={"reason": 1})
            assert resp.status_code == 401 and resp.get_json()["error"] == code, (path, headers)
    # The worker's routes are authenticated by the link instead: an unknown link is a 404.
    resp = client.post("/api/v1/sign/unknown/otp", json={"name": "张三", "id_number": "1"})
    assert resp.status_code == 404 and resp.get_json()["error"] == "link_not_found"


def test_audit_trail_names_the_api_key(client, world, outbox):
    from app.models import ApiKey, AuditEvent

    created = api_create(client, world["api_key"])
    key_id = db.session.scalar(select(ApiKey.id).where(ApiKey.organization_id == world["org"].id))
    actors = set(db.session.scalars(select(AuditEvent.actor).where(
        AuditEvent.contract_id == created["id"])))
    assert actors == {f"api:{key_id}"}


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


def test_answers_are_the_same_without_runtime_response_checks(client, world, outbox, monkeypatch):
    """Production does not re-validate answers (the tests do): same JSON, same PDF."""
    created = api_create(client, world["api_key"])
    url = f"/api/v1/contracts/{created['id']}"
    answers = []
    for validate in (True, False):
        monkeypatch.setitem(client.application.config, "API_VALIDATE_RESPONSES", validate)
        summary = client.get(url, headers=bearer(world["api_key"]))
        pdf = client.get(f"{url}/pdf", headers=bearer(world["api_key"]))
        assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
        assert pdf.headers.getlist("Content-Type") == ["application/pdf"]
        assert pdf.headers["Cache-Control"] == "private, no-store"
        answers.append((summary.get_json(), pdf.data, pdf.headers["X-Content-SHA256"]))
    assert answers[0] == answers[1] and answers[0][1].startswith(b"%PDF")
