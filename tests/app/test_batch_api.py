"""The batch and list API: a roster as JSON rows checked (problems by row and field, nothing
stored), launched with its warnings acknowledged, followed to the end; the contract list by
cursor; tenants are walls; all of it in the OpenAPI document."""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.models import Batch
from tests.app.flows import api_create
from tests.app.roster_helpers import person
from tests.conftest import bearer, contract_payload


def _rows(n: int) -> list[dict]:
    return [contract_payload(**person(i)) for i in range(n)]


def test_batch_by_api_checked_launched_followed(client, world):
    key = bearer(world["api_key"])
    rows = _rows(3)
    rows[1]["worker_phone"] = "12345"
    rows[2]["post"] = ["钢筋工"]  # a list where the API wants text: named, not coerced
    resp = client.post("/api/v1/batches", json={"rows": rows}, headers=key)
    body = resp.get_json()
    assert resp.status_code == 422 and body["error"] == "roster_invalid", body
    assert {(p["row"], p["field"]) for p in body["problems"]} == {
        (2, "worker_phone"), (3, "post")}
    assert db.session.scalar(select(func.count()).select_from(Batch)) == 0
    db.session.rollback()

    rows = _rows(3)
    rows[0]["term_start"] = "2026-10-01"  # more than a month before today: a warning
    rows[0]["term_end"] = "2028-09-30"
    resp = client.post("/api/v1/batches", json={"rows": rows, "template": "fixed_term"},
                       headers=key)
    batch = resp.get_json()
    assert resp.status_code == 201 and batch["status"] == "ready", batch
    assert batch["warnings"][0]["rule"] == "LCL82.written_within_month"
    assert batch["warnings"][0]["rows"] == [1]
    assert person(0)["worker_id_number"] not in str(batch)
    url = f"/api/v1/batches/{batch['id']}"
    resp = client.post(url + "/launch", headers=key)
    assert resp.status_code == 409 and resp.get_json()["error"] == "warnings_not_acknowledged"
    resp = client.post(url + "/launch", json={
        "acknowledged_rules": ["LCL82.written_within_month"]}, headers=key)
    assert resp.status_code == 202 and resp.get_json()["status"] == "running"
    assert client.post(url + "/launch", json={}, headers=key).status_code == 409
    for _ in range(20):
        batch = client.get(url, headers=key).get_json()
        if batch["status"] == "done":
            break
    assert (batch["done"], batch["failed"], batch["percent"]) == (3, 0, 100)
    assert all(r["contract_no"].startswith("HT") and r["status"] == "done" for r in batch["rows"])
    contract = client.get(f"/api/v1/contracts/{batch['rows'][0]['contract_id']}",
                          headers=key).get_json()
    assert contract["status"] == "sent" and contract["warnings"][0]["acknowledged_by"]
    resp = client.post(url + "/retry", headers=key)
    assert resp.status_code == 409 and resp.get_json()["error"] == "nothing_to_retry"
    # the other employer's key: no such batch
    other = bearer(world["api_key_other"])
    assert client.get(url, headers=other).status_code == 404
    assert client.post(url + "/retry", headers=other).status_code == 404


def test_rows_that_are_not_objects_and_empty_rosters(client, world):
    key = bearer(world["api_key"])
    resp = client.post("/api/v1/batches", json={"rows": []}, headers=key)
    assert resp.status_code == 422 and "rows" in resp.get_json()["fields"]
    resp = client.post("/api/v1/batches", json={"rows": [contract_payload(**person(0)), 7]},
                       headers=key)
    assert resp.status_code == 422
    resp = client.post("/api/v1/batches", json={"rows": [contract_payload(**person(0))],
                                                "template": "no_such_kind"}, headers=key)
    assert resp.status_code == 422 and "template" in resp.get_json()["fields"]


def test_contract_list_by_cursor_newest_first_and_tenant_walled(client, world):
    key = bearer(world["api_key"])
    made = [api_create(client, world["api_key"], **person(i))["id"] for i in range(5)]
    api_create(client, world["api_key_other"], **person(9))
    seen, cursor, pages = [], None, 0
    while True:
        query = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/v1/contracts", query_string=query, headers=key).get_json()
        seen += [c["id"] for c in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(made, reverse=True) and pages == 3
    other = client.get("/api/v1/contracts", headers=bearer(world["api_key_other"])).get_json()
    assert len(other["items"]) == 1 and not set(made) & {c["id"] for c in other["items"]}
    page = client.get("/api/v1/contracts", query_string={"worker": "工人003"},
                      headers=key).get_json()
    assert [c["worker"]["name"] for c in page["items"]] == ["工人003"]
    resp = client.get("/api/v1/contracts", query_string={"status": "bogus"}, headers=key)
    assert resp.status_code == 422 and "status" in resp.get_json()["fields"]
    resp = client.get("/api/v1/contracts", query_string={"limit": 0}, headers=key)
    assert resp.status_code == 422 and "limit" in resp.get_json()["fields"]


def test_openapi_documents_batches_and_the_list(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert {"post"} <= set(doc["paths"]["/api/v1/batches"])
    assert "get" in doc["paths"]["/api/v1/contracts"]
    params = {p["name"] for p in doc["paths"]["/api/v1/contracts"]["get"]["parameters"]}
    assert {"cursor", "limit", "status"} <= params and "id_number" not in params
    assert "/api/v1/batches/{batch_id}/launch" in doc["paths"]
