"""Amendments of every template kind: the fields an amendment may change are the contract's
own template's (part-time hours and hourly wage, the construction crew's team and wage form),
checked by that kind's fields and rules; a field the kind does not have is refused by name."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models import Contract
from app.services.lifecycle import chain
from tests.app.flows import api_send, worker_session, worker_sign
from tests.app.pdftools import pdf_text
from tests.app.test_templates_flow import KINDS, PARTIES
from tests.conftest import WORKER, bearer, csrf_token, login


def _filed(client, world, outbox, kind: str) -> int:
    resp = client.post("/api/v1/contracts", json={**PARTIES, **KINDS[kind][0], "template": kind},
                       headers=bearer(world["api_key"]))
    assert resp.status_code == 201, resp.get_json()
    contract_id = resp.get_json()["id"]
    token = api_send(client, world["api_key"], contract_id)
    assert worker_sign(client, token, worker_session(client, outbox, token)).status_code == 200
    db.session.expire_all()
    assert db.session.get(Contract, contract_id).status == "filed"
    return contract_id


def _amend(client, world, contract_id: int, changes: dict, day: str = "2026-12-15"):
    return client.post(f"/api/v1/contracts/{contract_id}/amendments",
                       headers=bearer(world["api_key"]),
                       json={"changes": changes, "effective_from": day})


@pytest.mark.parametrize("kind, changes, printed", [
    ("part_time", {"hourly_wage": "30", "hours_per_week": "16"},
     ("小时工资：由“人民币25.00元（大写：贰拾伍元整）”变更为“人民币30.00元（大写：叁拾元整）”",
      "每周工作小时数：由“20”变更为“16”")),
    ("construction_simple", {"team": "钢筋二班", "wage_form": "piece_rate"},
     ("班组：由“钢筋一班”变更为“钢筋二班”", "工资形式：由“按日计发”变更为“按工程量（计件）计发”")),
    ("open_ended", {"monthly_wage": "6500"},
     ("月工资：由“人民币6,000.00元（大写：陆仟元整）”变更为“人民币6,500.00元",)),
])
def test_each_kind_amends_its_own_fields_and_the_terms_in_force_follow(
        client, world, outbox, tmp_path, kind, changes, printed):
    contract_id = _filed(client, world, outbox, kind)
    resp = _amend(client, world, contract_id, changes)
    assert resp.status_code == 201, resp.get_json()
    doc = db.session.get(Contract, resp.get_json()["id"])
    pdf = client.get(f"/api/v1/contracts/{doc.id}/pdf", headers=bearer(world["api_key"])).data
    text = pdf_text(pdf, tmp_path)
    for words in printed:
        assert words in text, text
    token = outbox.last_link_token(WORKER["phone"])
    assert worker_sign(client, token, worker_session(client, outbox, token)).status_code == 200
    hr = client.application.test_client()
    login(hr, "hr")
    page = hr.get(f"/employer/contracts/{contract_id}").get_data(as_text=True)
    for name in changes:
        assert f'name="{name}"' in page  # the form offers the kind's own fields
    db.session.expire_all()
    in_force = chain.terms_in_force(db.session.get(Contract, contract_id))
    for name in changes:
        assert str(in_force[name]) == str(doc.terms["new_values"][name])


@pytest.mark.parametrize("kind, changes, field, message", [
    ("part_time", {"hours_per_day": "5"}, "hours_per_day", "不得超过4小时"),
    ("part_time", {"hours_per_week": "25"}, "hours_per_week", "24小时"),
    ("part_time", {"pay_cycle_days": "16"}, "pay_cycle_days", "十五日"),
    ("part_time", {"hourly_wage": "1"}, "hourly_wage", "最低工资"),
    ("part_time", {"monthly_wage": "7000"}, "monthly_wage", "不能通过变更协议修改"),
    ("construction_simple", {"wage_form": "weekly"}, "wage_form", ""),
    ("construction_simple", {"hourly_wage": "30"}, "hourly_wage", "不能通过变更协议修改"),
    ("fixed_term", {"team": "钢筋二班"}, "team", "不能通过变更协议修改"),
    ("fixed_term", {"term_end": "2030-11-30"}, "changes", "只能是"),  # no kind amends a term
])
def test_a_change_the_kind_does_not_allow_is_named_and_nothing_written(
        client, world, outbox, kind, changes, field, message):
    contract_id = _filed(client, world, outbox, kind)
    before = db.session.query(Contract).count()
    resp = _amend(client, world, contract_id, changes)
    assert resp.status_code == 422, resp.get_json()
    assert message in resp.get_json()["fields"][field], resp.get_json()
    assert db.session.query(Contract).count() == before


def test_part_time_limits_both_sides_on_an_amendment(client, world, outbox):
    contract_id = _filed(client, world, outbox, "part_time")
    assert _amend(client, world, contract_id, {"hours_per_day": "5"}).status_code == 422
    ok = _amend(client, world, contract_id, {"hours_per_week": "24", "pay_cycle_days": "14"})
    assert ok.status_code == 201, ok.get_json()


def test_the_page_form_amends_a_construction_contract(client, world, outbox):
    contract_id = _filed(client, world, outbox, "construction_simple")
    hr = client.application.test_client()
    login(hr, "hr")
    page = hr.get(f"/employer/contracts/{contract_id}").get_data(as_text=True)
    assert 'name="wage_form"' in page and 'name="monthly_wage"' not in page
    assert "按日计发" in page  # the choice in force, by its label
    form = {"csrf_token": csrf_token(page), "wage_amount": "abc", "team": "钢筋二班",
            "effective_from": "2026-12-15"}
    bad = hr.post(f"/employer/contracts/{contract_id}/amend", data=form)
    body = bad.get_data(as_text=True)
    assert bad.status_code == 422 and 'value="abc"' in body and 'value="钢筋二班"' in body
    done = hr.post(f"/employer/contracts/{contract_id}/amend", data={**form, "wage_amount": "320"})
    assert done.status_code == 302
    doc = db.session.query(Contract).filter_by(document_kind="amendment").one()
    assert doc.terms["new_values"] == {"team": "钢筋二班", "wage_amount": "320.00"}
