"""The rule engine through the real services and HTTP, on SQLite and PostgreSQL: facts from
the database (the pair's other contracts, the minimum-wage table), acknowledgements of
warnings in the audit trail, the rule list, the minimum-wage admin pages."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from app.extensions import db
from app.models import Contract, MinimumWage
from app.services.platform import audit
from app.services.standards import minimum_wages
from tests.app.flows import api_create, api_send, worker_session, worker_sign
from tests.conftest import bearer, contract_payload, csrf_token, login

LATE = {"term_start": "2026-10-01", "term_end": "2028-09-30"}  # 2 months before RULES_TODAY
LATE_RULE = "LCL82.written_within_month"


def _create(client, key, **overrides):
    return client.post("/api/v1/contracts", json=contract_payload(**overrides),
                       headers=bearer(key))


def _acknowledgements(contract_id: int) -> list:
    return [e for e in audit.trail(contract_id) if e.action == "rules.acknowledged"]


def test_api_returns_warnings_and_send_needs_their_acknowledgement(client, world, outbox):
    key = world["api_key"]
    created = api_create(client, key, **LATE)
    [warning] = created["warnings"]
    assert warning["rule"] == LATE_RULE and warning["severity"] == "warning"
    assert warning["acknowledged_by"] is None and warning["field"] == "term_start"
    assert "二倍工资" in warning["message"] and "6200.00元" in warning["message"]
    refused = client.post(f"/api/v1/contracts/{created['id']}/send", headers=bearer(key))
    body = refused.get_json()
    assert refused.status_code == 409 and body["error"] == "warnings_not_acknowledged"
    assert [r["rule"] for r in body["rules"]] == [LATE_RULE] and "term_start" in body["fields"]
    assert db.session.get(Contract, created["id"]).status == "draft"
    assert _acknowledgements(created["id"]) == []
    sent = client.post(f"/api/v1/contracts/{created['id']}/send", headers=bearer(key),
                       json={"acknowledged_rules": [LATE_RULE]})
    assert sent.status_code == 200, sent.get_json()
    [ack] = sent.get_json()["warnings"]
    api_actor = ack["acknowledged_by"]
    assert api_actor.startswith("api:") and ack["acknowledged_at"]
    [event] = _acknowledgements(created["id"])
    assert event.actor == api_actor and event.details["by"] == api_actor
    assert event.details["rules"][0]["rule"] == LATE_RULE
    assert audit.verify_chain(audit.trail(created["id"]))


def test_warnings_acknowledged_on_creation_let_the_contract_be_sent(client, world, outbox):
    key = world["api_key"]
    created = api_create(client, key, acknowledged_rules=[LATE_RULE], **LATE)
    assert created["warnings"][0]["acknowledged_by"].startswith("api:")
    api_send(client, key, created["id"])  # no body: nothing left to acknowledge
    assert len(_acknowledgements(created["id"])) == 1


def test_warnings_in_english(client, world):
    resp = client.post("/api/v1/contracts", json=contract_payload(**LATE),
                       headers={**bearer(world["api_key"]), "Accept-Language": "en"})
    [warning] = resp.get_json()["warnings"]
    assert "double pay" in warning["message"] and warning["article"].startswith("Labor Contract")


def test_acknowledgement_lapses_when_the_figures_change(client, world, outbox, monkeypatch):
    from app.services.contracts import rules

    key = world["api_key"]
    created = api_create(client, key, acknowledged_rules=[LATE_RULE], **LATE)
    monkeypatch.setattr(rules, "today", lambda: date(2026, 12, 20))  # more double pay owed
    refused = client.post(f"/api/v1/contracts/{created['id']}/send", headers=bearer(key))
    assert refused.status_code == 409 and "warnings_not_acknowledged" in refused.get_data(
        as_text=True)


def test_form_asks_for_acknowledgement_before_saving(client, world):
    login(client, "hr")
    page = client.get("/employer/contracts/new").get_data(as_text=True)
    form = {**contract_payload(**LATE), "csrf_token": csrf_token(page)}
    asked = client.post("/employer/contracts/new", data=form)
    html = asked.get_data(as_text=True)
    assert asked.status_code == 409 and "二倍工资" in html
    assert f'name="ack" value="{LATE_RULE}"' in html and 'value="钢筋工"' in html
    assert db.session.scalar(select(func.count()).select_from(Contract)) == 0
    saved = client.post("/employer/contracts/new", data={**form, "ack": LATE_RULE})
    assert saved.status_code == 302
    contract = db.session.scalars(select(Contract)).one()
    [event] = _acknowledgements(contract.id)
    hr_id = db.session.scalar(select(Contract.created_by_id))
    assert event.actor == f"user:{hr_id}"
    detail = client.get(f"/employer/contracts/{contract.id}").get_data(as_text=True)
    assert "王人事" in detail and f"user:{hr_id}" not in detail and 'name="ack"' not in detail


def test_form_send_with_a_new_warning_asks_for_it(client, world, outbox, monkeypatch):
    from app.services.contracts import rules

    created = api_create(client, world["api_key"])
    assert created["warnings"] == []
    monkeypatch.setattr(rules, "today", lambda: date(2027, 1, 15))  # the draft waited
    login(client, "hr")
    page = client.get(f"/employer/contracts/{created['id']}").get_data(as_text=True)
    token = csrf_token(page)
    refused = client.post(f"/employer/contracts/{created['id']}/send",
                          data={"csrf_token": token})
    assert refused.status_code == 409 and f'value="{LATE_RULE}"' in refused.get_data(as_text=True)
    sent = client.post(f"/employer/contracts/{created['id']}/send",
                       data={"csrf_token": token, "ack": LATE_RULE})
    assert sent.status_code == 302 and db.session.get(Contract, created["id"]).status == "sent"


def test_probation_only_once_per_employer_and_worker(client, world, outbox):
    key = world["api_key"]
    first = api_create(client, key)  # probation 2 months
    token = api_send(client, key, first["id"])
    assert worker_sign(client, token, worker_session(client, outbox, token)).status_code == 200
    later = {"term_start": "2028-12-01", "term_end": "2030-11-30"}
    again = _create(client, key, probation_months="1", probation_wage="4800", **later)
    body = again.get_json()
    assert again.status_code == 422 and "只能约定一次试用期" in body["fields"]["probation_months"]
    assert [r["rule"] for r in body["rules"]] == ["LCL19.probation_once"]
    assert _create(client, key, probation_months="0", **later).status_code == 201
    # another employer may agree on its own probation with the same worker
    assert _create(client, world["api_key_other"]).status_code == 201


def test_overlapping_active_contract_is_refused(client, world, outbox):
    key = world["api_key"]
    first = api_create(client, key)
    second = api_create(client, key, probation_months="0")  # drafts do not count
    api_send(client, key, first["id"])
    overlap = _create(client, key, probation_months="0", term_start="2028-11-30",
                      term_end="2030-11-30")
    assert overlap.status_code == 422
    assert first["contract_no"] in overlap.get_json()["fields"]["term_start"]
    refused = client.post(f"/api/v1/contracts/{second['id']}/send", headers=bearer(key))
    body = refused.get_json()
    assert refused.status_code == 422 and body["error"] == "rule_violations"
    assert [r["rule"] for r in body["rules"]] == ["PLATFORM.overlapping_contract"]
    voided = client.post(f"/api/v1/contracts/{first['id']}/void", headers=bearer(key),
                         json={"reason": "录入有误"})
    assert voided.status_code == 200
    api_send(client, key, second["id"])  # the voided contract no longer counts
    after = _create(client, key, probation_months="0", term_start="2028-12-01",
                    term_end="2030-11-30")
    assert after.status_code == 201


def test_minimum_wage_comes_from_the_table_by_region_and_date(client, world):
    assert minimum_wages.in_force("430121", date(2025, 8, 31)).monthly == Decimal("1740")
    assert minimum_wages.in_force("430121", date(2025, 9, 1)).monthly == Decimal("2200")
    assert minimum_wages.in_force("430102", date(2026, 1, 1)).monthly == Decimal("1800")
    assert minimum_wages.in_force("430102", date(2025, 8, 31)) is None
    assert minimum_wages.in_force("110105", date(2026, 1, 1)) is None
    low = _create(client, world["api_key"], monthly_wage="2199.99", probation_months="0")
    assert low.status_code == 422 and "2200.00" in low.get_json()["fields"]["monthly_wage"]
    assert _create(client, world["api_key"], monthly_wage="2200",
                   probation_months="0").status_code == 201


def _admin_form(client) -> str:
    return csrf_token(client.get("/admin/minimum-wages").get_data(as_text=True))


def test_platform_admin_adds_a_minimum_wage_and_history_is_kept(client, world):
    login(client, "platform")
    token = _admin_form(client)
    row = {"region_prefix": "430121", "effective_from": "2027-01-01", "monthly": "2400",
           "hourly": "24", "note": "测试文件", "csrf_token": token}
    assert client.post("/admin/minimum-wages", data=row).status_code == 302
    rows = db.session.scalars(select(MinimumWage).where(
        MinimumWage.region_prefix == "430121").order_by(MinimumWage.effective_from)).all()
    assert [(r.effective_from, r.monthly) for r in rows] == [
        (date(2022, 4, 1), Decimal("1740.00")), (date(2025, 9, 1), Decimal("2200.00")),
        (date(2027, 1, 1), Decimal("2400.00"))]
    assert minimum_wages.in_force("430121", date(2026, 12, 31)).monthly == Decimal("2200")
    assert minimum_wages.in_force("430121", date(2027, 1, 1)).hourly == Decimal("24")
    # the same region and date again: refused, the first figure stays
    again = client.post("/admin/minimum-wages", data={**row, "monthly": "9999"})
    assert again.status_code == 409 and "不能覆盖" in again.get_data(as_text=True)
    assert minimum_wages.in_force("430121", date(2027, 1, 1)).monthly == Decimal("2400")
    page = client.get("/admin/minimum-wages").get_data(as_text=True)
    assert "2400.00" in page and "1740.00" in page and "测试文件" in page
    [event] = [e for e in audit.trail(None) if e.action == "minimum_wage.added"]
    assert event.details["monthly"] == "2400.00" and event.actor.startswith("user:")
    # contracts starting from then follow the new figure
    hr_key = world["api_key"]
    later = {"term_start": "2027-01-01", "term_end": "2028-12-31", "probation_months": "0"}
    assert _create(client, hr_key, monthly_wage="2300", **later).status_code == 422
    assert _create(client, hr_key, monthly_wage="2300", probation_months="0").status_code == 201


def test_bad_minimum_wage_rows_name_their_fields(client, world):
    login(client, "platform")
    resp = client.post("/admin/minimum-wages", data={
        "region_prefix": "4301X", "effective_from": "2027/01/01", "monthly": "0",
        "hourly": "abc", "csrf_token": _admin_form(client)})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "前2、4或6位" in html and "YYYY-MM-DD" in html
    assert 'value="4301X"' in html  # what was typed is kept
    assert db.session.scalar(select(func.count()).select_from(MinimumWage)) == 3


def test_employers_cannot_edit_the_table(client, world):
    login(client, "admin")
    page = client.get("/employer/contracts").get_data(as_text=True)
    resp = client.post("/admin/minimum-wages", data={
        "region_prefix": "43", "effective_from": "2027-01-01", "monthly": "1", "hourly": "1",
        "csrf_token": csrf_token(page)})
    assert resp.status_code == 403
    assert db.session.scalar(select(func.count()).select_from(MinimumWage)) == 3


def test_rule_list_is_published_in_both_languages(client):
    from app.domain.rules import RULES

    resp = client.get("/api/v1/rules")
    rules = {r["id"]: r for r in resp.get_json()["rules"]}
    assert resp.status_code == 200 and set(rules) == set(RULES)
    probation = rules["LCL19.probation_by_term"]
    assert probation["severity"] == "error" and probation["field"] == "probation_months"
    assert probation["article"] == {"zh": "劳动合同法第十九条", "en": "Labor Contract Law art. 19"}
    assert "%(limit)s" in probation["message"]["zh"] and "%(limit)s" in probation["message"]["en"]
    assert rules[LATE_RULE]["severity"] == "warning"
    doc = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/rules" in doc["paths"]
    assert "warnings" in doc["components"]["schemas"]["ContractOut"]["properties"]
    assert "acknowledged_rules" in doc["components"]["schemas"]["ContractIn"]["properties"]


def test_editing_a_draft_keeps_acknowledgements_while_the_figures_stay(client, world):
    key = world["api_key"]
    created = api_create(client, key, acknowledged_rules=[LATE_RULE], **LATE)
    login(client, "hr")
    edit = f"/employer/contracts/{created['id']}/edit"
    token = csrf_token(client.get(edit).get_data(as_text=True))
    same = {**contract_payload(**LATE), "post": "木工", "csrf_token": token}
    assert client.post(edit, data=same).status_code == 302  # the same warning, still known
    earlier = {**same, "term_start": "2026-09-01"}  # more double pay: asked again
    asked = client.post(edit, data=earlier)
    assert asked.status_code == 409 and f'value="{LATE_RULE}"' in asked.get_data(as_text=True)
    assert db.session.get(Contract, created["id"]).terms["term_start"] == "2026-10-01"
    assert client.post(edit, data={**earlier, "ack": LATE_RULE}).status_code == 302
    assert len(_acknowledgements(created["id"])) == 2


def test_a_finding_about_no_field_is_shown_on_the_form(client, world):
    world["org"].legal_rep = ""  # the employer's profile lacks an art. 17 clause
    db.session.commit()
    login(client, "hr")
    page = client.get("/employer/contracts/new").get_data(as_text=True)
    resp = client.post("/employer/contracts/new",
                       data={**contract_payload(), "csrf_token": csrf_token(page)})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "缺少劳动合同必备条款：法定代表人或主要负责人" in html
    api = _create(client, world["api_key"]).get_json()
    assert api["fields"]["LCL17.mandatory_clauses"].endswith("法定代表人或主要负责人")
