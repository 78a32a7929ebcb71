"""Terminating a filed contract of every kind (issue 20): the art. 47 base is the month's wage
the contract states — a monthly wage as it is, a daily wage × 21.75, a piece rate × the usual
monthly output; part-time work (art. 71) ends with no severance, in words; a contract whose
wage cannot be read gets a 422 naming the term, never a 500, and nothing is written."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.extensions import db
from app.models import Contract
from tests.app.portal_helpers import signed_with
from tests.app.test_templates_flow import KINDS, PARTIES
from tests.conftest import bearer, csrf_token, login

TODAY = date(2026, 12, 2)
#: the service 2026-12-01 .. 2026-12-20 is less than six months: half a month's wage (art. 47)
LAST = "2026-12-20"
CONSTRUCTION = {**KINDS["construction_simple"][0], "template": "construction_simple"}
ONE = {"worker_name", "worker_id_number", "worker_phone"}


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    from app.services.lifecycle import termination

    monkeypatch.setattr(termination, "today_in_beijing", lambda: TODAY)


def _filed(client, world, outbox, kind: str, **terms) -> int:
    """A contract of ``kind`` signed by the worker through the link and filed."""
    fields = {**{k: v for k, v in PARTIES.items() if k not in ONE}, **KINDS[kind][0],
              "template": kind, "probation_months": "0", **terms}
    return signed_with(client, outbox, world["api_key"], **fields)


def _terminate(client, world, contract_id: int, **body):
    return client.post(f"/api/v1/contracts/{contract_id}/termination",
                       headers=bearer(world["api_key"]),
                       json={"ground": "art40", "last_working_day": LAST, **body})


def _money_clause(doc: dict) -> str:
    return next(p for heading, paragraphs in doc["terms"]["clauses"] if heading == "经济补偿"
                for p in paragraphs)


@pytest.mark.parametrize(("wage", "monthly", "amount", "words"), [
    ({"wage_form": "daily", "wage_amount": "300"}, "6525.00", "3262.50",
     "日工资300.00元按每月21.75天折算的月工资6525.00元"),
    ({"wage_form": "piece_rate", "wage_amount": "30", "usual_output": "250"}, "7500.00",
     "3750.00", "计件单价30.00元乘以正常工作时间月产量250折算的月工资7500.00元"),
    ({"wage_form": "monthly", "wage_amount": "6000"}, "6000.00", "3000.00",
     "劳动合同约定的月工资6000.00元"),
])
def test_a_filed_construction_contract_terminates_with_its_months_wage(
        client, world, outbox, wage, monthly, amount, words):
    contract_id = _filed(client, world, outbox, "construction_simple", **wage)
    resp = _terminate(client, world, contract_id)
    assert resp.status_code == 201, resp.get_json()
    doc = resp.get_json()
    pay = doc["terms"]["severance"]
    assert pay["due"] is True and pay["monthly_wage"] == monthly and pay["amount"] == amount
    assert Decimal(pay["months"]) == Decimal("0.5") and pay["wage_form"] == wage["wage_form"]
    assert words in _money_clause(doc) and "共计" in _money_clause(doc)


@pytest.mark.parametrize("kind", ["fixed_term", "open_ended", "project_based"])
def test_the_monthly_wage_kinds_terminate_on_their_monthly_wage(client, world, outbox, kind):
    contract_id = _filed(client, world, outbox, kind)  # ¥6,000 a month
    resp = _terminate(client, world, contract_id)
    assert resp.status_code == 201, resp.get_json()
    pay = resp.get_json()["terms"]["severance"]
    assert (pay["monthly_wage"], pay["amount"], pay["wage_form"]) == ("6000.00", "3000.00",
                                                                      "monthly")


def test_the_employer_terminates_a_daily_wage_contract_from_its_page(client, world, outbox):
    contract_id = _filed(client, world, outbox, "construction_simple")  # ¥300 a day
    hr = client.application.test_client()
    login(hr, "hr")
    page = hr.get(f"/employer/contracts/{contract_id}").get_data(as_text=True)
    assert "日工资按每月21.75天折算" in page
    assert 'value="art71"' not in page  # art. 71 is for part-time work only
    done = hr.post(f"/employer/contracts/{contract_id}/terminate", data={
        "csrf_token": csrf_token(page), "ground": "art40", "last_working_day": LAST})
    assert done.status_code == 302, done.get_data(as_text=True)
    doc = db.session.query(Contract).filter_by(parent_id=contract_id,
                                               document_kind="termination").one()
    assert doc.terms["severance"]["amount"] == "3262.50"
    assert doc.terms["severance"]["monthly_wage"] == "6525.00"


@pytest.mark.parametrize(("ground", "extra"), [("art71", {}),
                                                ("art36", {"employer_proposed": True})])
def test_part_time_work_ends_with_no_severance_by_art_71(client, world, outbox, ground, extra):
    contract_id = _filed(client, world, outbox, "part_time")
    resp = _terminate(client, world, contract_id, ground=ground, **extra)
    assert resp.status_code == 201, resp.get_json()
    doc = resp.get_json()
    pay = doc["terms"]["severance"]
    assert pay["due"] is False and pay["amount"] == "0.00" and pay["monthly_wage"] == ""
    assert "第七十一条" in pay["reason"] and "不向乙方支付经济补偿" in pay["reason"]
    assert _money_clause(doc) == pay["reason"]


def test_the_part_time_form_offers_art_71_and_says_no_severance(client, world, outbox):
    contract_id = _filed(client, world, outbox, "part_time")
    hr = client.application.test_client()
    login(hr, "hr")
    page = hr.get(f"/employer/contracts/{contract_id}").get_data(as_text=True)
    assert 'value="art71"' in page and "非全日制用工终止用工不支付经济补偿" in page
    done = hr.post(f"/employer/contracts/{contract_id}/terminate", data={
        "csrf_token": csrf_token(page), "ground": "art71", "last_working_day": LAST})
    assert done.status_code == 302, done.get_data(as_text=True)
    doc = db.session.query(Contract).filter_by(parent_id=contract_id,
                                               document_kind="termination").one()
    assert doc.terms["severance"]["amount"] == "0.00"
    assert "第七十一条" in doc.terms["severance"]["reason"]


def test_art_71_is_refused_for_full_time_work(client, world, outbox):
    contract_id = _filed(client, world, outbox, "construction_simple")
    resp = _terminate(client, world, contract_id, ground="art71")
    assert resp.status_code == 422, resp.get_json()
    assert "非全日制" in resp.get_json()["fields"]["ground"]
    assert not db.session.query(Contract).filter_by(document_kind="termination").count()


def test_a_wage_that_cannot_be_read_is_a_422_naming_the_term(client, world, outbox):
    """A piece rate without the usual output (a version-1 contract, or a wage form amended to
    piece rate): severance cannot be counted; a ground without severance still ends it."""
    contract_id = _filed(client, world, outbox, "construction_simple",
                         wage_form="piece_rate", wage_amount="30", usual_output="250")
    contract = db.session.get(Contract, contract_id)
    contract.terms = {k: v for k, v in contract.terms.items() if k != "usual_output"}
    db.session.commit()
    resp = _terminate(client, world, contract_id)
    assert resp.status_code == 422, resp.get_json()
    body = resp.get_json()
    assert set(body["fields"]) == {"usual_output"}
    assert "正常工作时间月产量" in body["fields"]["usual_output"]
    assert "经济补偿" in body["fields"]["usual_output"]
    assert not db.session.query(Contract).filter_by(document_kind="termination").count()
    english = client.post(f"/api/v1/contracts/{contract_id}/termination",
                          headers={**bearer(world["api_key"]), "Accept-Language": "en"},
                          json={"ground": "art40", "last_working_day": LAST})
    assert english.status_code == 422
    assert "monthly output" in english.get_json()["fields"]["usual_output"]
    hr = client.application.test_client()  # the form says it too, keeping what was typed
    login(hr, "hr")
    page = hr.get(f"/employer/contracts/{contract_id}").get_data(as_text=True)
    shown = hr.post(f"/employer/contracts/{contract_id}/terminate", data={
        "csrf_token": csrf_token(page), "ground": "art40", "last_working_day": LAST,
        "handover": "交接钢筋班组工具"})
    html = shown.get_data(as_text=True)
    assert shown.status_code == 422 and "合同未约定有效的正常工作时间月产量（计件数量）" in html
    assert "交接钢筋班组工具" in html
    assert not db.session.query(Contract).filter_by(document_kind="termination").count()
    resigned = _terminate(client, world, contract_id, ground="art37")
    assert resigned.status_code == 201, resigned.get_json()
    pay = resigned.get_json()["terms"]["severance"]
    assert pay["due"] is False and pay["amount"] == "0.00" and pay["monthly_wage"] == ""
    assert "第四十六条" in pay["reason"]
