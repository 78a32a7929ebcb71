"""Lifecycle documents are not labor contracts: overlap, the expiring list and renewal see the
contract only; a terminated contract counts up to its last working day."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.domain.expiry import today_in_beijing
from app.extensions import db
from app.models import Contract
from tests.app.flows import in_force
from tests.app.test_lifecycle_chain import _filed, _sign_document
from tests.conftest import bearer, contract_payload

pytestmark = pytest.mark.usefixtures("fixed_today")


@pytest.fixture
def fixed_today(monkeypatch):
    from datetime import date

    from app.services.lifecycle import termination

    monkeypatch.setattr(termination, "today_in_beijing", lambda: date(2026, 12, 2))


def test_overlap_ignores_amendments_and_ends_a_terminated_contract_on_its_last_day(
        client, world, outbox):
    key = bearer(world["api_key"])
    contract_id = _filed(client, world, outbox)
    resp = client.post(f"/api/v1/contracts/{contract_id}/amendments", headers=key, json={
        "changes": {"post": "木工"}, "effective_from": "2026-12-10"})
    _sign_document(client, outbox, resp.get_json())  # filed, its terms run to 2028-11-30
    resp = client.post(f"/api/v1/contracts/{contract_id}/termination", headers=key, json={
        "ground": "art36", "last_working_day": "2026-12-20"})
    _sign_document(client, outbox, resp.get_json())
    assert db.session.get(Contract, contract_id).status == "terminated"

    # the day after the last working day is free (the filed amendment is no contract) ...
    after = client.post("/api/v1/contracts", headers=key, json=contract_payload(
        term_start="2026-12-21", term_end="2027-12-20", probation_months="0"))
    assert after.status_code == 201, after.get_json()
    # ... the last working day itself is not
    db.session.get(Contract, after.get_json()["id"]).status = "voided"
    db.session.commit()
    on_last = client.post("/api/v1/contracts", headers=key, json=contract_payload(
        term_start="2026-12-20", term_end="2027-12-20", probation_months="0"))
    assert on_last.status_code == 422
    assert "term_start" in on_last.get_json()["fields"]


def test_expiring_list_and_renewal_api_see_the_contract_not_its_amendment(client, world):
    key = bearer(world["api_key"])
    today = today_in_beijing()
    contract = in_force(client, world, today + timedelta(days=10))
    resp = client.post(f"/api/v1/contracts/{contract.id}/amendments", headers=key, json={
        "changes": {"post": "木工"}, "effective_from": contract.terms["term_start"]})
    assert resp.status_code == 201, resp.get_json()
    amendment = db.session.get(Contract, resp.get_json()["id"])
    amendment.status = "filed"  # as if signed: its terms end on the same day
    db.session.commit()

    listed = client.get("/api/v1/contracts/expiring", headers=key).get_json()["contracts"]
    assert [c["id"] for c in listed] == [contract.id]
    assert listed[0]["days_left"] == 10 and listed[0]["renewal_id"] is None

    first = client.post(f"/api/v1/contracts/{contract.id}/renewal", headers=key)
    assert first.status_code == 201, first.get_json()
    assert first.get_json()["status"] == "draft"
    assert first.get_json()["terms"]["probation_months"] == 0
    again = client.post(f"/api/v1/contracts/{contract.id}/renewal", headers=key)
    assert again.status_code == 200 and again.get_json()["id"] == first.get_json()["id"]
    assert client.post(f"/api/v1/contracts/{amendment.id}/renewal", headers=key).status_code == 409
    listed = client.get("/api/v1/contracts/expiring", headers=key).get_json()["contracts"]
    assert listed[0]["renewal_id"] == first.get_json()["id"]
    # another employer sees none of it
    other = bearer(world["api_key_other"])
    assert client.get("/api/v1/contracts/expiring", headers=other).get_json()["contracts"] == []
    assert client.post(f"/api/v1/contracts/{contract.id}/renewal", headers=other).status_code == 404


def test_employer_list_shows_contracts_not_documents(client, world):
    key = bearer(world["api_key"])
    contract = in_force(client, world, today_in_beijing() + timedelta(days=200))
    resp = client.post(f"/api/v1/contracts/{contract.id}/amendments", headers=key, json={
        "changes": {"monthly_wage": "6500"}, "effective_from": contract.terms["term_start"]})
    assert resp.status_code == 201, resp.get_json()
    from tests.conftest import login

    hr = client.application.test_client()
    login(hr, "hr")
    html = hr.get("/employer/contracts").get_data(as_text=True)
    assert contract.contract_no in html and resp.get_json()["contract_no"] not in html
