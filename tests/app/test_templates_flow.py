"""Each template kind end to end through HTTP: create (API, template chosen), seal and send,
the worker signs on the phone flow, filed; the signed PDF prints the kind's own clauses and
is valid under pdfsig. The rule engine sees the real kind."""

from __future__ import annotations

import pytest

from app.extensions import archive_ext, db
from app.models import Contract, Filing
from tests.app.flows import api_send, worker_session, worker_sign
from tests.app.pdftools import pdf_text, pdfsig_report
from tests.conftest import WORKER, bearer

PARTIES = {"worker_name": WORKER["name"], "worker_id_number": WORKER["id_number"],
           "worker_phone": WORKER["phone"], "worker_address": "江西省德安县",
           "term_start": "2026-12-01", "post": "钢筋工",
           "work_location": "长沙县星沙产业园三期工地", "social_insurance": "依法参加五项社会保险",
           "labor_protection": "提供安全帽、安全带、防护鞋"}
MONTHLY = {"hours_system": "standard", "monthly_wage": "6000", "pay_day": 15}
KINDS = {
    "fixed_term": ({"term_end": "2028-11-30", **MONTHLY}, "期限自2026年12月1日起至2028年11月30日止"),
    "open_ended": (MONTHLY, "本合同为无固定期限劳动合同，自2026年12月1日起履行"),
    "project_based": ({"task_name": "三期主体结构钢筋绑扎", **MONTHLY},
                      "至三期主体结构钢筋绑扎工作任务完成时止"),
    "part_time": ({"hourly_wage": "25", "hours_per_day": 4, "hours_per_week": 20,
                   "pay_cycle_days": 15}, "任何一方都可以随时通知对方终止用工"),
    "construction_simple": ({"project_name": "星沙产业园三期", "team": "钢筋一班",
                             "hours_system": "standard", "wage_form": "daily",
                             "wage_amount": "300", "pay_day": 10,
                             "wage_account": "长沙银行星沙支行 800012345678"},
                            "农民工工资专用账户（长沙银行星沙支行 800012345678）"),
}




@pytest.mark.parametrize("kind", list(KINDS))
def test_each_kind_from_api_to_filed_pdf(client, world, outbox, tmp_path, kind):
    fields, printed = KINDS[kind]
    resp = client.post("/api/v1/contracts", json={**PARTIES, **fields, "template": kind},
                       headers=bearer(world["api_key"]))
    assert resp.status_code == 201, resp.get_json()
    created = resp.get_json()
    assert created["template"] == kind
    contract = db.session.get(Contract, created["id"])
    assert contract.template_version_row.template.kind == kind
    assert contract.template_version_row.number == 1
    token = api_send(client, world["api_key"], created["id"])
    worker = client.application.test_client()
    session = worker_session(worker, outbox, token)
    signed = worker_sign(worker, token, session)
    assert signed.status_code == 200, signed.get_json()
    status = client.get(f"/api/v1/contracts/{created['id']}",
                        headers=bearer(world["api_key"])).get_json()
    assert status["status"] == "filed"
    pdf = archive_ext.store().get(db.session.query(Filing).one().pdf_key)
    assert "".join(printed.split()) in pdf_text(pdf, tmp_path)
    report = pdfsig_report(pdf, client.get("/ca/root.pem").data, tmp_path)
    assert report.count("Signature is Valid") == 2, report


@pytest.mark.parametrize("kind, fields, field, message", [
    ("part_time", {"hours_per_day": 5, "hours_per_week": 20}, "hours_per_day", "不得超过4小时"),
    ("part_time", {"hours_per_day": 4, "hours_per_week": 25}, "hours_per_week", "24小时"),
    ("part_time", {"pay_cycle_days": 16}, "pay_cycle_days", "十五日"),
    ("project_based", {"probation_months": 1}, "probation_months", "试用期"),
    ("part_time", {"probation_months": 1}, "probation_months", "试用期"),
])
def test_the_rule_engine_checks_each_kind(client, world, kind, fields, field, message):
    body = {**PARTIES, **KINDS[kind][0], **fields, "template": kind}
    resp = client.post("/api/v1/contracts", json=body, headers=bearer(world["api_key"]))
    assert resp.status_code == 422, resp.get_json()
    assert message in resp.get_json()["fields"][field]
    assert db.session.query(Contract).count() == 0


def test_a_missing_field_of_the_kind_is_named_and_nothing_written(client, world):
    body = {**PARTIES, "template": "part_time", "hours_per_day": 4}
    resp = client.post("/api/v1/contracts", json=body, headers=bearer(world["api_key"]))
    assert resp.status_code == 422
    fields = resp.get_json()["fields"]
    assert fields["hourly_wage"] == "请填写小时工资" and "monthly_wage" not in fields
    resp = client.post("/api/v1/contracts", json={**PARTIES, "template": "no_such"},
                       headers=bearer(world["api_key"]))
    assert resp.status_code == 422 and resp.get_json()["fields"]["template"] == "没有这个合同模板"
    assert db.session.query(Contract).count() == 0


@pytest.mark.parametrize("kind", ["fixed_term", "part_time"])
def test_left_out_social_insurance_and_protection_take_the_laws_default_text(
        client, world, tmp_path, kind):
    parties = {k: v for k, v in PARTIES.items() if k not in ("social_insurance", "labor_protection")}
    resp = client.post("/api/v1/contracts", json={**parties, **KINDS[kind][0], "template": kind},
                       headers=bearer(world["api_key"]))
    assert resp.status_code == 201, resp.get_json()
    text = pdf_text(client.get(f"/api/v1/contracts/{resp.get_json()['id']}/pdf",
                                headers=bearer(world["api_key"])).data, tmp_path)
    # the law's words, once (the fixed-term text's own paragraphs already say the default)
    assert text.count("养老、医疗、失业、工伤、生育保险") == 1
    assert text.count("劳动防护用品") == 1 and "安全生产教育" in text


@pytest.mark.parametrize("kind, shown", [
    ("open_ended", ["无固定期限", "6000"]),
    ("project_based", ["“三期主体结构钢筋绑扎”完成时"]),
    ("part_time", ["25.00 元/小时，每日 4 小时、每周 20 小时，每 15 天结算", "任何一方随时通知终止时"]),
    ("construction_simple", ["星沙产业园三期 / 钢筋一班", "按日计发 300.00 元"]),
])
def test_the_contract_page_shows_the_kinds_own_facts(client, world, kind, shown):
    from tests.conftest import login

    resp = client.post("/api/v1/contracts", json={**PARTIES, **KINDS[kind][0], "template": kind},
                       headers=bearer(world["api_key"]))
    assert resp.status_code == 201, resp.get_json()
    login(client, "hr")
    page = client.get(f"/employer/contracts/{resp.get_json()['id']}").get_data(as_text=True)
    assert "第 1 版" in page
    facts = page[page.find("<dl"):page.find("</dl>")]
    for text in shown:
        assert text in facts, facts
    assert "None" not in facts, facts
    assert ("试用期" in facts) is (kind not in ("part_time", "project_based"))
